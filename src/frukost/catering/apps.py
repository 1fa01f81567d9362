from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CateringConfig(AppConfig):
    name = "frukost.catering"
    label = "catering"
    verbose_name = _("Catering")
