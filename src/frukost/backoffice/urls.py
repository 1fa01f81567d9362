"""The back office at /backoffice/: every page takes the organisation's slug first (see decorators)."""

from django.urls import path

from frukost.backoffice.views import catering, events, exports, home, importer

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("tvastegsverifiering/", home.two_factor_required, name="two-factor-required"),
    path("<slug:organisation>/", events.event_list, name="events"),
    path("<slug:organisation>/evenemang/fran-inbjudan/", importer.event_import, name="event-import"),
    path("<slug:organisation>/evenemang/<int:event_id>/", events.event_overview, name="event"),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/fortaring/",
        catering.event_catering,
        name="event-catering",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/fortaring/utskrift/",
        catering.event_catering_print,
        name="event-catering-print",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/fortaring/skicka/",
        catering.event_catering_send,
        name="event-catering-send",
    ),
    path("<slug:organisation>/evenemang/<int:event_id>/export/", exports.event_export, name="event-export"),
]
