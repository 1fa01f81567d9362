from django.db import models
from django.utils.translation import gettext_lazy as _

from frukost.mail.enums import MailKind


class FollowUpKind(models.TextChoices):
    """The two mails after an event: each goes to a person at most once."""

    THANKS = "thanks", _("Thank you, to those who came")
    SORRY = "sorry", _("Sorry we missed you, to the no-shows")

    @property
    def mail_kind(self) -> str:
        return MailKind.FOLLOWUP_THANKS if self == FollowUpKind.THANKS else MailKind.FOLLOWUP_SORRY


RATINGS = (1, 2, 3, 4, 5)
