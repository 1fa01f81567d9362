from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "frukost.followup"
    label = "followup"
    verbose_name = _("After the event")

    def ready(self) -> None:
        from frukost.followup.composer import render_followup
        from frukost.mail.enums import MailKind
        from frukost.mail.renderers import register_renderer

        # After registrations (INSTALLED_APPS order), which registers a renderer for every kind.
        register_renderer([MailKind.FOLLOWUP_THANKS, MailKind.FOLLOWUP_SORRY], render_followup)
