from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Retention, erasure and the person's own access to their data (GDPR art. 5(1)(e), 15, 17)."""

    name = "frukost.privacy"
    verbose_name = _("Privacy")

    def ready(self):
        # The worker (in registrations, below this app) runs it once a day through core's registry.
        from frukost.core.periodic import register_daily
        from frukost.privacy.retention import run_daily

        register_daily("retention", run_daily)
