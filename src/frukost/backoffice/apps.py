from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "frukost.backoffice"
    verbose_name = _("Back office")

    def ready(self):
        from frukost.backoffice import signals  # noqa: F401 - connects the receivers
