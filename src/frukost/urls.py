from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from frukost.core.cached_urls import cached_include
from frukost.core.lazy_urls import lazy_include, lazy_path
from frukost.public import operations, views

admin.site.site_header = "frukost"
admin.site.site_title = "frukost"


def _operators_only(request) -> bool:
    # The Django admin is for the site's operators; organisers work in the back office.
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _operators_only
# Operators sign in through allauth too: its throttling and their second factor apply.
admin.site.login = secure_admin_login(admin.site.login)

public_patterns = (
    [
        path("", views.index, name="index"),
        path("integritet/", views.privacy, name="privacy"),
        path("tillganglighet/", operations.accessibility, name="accessibility"),
        path("r/<str:token>/", views.registration_detail, name="registration"),
        path("r/<str:token>/avanmal/", views.registration_cancel, name="registration-cancel"),
        lazy_path(
            "r/<str:token>/kommer-du/",
            "frukost.public.still_coming_views.registration_still_coming",
            name="registration-still-coming",
        ),
        lazy_path(
            "r/<str:token>/plats/", "frukost.public.offer_views.registration_offer", name="registration-offer"
        ),
        path("r/<str:token>/kalender.ics", views.registration_ics, name="registration-ics"),
        lazy_path(
            "r/<str:token>/mina-uppgifter/",
            "frukost.public.selfservice_views.registration_data",
            name="registration-data",
        ),
        lazy_path(
            "r/<str:token>/mina-uppgifter.json",
            "frukost.public.selfservice_views.registration_data_json",
            name="registration-data-json",
        ),
        lazy_path("r/<str:token>/aterkoppling/", "frukost.public.feedback_views.feedback", name="feedback"),
        lazy_path(
            "r/<str:token>/aterkoppling/tack/",
            "frukost.public.feedback_views.feedback_done",
            name="feedback-done",
        ),
        lazy_path(
            "r/<str:token>/radera/",
            "frukost.public.selfservice_views.registration_erase",
            name="registration-erase",
        ),
        # An invitation's links (frukost.invitations): the answer link and its "I can't come", and
        # the unsubscribe link (a token of its own; the List-Unsubscribe header's URL).
        lazy_path("i/<str:token>/", "frukost.public.invitation_views.invitation", name="invitation"),
        lazy_path(
            "i/<str:token>/kan-inte-komma/",
            "frukost.public.invitation_views.invitation_decline",
            name="invitation-decline",
        ),
        lazy_path(
            "i/<str:token>/avregistrera/",
            "frukost.public.invitation_views.invitation_unsubscribe",
            name="invitation-unsubscribe",
        ),
        lazy_path(
            "i/<str:token>/<slug:event>/",
            "frukost.public.invitation_views.invitation_event",
            name="invitation-event",
        ),
        lazy_path("mina-uppgifter/", "frukost.public.selfservice_views.data_request", name="data-request"),
        lazy_path("mina-uppgifter/raderade/", "frukost.public.selfservice_views.erased", name="erased"),
        lazy_path(
            "mina-uppgifter/<str:token>/",
            "frukost.public.selfservice_views.data_request_list",
            name="data-request-list",
        ),
        lazy_path(
            "mina-uppgifter/<str:token>.json",
            "frukost.public.selfservice_views.data_request_json",
            name="data-request-json",
        ),
        # Before the event pattern: "integritet" is a reserved event slug (events.models).
        path("<slug:organisation>/integritet/", views.organisation_privacy, name="organisation-privacy"),
        path("<slug:organisation>/<slug:event>/", views.event_detail, name="event"),
        path("<slug:organisation>/<slug:event>/tack/", views.registered, name="registered"),
        path("<slug:organisation>/<slug:event>/kalender.ics", views.event_ics, name="event-ics"),
    ],
    "public",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    # Imported when a back-office page is asked for or reversed (core.lazy_urls, issue 10).
    lazy_include("backoffice/", "frukost.backoffice.urls", namespace="backoffice"),
    # allauth's pages, the two-factor views imported at their first request (accounts.urls).
    path("konto/", include("frukost.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path(".well-known/security.txt", operations.security_txt, name="security-txt"),
    # What a public path resolves to is kept per path (core.cached_urls, issue 10).
    cached_include(public_patterns),
]

handler404 = "frukost.public.views.not_found"
handler500 = "frukost.public.views.server_error"
