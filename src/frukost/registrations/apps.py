from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "frukost.registrations"
    label = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from frukost.mail.enums import MailKind
        from frukost.mail.renderers import register_link_hooks, register_renderer
        from frukost.registrations.links import discard_links_of, link_for_message
        from frukost.registrations.notifications import render_message

        register_renderer(list(MailKind), render_message)
        register_link_hooks(issue=link_for_message, discard=discard_links_of)

        from frukost.mail.worker import register_bounce_hook
        from frukost.registrations.bounces import suppress_bounced_registration

        register_bounce_hook(suppress_bounced_registration)
