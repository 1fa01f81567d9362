from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationState(models.TextChoices):
    """What the public page says about registration right now (derived, never stored)."""

    OPEN = "open", _("Open")
    FEW_LEFT = "few_left", _("Few seats left")
    WAITING_LIST = "waiting_list", _("Full, waiting list open")
    CLOSED = "closed", _("Registration closed")
    CANCELLED = "cancelled", _("Cancelled")
    DRAFT = "draft", _("Not published")
