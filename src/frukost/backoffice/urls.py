"""The back office at /backoffice/: every page takes the organisation's slug first (see decorators)."""

from django.urls import path

from frukost.backoffice.views import audit, events, home, importer, messages, statistics

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("tvastegsverifiering/", home.two_factor_required, name="two-factor-required"),
    path("<slug:organisation>/", events.event_list, name="events"),
    path("<slug:organisation>/evenemang/fran-inbjudan/", importer.event_import, name="event-import"),
    path("<slug:organisation>/evenemang/<int:event_id>/", events.event_overview, name="event"),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/statistik/",
        statistics.event_statistics_page,
        name="event-statistics",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/utskick/", messages.message_list, name="event-messages"
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/utskick/nytt/",
        messages.message_new,
        name="event-message-new",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/utskick/<int:announcement_id>/",
        messages.message_detail,
        name="event-message",
    ),
    path("<slug:organisation>/handelselogg/", audit.audit_log, name="audit-log"),
]
