from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Registration confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    COLLEAGUE_INVITATION = "colleague_invitation", _("Colleague asked to confirm")
    COLLEAGUE_REMINDER = "colleague_reminder", _("Colleague reminded to confirm")
    PROMOTED = "promoted", _("Moved up from the waiting list")
    CANCELLATION = "cancellation", _("Cancellation receipt")
    SEAT_RELEASED = "seat_released", _("Held seat released")
    PERSONAL_LINK = "personal_link", _("Personal link sent again")
    # Sign-in mail for organisers (password reset, invitations to join): composed when queued.
    ACCOUNT = "account", _("Sign-in and access")
