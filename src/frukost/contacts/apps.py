from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    """People who asked an organisation for future invitations: a consent of its own (GDPR art. 6(1)(a))."""

    name = "frukost.contacts"
    verbose_name = _("Contacts")
