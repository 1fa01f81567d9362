"""Choices of the contacts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadKind(models.TextChoices):
    """Why the person was asked whether the organisation may contact them.

    This is the only trace of membership a lead keeps (the answer itself is special-category data,
    GDPR art. 9, and is erased with the registration): a non-member attendee, or a colleague brought
    along by someone else, who said yes to being contacted as such.
    """

    NOT_MEMBER = "not_member", _("Non-member")
    COLLEAGUE = "colleague", _("Colleague brought along")
