from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "frukost.registrations"
    label = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from frukost.core.periodic import register_frequent
        from frukost.mail.enums import MailKind
        from frukost.mail.renderers import register_link_hooks, register_renderer
        from frukost.mail.worker import register_bounce_hook
        from frukost.registrations.bounces import suppress_bounced_registration
        from frukost.registrations.links import discard_links_of, link_for_message
        from frukost.registrations.notifications import render_message
        from frukost.registrations.services.waitlist import pass_on_lapsed_offers

        register_renderer(list(MailKind), render_message)
        register_link_hooks(issue=link_for_message, discard=discard_links_of)
        # Claim windows that ran out: the seat goes to the next in the queue (every worker round).
        register_frequent("waitlist_offers", lambda now: pass_on_lapsed_offers(now=now))
        # A hard bounce of mail about a registration puts the address on its organisation's
        # do-not-mail list (later imports show it).
        register_bounce_hook(suppress_bounced_registration)
