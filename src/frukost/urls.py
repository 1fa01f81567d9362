from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from frukost.core.cached_urls import cached_include
from frukost.core.lazy_urls import lazy_include
from frukost.public import (
    feedback_views,
    invitation_views,
    offer_views,
    operations,
    selfservice_views,
    still_coming_views,
    views,
)

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
        path(
            "r/<str:token>/kommer-du/",
            still_coming_views.registration_still_coming,
            name="registration-still-coming",
        ),
        path("r/<str:token>/plats/", offer_views.registration_offer, name="registration-offer"),
        path("r/<str:token>/kalender.ics", views.registration_ics, name="registration-ics"),
        path("r/<str:token>/mina-uppgifter/", selfservice_views.registration_data, name="registration-data"),
        path(
            "r/<str:token>/mina-uppgifter.json",
            selfservice_views.registration_data_json,
            name="registration-data-json",
        ),
        path("r/<str:token>/aterkoppling/", feedback_views.feedback, name="feedback"),
        path("r/<str:token>/aterkoppling/tack/", feedback_views.feedback_done, name="feedback-done"),
        path("r/<str:token>/radera/", selfservice_views.registration_erase, name="registration-erase"),
        # An invitation's links (frukost.invitations): the answer link and its "I can't come", and
        # the unsubscribe link (a token of its own; the List-Unsubscribe header's URL).
        path("i/<str:token>/", invitation_views.invitation, name="invitation"),
        path("i/<str:token>/kan-inte-komma/", invitation_views.invitation_decline, name="invitation-decline"),
        path(
            "i/<str:token>/avregistrera/",
            invitation_views.invitation_unsubscribe,
            name="invitation-unsubscribe",
        ),
        path("i/<str:token>/<slug:event>/", invitation_views.invitation_event, name="invitation-event"),
        path("mina-uppgifter/", selfservice_views.data_request, name="data-request"),
        path("mina-uppgifter/raderade/", selfservice_views.erased, name="erased"),
        path("mina-uppgifter/<str:token>/", selfservice_views.data_request_list, name="data-request-list"),
        path(
            "mina-uppgifter/<str:token>.json", selfservice_views.data_request_json, name="data-request-json"
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
