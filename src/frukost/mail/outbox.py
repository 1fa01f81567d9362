from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from frukost.core.inserts import build, insert
from frukost.mail.enums import MessageStatus, Priority
from frukost.mail.exceptions import NotInTransaction
from frukost.mail.models import OutboxMessage

logger = logging.getLogger(__name__)


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
    priority: Priority | int = Priority.TRANSACTIONAL,
    batch_id: int | None = None,
    list_unsubscribe: bool = False,
    ref_id: int | None = None,
) -> OutboxMessage | None:
    """Write a message to the outbox; the worker sends it once the transaction commits.

    Without a body the message is composed by the worker just before sending, by the renderer
    registered for its kind (see mail.renderers).

    Must be called inside the transaction of the change the message is about, so that a
    change that rolls back never e-mails anyone and one that commits always does. Raises
    NotInTransaction otherwise (a real check, not an assert: it holds under `python -O` too).

    An empty `to` (a walk-in who gave no address, an anonymised row) queues nothing and returns
    None: the callers skip such people themselves, this is the last guard.
    """
    _ensure_in_transaction()
    if not (to or "").strip():
        logger.warning("mail of kind %s not queued: no address", kind)
        return None
    if isinstance(ics, bytes):
        ics = ics.decode("utf-8")
    # The INSERT's SQL built once per process, and the instance made without Django's keyword
    # path (core.inserts), as OutboxMessage.objects.create would make and write it.
    return insert(
        build(
            OutboxMessage,
            kind=kind,
            to=to,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            ics=ics,
            reply_to=reply_to,
            registration=registration,
            priority=priority,
            batch_id=batch_id,
            list_unsubscribe=list_unsubscribe,
            ref_id=ref_id,
            rendered_at=timezone.now() if body_text else None,
        )
    )


def enqueue_batch(
    *,
    kind: str,
    recipients: Iterable[tuple[str, int | None] | tuple[str, int | None, int | None]],
    batch_id: int,
    reply_to: str = "",
    priority: Priority | int = Priority.BULK,
    list_unsubscribe: bool = False,
) -> int:
    """Write one message per (address, registration id[, ref id]) to the outbox, in a few INSERTs.

    The messages are composed by the worker (the renderer for `kind`) and, as bulk mail, sent
    after any transactional mail that is due. Must be called inside the transaction that
    records the send. Returns how many were queued; an empty address is left out.
    """
    _ensure_in_transaction()
    now = timezone.now()
    messages = [
        OutboxMessage(
            kind=kind,
            to=recipient[0],
            reply_to=reply_to,
            registration_id=recipient[1],
            ref_id=recipient[2] if len(recipient) > 2 else None,
            priority=priority,
            batch_id=batch_id,
            list_unsubscribe=list_unsubscribe,
            created_at=now,
            next_attempt_at=now,
        )
        for recipient in recipients
        if (recipient[0] or "").strip()
    ]
    OutboxMessage.objects.bulk_create(messages, batch_size=500)
    return len(messages)


def withdraw_queued(*, registration, kinds: Iterable[str], reason: str) -> int:
    """Mark queued (not yet claimed) messages of these kinds about a registration as skipped:
    what they say is no longer true. Returns how many were withdrawn."""
    return OutboxMessage.objects.filter(
        registration=registration, kind__in=list(kinds), status=MessageStatus.QUEUED
    ).update(
        status=MessageStatus.SKIPPED,
        last_error=f"no longer true: {reason}"[:2000],
        body_text="",
        body_html="",
        ics="",
    )


def _ensure_in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction("enqueue mail inside the transaction that causes it")
