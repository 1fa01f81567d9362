"""The back office at /backoffice/: every page takes the organisation's slug first (see decorators)."""

from django.urls import path

from frukost.backoffice.views import events, home, importer

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("tvastegsverifiering/", home.two_factor_required, name="two-factor-required"),
    path("<slug:organisation>/", events.event_list, name="events"),
    path("<slug:organisation>/evenemang/fran-inbjudan/", importer.event_import, name="event-import"),
    path("<slug:organisation>/evenemang/<int:event_id>/", events.event_overview, name="event"),
]
