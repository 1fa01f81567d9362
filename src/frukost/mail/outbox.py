from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from frukost.mail.exceptions import NotInTransaction
from frukost.mail.models import OutboxMessage


def enqueue(
    *,
    kind: str,
    to: str,
    subject: str = "",
    body_text: str = "",
    body_html: str = "",
    ics: bytes | str = b"",
    reply_to: str = "",
    registration=None,
) -> OutboxMessage:
    """Write a message to the outbox; the worker sends it once the transaction commits.

    Without a body the message is composed by the worker just before sending, by the renderer
    registered for its kind (see mail.renderers).

    Must be called inside the transaction of the change the message is about, so that a
    change that rolls back never e-mails anyone and one that commits always does. Raises
    NotInTransaction otherwise (a real check, not an assert: it holds under `python -O` too).
    """
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction("enqueue mail inside the transaction that causes it")
    if isinstance(ics, bytes):
        ics = ics.decode("utf-8")
    return OutboxMessage.objects.create(
        kind=kind,
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=ics,
        reply_to=reply_to,
        registration=registration,
        rendered_at=timezone.now() if body_text else None,
    )
