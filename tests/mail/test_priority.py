"""Bulk mail (messages to attendees) never delays a registration's own mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from frukost.mail.enums import MailKind, MessageStatus, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue, enqueue_batch
from frukost.mail.worker import send_due

pytestmark = pytest.mark.django_db


def _queue_bulk(count: int) -> None:
    with transaction.atomic():
        for number in range(count):
            enqueue(
                kind=MailKind.ANNOUNCEMENT,
                to=f"p{number}@example.se",
                subject="Nyheter",
                body_text="hej",
                priority=Priority.BULK,
                batch_id=1,
            )


def test_send_due_sends_confirmation_queued_after_200_bulk_messages_first(settings):
    settings.FRUKOST_MAIL_BULK_BATCH = 20
    _queue_bulk(200)
    with transaction.atomic():
        enqueue(
            kind=MailKind.CONFIRMATION, to="anna@example.se", subject="Du är anmäld", body_text="välkommen"
        )

    sent = send_due()

    assert sent == 21
    assert mail.outbox[0].to == ["anna@example.se"]
    assert [m.to[0] for m in mail.outbox[1:]] == [f"p{number}@example.se" for number in range(20)]
    assert OutboxMessage.objects.filter(status=MessageStatus.QUEUED).count() == 180


def test_send_due_sends_bulk_in_batches_round_after_round(settings):
    settings.FRUKOST_MAIL_BULK_BATCH = 20
    _queue_bulk(45)

    rounds = [send_due(), send_due(), send_due(), send_due()]

    assert rounds == [20, 20, 5, 0]


def test_enqueue_batch_queues_one_bulk_message_per_recipient():
    with transaction.atomic():
        count = enqueue_batch(
            kind=MailKind.ANNOUNCEMENT,
            recipients=[("a@example.se", None), ("b@example.se", None)],
            batch_id=7,
        )

    rows = list(OutboxMessage.objects.order_by("to").values_list("to", "priority", "batch_id", "rendered_at"))
    assert count == 2
    assert rows == [("a@example.se", Priority.BULK, 7, None), ("b@example.se", Priority.BULK, 7, None)]


def test_enqueue_keeps_transactional_priority_by_default():
    with transaction.atomic():
        message = enqueue(kind=MailKind.CONFIRMATION, to="anna@example.se")

    assert (message.priority, message.batch_id) == (Priority.TRANSACTIONAL, None)
