from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImporterConfig(AppConfig):
    name = "frukost.importer"
    label = "importer"
    verbose_name = _("Invitation importer")
