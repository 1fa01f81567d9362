"""The back office at /backoffice/: every page takes the organisation's slug first (see decorators)."""

from django.urls import path

from frukost.backoffice.views import door, events, home, importer, registrations

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("tvastegsverifiering/", home.two_factor_required, name="two-factor-required"),
    path("<slug:organisation>/", events.event_list, name="events"),
    path("<slug:organisation>/evenemang/fran-inbjudan/", importer.event_import, name="event-import"),
    path("<slug:organisation>/evenemang/<int:event_id>/", events.event_overview, name="event"),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/anmalningar/",
        registrations.registration_table,
        name="event-registrations",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/anmalningar/ny/",
        registrations.registration_add,
        name="registration-add",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/anmalningar/<int:registration_id>/",
        registrations.registration_detail,
        name="registration",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/anmalningar/<int:registration_id>/andra/",
        registrations.registration_edit,
        name="registration-edit",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/anmalningar/<int:registration_id>/avanmal/",
        registrations.registration_cancel,
        name="registration-cancel",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/anmalningar/<int:registration_id>/ge-plats/",
        registrations.registration_promote,
        name="registration-promote",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/anmalningar/<int:registration_id>/skicka-lank/",
        registrations.registration_resend_link,
        name="registration-resend-link",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/vantelista/",
        registrations.waiting_list,
        name="event-waiting-list",
    ),
    path("<slug:organisation>/evenemang/<int:event_id>/entrelista/", door.door_list, name="event-door"),
]
