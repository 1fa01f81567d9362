"""Choices of the contacts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadKind(models.TextChoices):
    """Why the person was asked whether the organisation may contact them.

    Neither kind states a membership (special-category data, GDPR art. 9): the form asks both those
    who said they are not members and those who preferred not to say, and the representative is
    told only that the person came ("Attendee", value "not_member" for history's sake) or was
    brought along by a colleague, and that they said yes to being contacted.
    """

    NOT_MEMBER = "not_member", _("Attendee")
    COLLEAGUE = "colleague", _("Colleague brought along")


class SuppressionReason(models.TextChoices):
    """Why an address is on an organisation's do-not-mail list (no invitations, no reminders to them)."""

    # The person used the unsubscribe link (or their mail client's one-click button).
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    # The mail server refused the address for good (a 5xx answer): it cannot be delivered to.
    BOUNCED = "bounced", _("Undeliverable (hard bounce)")
    # An organiser added it (someone asked by phone, say).
    ADDED = "added", _("Added by an organiser")
