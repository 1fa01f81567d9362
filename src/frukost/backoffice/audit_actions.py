"""Audit log action names in words (the msgids are English; Swedish comes from the catalogue).

An action missing here is shown by its name: other parts of frukost may log new ones first.
"""

from django.utils.translation import gettext_lazy as _

from frukost.accounts.enums import Role
from frukost.messaging.enums import Audience
from frukost.registrations.enums import Status

ACTION_LABELS = {
    # Also the registration page's history: one wording for both.
    "registration.created": _("Registered"),
    "registration.repeated": _("Registered again with the same address (sent their link)"),
    "registration.changed": _("Details changed"),
    "registration.confirmed": _("Confirmed their registration"),
    "registration.promoted": _("Moved up from the waiting list"),
    "registration.cancelled": _("Registration cancelled"),
    "registration.released": _("Held seat released (not confirmed in time)"),
    "registration.link_resent": _("New personal link sent"),
    "event.imported": _("Event created from an invitation"),
    "event.created": _("Event created"),
    "event.changed": _("Event changed"),
    "event.published": _("Event published"),
    "event.cancelled": _("Event cancelled"),
    "member.added": _("Member added"),
    "member.role_changed": _("Member's role changed"),
    "member.removed": _("Member removed"),
    "member.invited": _("Member invited"),
    "announcement.sent": _("Message sent to attendees"),
}

# Details of an entry safe to show (never names or special-category values, whatever a caller logs).
SHOWN_DETAILS = {
    "status": _("status"),
    "role": _("role"),
    "audience": _("recipients"),
    "recipients": _("number of recipients"),
    "warnings": _("warnings"),
}


_VALUE_LABELS = {"status": Status, "role": Role, "audience": Audience}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def shown_details(data: dict) -> list[tuple[str, str]]:
    """The whitelisted details of an entry, in words: [(label, value)]."""
    details = []
    for key, label in SHOWN_DETAILS.items():
        if key not in (data or {}):
            continue
        value = data[key]
        choices = _VALUE_LABELS.get(key)
        if choices is not None and value in choices.values:
            value = choices(value).label
        details.append((str(label), str(value)))
    return details
