"""Choices of the invitations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListSource(models.TextChoices):
    FILE = "file", _("Imported file (CSV or Excel)")
    # The organisation's contacts who asked for future invitations (frukost.contacts.Contact).
    CONTACTS = "contacts", _("Contacts who asked for invitations")


class LinkPurpose(models.TextChoices):
    """What an invitation link may do; each purpose hashes its tokens in its own domain."""

    # Opens the event page with the registration form filled in from the list, and "I can't come".
    INVITE = "invite", _("Answer the invitation")
    # Puts the address on the organisation's do-not-mail list (a page with a button, and the
    # mail client's RFC 8058 one-click POST).
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe from invitations")
