from django.db import models
from django.utils.translation import gettext_lazy as _


class ListReason(models.TextChoices):
    """Why a catering list was frozen."""

    CLOSED = "closed", _("Registration closed")
    CHANGED = "changed", _("Figures changed after the list was sent")
    MANUAL = "manual", _("Sent by an organiser")


class VenueLanguage(models.TextChoices):
    SWEDISH = "sv", "Svenska"
    ENGLISH = "en", "English"
