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
