from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "frukost.invitations"
    label = "invitations"
    verbose_name = _("Invitations")

    def ready(self) -> None:
        from frukost.core.periodic import register_frequent
        from frukost.invitations import staging

        # Uploaded files not confirmed within an hour are deleted (they hold a member register).
        register_frequent("invitations.purge_uploads", staging.purge)

        # --- The invitation mail, its links, bounces and reminders (inv-send) ---
        from frukost.invitations.composer import render_invitation
        from frukost.invitations.links import discard_links_of, link_for_message
        from frukost.invitations.reminders import send_invitation_reminders
        from frukost.invitations.responses import suppress_bounced_invitation
        from frukost.mail.enums import MailKind
        from frukost.mail.renderers import register_link_hooks, register_renderer
        from frukost.mail.worker import register_bounce_hook

        kinds = [MailKind.INVITATION, MailKind.INVITATION_REMINDER]
        # After registrations (INSTALLED_APPS order), which registers a renderer for every kind.
        register_renderer(kinds, render_invitation)
        register_link_hooks(issue=link_for_message, discard=discard_links_of, kinds=kinds)
        register_bounce_hook(suppress_bounced_invitation)
        register_frequent("invitation_reminders", send_invitation_reminders)
        # --- end inv-send ---
