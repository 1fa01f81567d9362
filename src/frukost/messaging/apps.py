from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "frukost.messaging"
    label = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        from frukost.mail.enums import MailKind
        from frukost.mail.renderers import register_renderer
        from frukost.messaging.composer import render_announcement

        # After registrations (INSTALLED_APPS order), which registers a renderer for every kind.
        register_renderer([MailKind.ANNOUNCEMENT], render_announcement)
