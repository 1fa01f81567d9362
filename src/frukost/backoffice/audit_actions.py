"""Audit log action names in words (the msgids are English; Swedish comes from the catalogue).

An action missing here is shown by its name: other parts of frukost may log new ones first.
"""

from django.utils.translation import gettext_lazy as _

from frukost.accounts.enums import Role
from frukost.contacts.enums import SuppressionReason
from frukost.messaging.enums import Audience
from frukost.registrations.enums import Status
from frukost.registrations.exports import CATALOGUE

ACTION_LABELS = {
    # Also the registration page's history: one wording for both.
    "registration.created": _("Registered"),
    "registration.repeated": _("Registered again with the same address (sent their link)"),
    "registration.changed": _("Details changed"),
    "registration.confirmed": _("Confirmed their registration"),
    "registration.promoted": _("Moved up from the waiting list"),
    "registration.offered": _("Offered a seat from the waiting list"),
    "registration.offer_taken": _("Took the offered seat"),
    "registration.offer_lapsed": _("Offered seat not taken in time"),
    "registration.cancelled": _("Registration cancelled"),
    "registration.released": _("Held seat released (not confirmed in time)"),
    "registration.link_resent": _("New personal link sent"),
    "registration.colleague_added": _("Registered a colleague from their personal page"),
    "registration.erased_by_person": _("Personal data erased at the person's own request"),
    "registration.links_revoked": _("Personal links revoked"),
    "invitation_list.imported": _("Invitation list imported"),
    "suppression.added": _("Address added to the do-not-mail list"),
    "checkin.checked_in": _("Checked in at the door"),
    "checkin.undone": _("Check-in undone"),
    "checkin.book_handed": _("Book handed out at the door"),
    "checkin.book_undone": _("Book hand-out undone"),
    "checkin.walk_in": _("Added at the door (walk-in) and checked in"),
    "checkin.walk_in_beyond_capacity": _("Given a seat beyond capacity at the door"),
    "registration.confirmed_at_door": _("Confirmed at the door"),
    "checkin.corrected": _("Marked as arrived afterwards (attendance corrected)"),
    "checkin.corrected_absent": _("Marked as not arrived afterwards (attendance corrected)"),
    "attendance.closed": _("Attendance closed (no-shows are final)"),
    "attendance.reopened": _("Attendance reopened"),
    "event.imported": _("Event created from an invitation"),
    "event.created": _("Event created"),
    "event.changed": _("Event changed"),
    "event.overbooking_changed": _("Overbooking changed"),
    "event.published": _("Event published"),
    "event.cancelled": _("Event cancelled"),
    "event.cloned": _("Event copied to a new date"),
    "event.change_announced": _("Attendees told of a new time or place"),
    "event.registration_closed": _("Registration closed early"),
    "event.registration_reopened": _("Registration reopened"),
    "event.door_list_printed": _("Door list printed (PDF)"),
    "event.badges_printed": _("Name badges printed (PDF)"),
    "series.created": _("Series created"),
    "organisation.updated": _("Organisation's settings changed"),
    "catering.plan_changed": _("Venue contact or book margin changed"),
    "catering.frozen": _("Catering list frozen"),
    "catering.sent": _("Catering list sent to the venue"),
    "retention.ran": _("Personal data erased on schedule (retention)"),
    "registrations.exported": _("Registrations exported"),
    "member.added": _("Member added"),
    "member.role_changed": _("Member's role changed"),
    "member.removed": _("Member removed"),
    "member.invited": _("Member invited"),
    "member.invitation_accepted": _("Invitation to join accepted"),
    "member.invitation_withdrawn": _("Invitation to join withdrawn"),
    "member.door_events_set": _("Door staff's events changed"),
    "announcement.sent": _("Message sent to attendees"),
    "followup.sent": _("Follow-up e-mail sent after the event"),
    "feedback.given": _("Gave feedback after the event"),
    "feedback.changed": _("Changed their feedback"),
    "contact.consented": _("Asked for future invitations (consent recorded)"),
    "contact.withdrawn": _("No more invitations (consent withdrawn, contact deleted)"),
    "organisation.retention_changed": _("Retention periods changed"),
    "lead.recorded": _("Said yes to being contacted by the local representative (lead recorded)"),
    "lead.withdrawn": _("No contact wanted any more (lead deleted)"),
    "lead.contacted": _("Lead marked contacted"),
    "lead.contact_undone": _("Lead marked not contacted again"),
    "leads.exported": _("Leads exported"),
    "suppression.removed": _("Address taken off the do-not-mail list"),
    "suppression.lifted": _("Unsubscribe lifted: the person asked for invitations again"),
    "suppressions.exported": _("Do-not-mail list exported"),
    "invitations.erased_by_person": _("Invitation data erased at the person's own request"),
    "invitation.sent": _("Invitation e-mail sent to an invitation list"),
    "invitation.reminder_changed": _("Reminder to those who have not answered changed"),
    "invitation.declined": _("Declined an invitation"),
}

# Details of an entry safe to show (never names or special-category values, whatever a caller logs).
SHOWN_DETAILS = {
    "status": _("status"),
    "role": _("role"),
    "audience": _("recipients"),
    "recipients": _("number of recipients"),
    "warnings": _("warnings"),
    "format": _("format"),
    "columns": _("columns"),
    "rows": _("rows"),
    # suppression.*: why the address is (was) on the do-not-mail list, never the address.
    "reason": _("reason"),
    # retention.ran: how many of each kind went (counts only).
    "events": _("events"),
    "needs": _("diets and needs erased"),
    "catering_notes": _("catering lists' diet notes erased"),
    "membership": _("membership answers erased"),
    "cancelled": _("cancelled registrations anonymised"),
    "links": _("personal links deleted"),
    "identity": _("registrations anonymised"),
    "failed_mail_bodies": _("failed e-mails' texts erased"),  # in runs before it was dropped
    "old_mail": _("old e-mails' recipients erased"),
    "leads": _("leads deleted"),
    "invitee_membership": _("invitees' membership values erased"),
    "invitees": _("invitees erased (with their invitation links)"),
    "kept_on_list": _("kept on the do-not-mail list"),
    # event.overbooking_changed: the numbers.
    "overbooking_before": _("overbooking before"),
    "overbooking": _("overbooking"),
    "capacity": _("seats"),
}


_VALUE_LABELS = {"status": Status, "role": Role, "audience": Audience, "reason": SuppressionReason}


def action_label(action: str) -> str:
    """The action in words; one logged before it had a label reads as "Other change (name)"."""
    label = ACTION_LABELS.get(action)
    return str(label) if label else _("Other change (%(action)s)") % {"action": action}


def shown_details(data: dict) -> list[tuple[str, str]]:
    """The whitelisted details of an entry, in words: [(label, value)]."""
    details = []
    for key, label in SHOWN_DETAILS.items():
        if key not in (data or {}):
            continue
        value = data[key]
        choices = _VALUE_LABELS.get(key)
        if key == "columns" and isinstance(value, list):
            value = ", ".join(str(CATALOGUE[name].label) if name in CATALOGUE else name for name in value)
        elif choices is not None and value in choices.values:
            value = choices(value).label
        details.append((str(label), str(value)))
    return details
