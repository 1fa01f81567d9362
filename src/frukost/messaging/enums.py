from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who an announcement goes to, decided at the moment it is sent. Cancelled never."""

    ALL = "all", _("Everyone registered (seats and waiting list)")
    SEATED = "seated", _("Those with a seat")
    WAITING_LIST = "waiting_list", _("The waiting list")
    UNCONFIRMED_COLLEAGUES = "unconfirmed_colleagues", _("Colleagues who have not confirmed")
