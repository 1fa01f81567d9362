from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Composed just before sending, the message was no longer true (the person cancelled, was
    # moved up, …): not sent, not retried, and not a failure anyone has to look at.
    SKIPPED = "skipped", _("Not sent (no longer true)")


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Registration confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    COLLEAGUE_INVITATION = "colleague_invitation", _("Colleague asked to confirm")
    COLLEAGUE_REMINDER = "colleague_reminder", _("Colleague reminded to confirm")
    PROMOTED = "promoted", _("Moved up from the waiting list")
    CANCELLATION = "cancellation", _("Cancellation receipt")
    SEAT_RELEASED = "seat_released", _("Held seat released")
    PERSONAL_LINK = "personal_link", _("Personal link sent again")
    LINK_RESENT = "link_resent", _("Personal link sent by the organiser")
    EVENT_CHANGED = "event_changed", _("Event changed (time or place)")
    EVENT_CANCELLED = "event_cancelled", _("Event cancelled")
    # Days before the event, to everyone with a seat (registrations.services.reminders).
    STILL_COMING = "still_coming", _("Still coming? (before the event)")
    # The claim window (registrations.services.waitlist): a freed seat offered to the first in the
    # queue, to take by a deadline; and the short notice when the deadline passed untaken.
    SEAT_OFFERED = "seat_offered", _("A seat offered from the waiting list")
    OFFER_LAPSED = "offer_lapsed", _("Offered seat not taken in time")
    ANNOUNCEMENT = "announcement", _("Message from the organiser")
    # To the venue: headcount and diets, never names (frukost.catering).
    CATERING = "catering", _("Catering figures to the venue")
    # Sign-in mail for organisers (password reset): composed when queued.
    ACCOUNT = "account", _("Sign-in and access")
    MEMBER_INVITATION = "member_invitation", _("Invitation to join an organisation")
    # A person's own privacy requests (frukost.privacy): composed when queued, tied to no
    # registration row (the one erased, or all of an address's).
    ERASURE_RECEIPT = "erasure_receipt", _("Receipt: personal data erased")
    DATA_REQUEST = "data_request", _("Link to the data held about an address")
    # After the event (frukost.followup): a thank-you with the feedback link to those who came,
    # a "sorry we missed you" to the no-shows.
    FOLLOWUP_THANKS = "followup_thanks", _("Thank you for coming (with feedback form)")
    FOLLOWUP_SORRY = "followup_sorry", _("Sorry we missed you")
    # To the people on an invitation list (frukost.invitations): bulk, with an unsubscribe link
    # and the List-Unsubscribe headers; never to an address on the organisation's do-not-mail list.
    INVITATION = "invitation", _("Invitation")
    INVITATION_REMINDER = "invitation_reminder", _("Reminder to an invitation not yet answered")


# Kinds whose recipient is forgotten once the message is done with (sent, or failed for good):
# an erasure receipt must not leave the erased person's address behind in the outbox.
FORGET_RECIPIENT_KINDS = frozenset({MailKind.ERASURE_RECEIPT})

# Kinds that invite rather than inform about a person's own registration: each carries an
# unsubscribe link and the List-Unsubscribe headers (RFC 2369, RFC 8058 one-click), and none may
# go to an address on the organisation's do-not-mail list.
UNSUBSCRIBABLE_KINDS = frozenset({MailKind.INVITATION, MailKind.INVITATION_REMINDER})


class Priority(models.IntegerChoices):
    """Which mail the worker takes first: a person's own mail never waits behind a bulk send."""

    TRANSACTIONAL = 0, _("Transactional")
    BULK = 10, _("Bulk")
