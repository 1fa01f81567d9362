from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Retention, erasure and the person's own access to their data (GDPR art. 5(1)(e), 15, 17)."""

    name = "frukost.privacy"
    verbose_name = _("Privacy")
