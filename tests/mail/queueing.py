"""Queue plain messages for the worker's tests: numbered recipients and subjects, one transaction."""

from __future__ import annotations

from django.db import transaction

from frukost.mail.enums import MailKind, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue


def queue_messages(count: int, *, priority: Priority, first: int = 0) -> list[OutboxMessage]:
    """`count` messages p{first}@example.se …: announcements if bulk, confirmations otherwise."""
    kind = MailKind.ANNOUNCEMENT if priority == Priority.BULK else MailKind.CONFIRMATION
    with transaction.atomic():
        return [
            enqueue(
                kind=kind, to=f"p{n}@example.se", subject=f"message {n}", body_text="hej", priority=priority
            )
            for n in range(first, first + count)
        ]
