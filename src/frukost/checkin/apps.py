from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "frukost.checkin"
    label = "checkin"
    verbose_name = _("Check-in")

    def ready(self) -> None:
        from frukost.checkin.codes import code_for_message
        from frukost.mail.renderers import register_checkin_code_hook

        register_checkin_code_hook(code_for_message)
