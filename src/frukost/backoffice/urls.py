"""The back office at /backoffice/: every page takes the organisation's slug first (see decorators)."""

from django.urls import path

from frukost.backoffice.views import (
    attendance,
    audit,
    catering,
    contacts,
    door,
    door_pdfs,
    door_walkin,
    event_actions,
    events,
    exports,
    followup,
    home,
    importer,
    invitation_sending,
    invitations,
    leads,
    members,
    messages,
    organisation,
    personal_data,
    registrations,
    series,
    statistics,
    suppressions,
)

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("tvastegsverifiering/", home.two_factor_required, name="two-factor-required"),
    # The link in an invitation e-mail: not under an organisation (the person is not a member yet).
    path("inbjudan/<str:token>/", members.invitation_accept, name="invitation-accept"),
    path("<slug:organisation>/", events.event_list, name="events"),
    path("<slug:organisation>/evenemang/fran-inbjudan/", importer.event_import, name="event-import"),
    path("<slug:organisation>/evenemang/nytt/", events.event_create, name="event-create"),
    path("<slug:organisation>/evenemang/<int:event_id>/", events.event_overview, name="event"),
    path("<slug:organisation>/evenemang/<int:event_id>/andra/", events.event_edit, name="event-edit"),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/forhandsvisning/",
        events.event_preview,
        name="event-preview",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/publicera/",
        event_actions.event_publish,
        name="event-publish",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/stang-anmalan/",
        event_actions.event_close,
        name="event-close",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/oppna-anmalan/",
        event_actions.event_reopen,
        name="event-reopen",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/stall-in/",
        event_actions.event_cancel,
        name="event-cancel",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/kopiera/", event_actions.event_clone, name="event-clone"
    ),
    path("<slug:organisation>/serier/", series.series_list, name="series-list"),
    path("<slug:organisation>/serier/<int:series_id>/", series.series_detail, name="series"),
    path("<slug:organisation>/medlemmar/", members.member_list, name="members"),
    path("<slug:organisation>/medlemmar/bjud-in/", members.member_invite, name="member-invite"),
    path("<slug:organisation>/medlemmar/<int:member_id>/", members.member_edit, name="member-edit"),
    path(
        "<slug:organisation>/medlemmar/<int:member_id>/ta-bort/", members.member_remove, name="member-remove"
    ),
    path(
        "<slug:organisation>/inbjudningar/<int:invitation_id>/dra-tillbaka/",
        members.invitation_withdraw,
        name="invitation-withdraw",
    ),
    path(
        "<slug:organisation>/installningar/", organisation.organisation_settings, name="organisation-settings"
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/statistik/",
        statistics.event_statistics_page,
        name="event-statistics",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/personuppgifter/",
        personal_data.event_personal_data,
        name="event-personal-data",
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
    path(
        "<slug:organisation>/evenemang/<int:event_id>/efter-frukosten/",
        followup.event_followup,
        name="event-followup",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/efter-frukosten/tack/",
        followup.event_followup_thanks,
        name="event-followup-thanks",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/efter-frukosten/vi-saknade-dig/",
        followup.event_followup_sorry,
        name="event-followup-sorry",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/aterkoppling/",
        followup.event_feedback,
        name="event-feedback",
    ),
    path(
        "<slug:organisation>/serier/<int:series_id>/aterkoppling/",
        followup.series_feedback,
        name="series-feedback",
    ),
    # Invitation lists (frukost.invitations): per event and per series, and one list.
    path(
        "<slug:organisation>/evenemang/<int:event_id>/inbjudningar/",
        invitations.event_lists,
        name="event-invitations",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/inbjudningar/importera/",
        invitations.event_import,
        name="event-invitation-import",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/inbjudningar/fran-kontakter/",
        invitations.event_from_contacts,
        name="event-invitation-contacts",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/inbjudningar/importera/<str:upload>/",
        invitations.event_preview,
        name="event-invitation-preview",
    ),
    path(
        "<slug:organisation>/serier/<int:series_id>/inbjudningar/",
        invitations.series_lists,
        name="series-invitations",
    ),
    path(
        "<slug:organisation>/serier/<int:series_id>/inbjudningar/importera/",
        invitations.series_import,
        name="series-invitation-import",
    ),
    path(
        "<slug:organisation>/serier/<int:series_id>/inbjudningar/fran-kontakter/",
        invitations.series_from_contacts,
        name="series-invitation-contacts",
    ),
    path(
        "<slug:organisation>/serier/<int:series_id>/inbjudningar/importera/<str:upload>/",
        invitations.series_preview,
        name="series-invitation-preview",
    ),
    path(
        "<slug:organisation>/inbjudningslistor/<int:list_id>/",
        invitations.invitation_list,
        name="invitation-list",
    ),
    # An invitation list's e-mail and reminder (frukost.invitations.sending, .reminders).
    path(
        "<slug:organisation>/inbjudningslistor/<int:list_id>/skicka/",
        invitation_sending.invitation_send,
        name="invitation-send",
    ),
    path(
        "<slug:organisation>/inbjudningslistor/<int:list_id>/skickat.json",
        invitation_sending.invitation_progress,
        name="invitation-progress",
    ),
    path(
        "<slug:organisation>/inbjudningslistor/<int:list_id>/paminnelse/",
        invitation_sending.invitation_reminder,
        name="invitation-reminder",
    ),
    path("<slug:organisation>/handelselogg/", audit.audit_log, name="audit-log"),
    path("<slug:organisation>/kontakter/", contacts.contact_list, name="contacts"),
    path("<slug:organisation>/sparrlista/", suppressions.suppression_list, name="suppressions"),
    path("<slug:organisation>/sparrlista/lagg-till/", suppressions.suppression_add, name="suppression-add"),
    path(
        "<slug:organisation>/sparrlista/export/", suppressions.suppressions_export, name="suppressions-export"
    ),
    path(
        "<slug:organisation>/sparrlista/<int:suppression_id>/ta-bort/",
        suppressions.suppression_remove,
        name="suppression-remove",
    ),
    path("<slug:organisation>/intresserade/", leads.lead_list, name="leads"),
    path("<slug:organisation>/intresserade/export/", leads.leads_export, name="leads-export"),
    path(
        "<slug:organisation>/intresserade/<int:lead_id>/kontaktad/",
        leads.lead_contacted,
        name="lead-contacted",
    ),
    path("<slug:organisation>/intresserade/<int:lead_id>/ta-bort/", leads.lead_remove, name="lead-remove"),
    path("<slug:organisation>/evenemang/<int:event_id>/intresserade/", leads.event_leads, name="event-leads"),
    path(
        "<slug:organisation>/kontakter/<int:contact_id>/ta-bort/",
        contacts.contact_remove,
        name="contact-remove",
    ),
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
        "<slug:organisation>/evenemang/<int:event_id>/anmalningar/<int:registration_id>/spar-lankar/",
        registrations.registration_revoke_links,
        name="registration-revoke-links",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/vantelista/",
        registrations.waiting_list,
        name="event-waiting-list",
    ),
    path("<slug:organisation>/evenemang/<int:event_id>/entrelista/", door.door_list, name="event-door"),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/entrelista/dorrlista.pdf",
        door_pdfs.door_list_pdf,
        name="event-door-list-pdf",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/entrelista/namnbrickor.pdf",
        door_pdfs.badges_pdf,
        name="event-badges-pdf",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/entrelista/kod/", door.door_code, name="event-door-code"
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/entrelista/pa-plats/",
        door_walkin.door_walk_in,
        name="event-door-walk-in",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/entrelista/lista.json",
        door.door_data,
        name="event-door-data",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/entrelista/synk/",
        door.door_sync,
        name="event-door-sync",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/entrelista/<int:registration_id>/<str:action>/",
        door.door_action,
        name="event-door-action",
    ),
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
    path(
        "<slug:organisation>/evenemang/<int:event_id>/narvaro/",
        attendance.event_attendance,
        name="event-attendance",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/narvaro/stang/",
        attendance.attendance_close,
        name="event-attendance-close",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/narvaro/oppna/",
        attendance.attendance_reopen,
        name="event-attendance-reopen",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/narvaro/<int:registration_id>/kom/",
        attendance.attendance_arrived,
        name="event-attendance-arrived",
    ),
    path(
        "<slug:organisation>/evenemang/<int:event_id>/narvaro/<int:registration_id>/kom-inte/",
        attendance.attendance_absent,
        name="event-attendance-absent",
    ),
]
