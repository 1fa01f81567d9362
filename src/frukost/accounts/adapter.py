"""How django-allauth fits frukost: invitation-only accounts, mail through the outbox."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from frukost.mail.enums import MailKind
from frukost.mail.outbox import enqueue


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People join an organisation by an owner's invitation (accounts.services), never on their own.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's messages (password reset, …) in the outbox like every other e-mail.

        The worker delivers them with retries; the body (it carries a reset link) is blanked
        once sent.
        """
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in message.alternatives if mimetype == "text/html"), "")
        with transaction.atomic():
            enqueue(
                kind=MailKind.ACCOUNT,
                to=email,
                subject=message.subject,
                body_text=message.body,
                body_html=html,
            )
