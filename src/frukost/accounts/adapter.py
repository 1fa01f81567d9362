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

    def login(self, request, user) -> None:
        """Sign in; for a person without two-factor yet, the password just typed counts as a recent
        confirmation, so that setting up two-factor (which asks for one) does not ask again.

        Later confirmations (before an export, before turning two-factor off) still ask once the
        ACCOUNT_REAUTHENTICATION_TIMEOUT has passed.
        """
        from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
        from allauth.mfa.utils import is_mfa_enabled

        super().login(request, user)
        if is_mfa_enabled(user):
            return
        records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
        if isinstance(records, list) and records and records[-1].get("method") == "password":
            records[-1] = {**records[-1], "reauthenticated": True}
            request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records

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
