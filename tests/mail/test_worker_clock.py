"""FRUKOST_WORKER_CLOCK=database on PostgreSQL: a worker whose own clock is years off still
sends what is due, waits out a retry and leaves another worker's fresh claim alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.models.functions import Now

from frukost.mail.enums import MailKind, MessageStatus, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue
from frukost.mail.worker import claim_bulk, requeue_stuck, send_due

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="the database's clock is used on PostgreSQL"
    ),
]

SKEWED = dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC)  # this worker's clock: years ahead


@pytest.fixture
def database_clock(settings, time_machine):
    settings.FRUKOST_WORKER_CLOCK = "database"
    time_machine.move_to(SKEWED, tick=False)


def _database_now() -> dt.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


def _queue(priority=Priority.TRANSACTIONAL) -> OutboxMessage:
    with transaction.atomic():
        return enqueue(
            kind=MailKind.CONFIRMATION,
            to="anna@example.se",
            subject="hej",
            body_text="hej",
            priority=priority,
        )


def test_database_clock_sends_a_new_message_and_stamps_it_with_the_database_time(database_clock):
    message = _queue()

    sent = send_due()

    message.refresh_from_db()
    assert sent == 1
    assert abs(message.claimed_at - _database_now()) < dt.timedelta(minutes=1)
    assert abs(message.handed_over_at - _database_now()) < dt.timedelta(minutes=1)


def test_database_clock_waits_out_a_retry_whatever_the_worker_clock_says(database_clock, settings):
    message = _queue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=1, next_attempt_at=Now() + dt.timedelta(minutes=5)
    )

    early = send_due()
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=Now() - dt.timedelta(seconds=1))
    due = send_due()

    assert (early, due) == (0, 1)


def test_database_clock_leaves_a_fresh_claim_alone_and_requeues_an_old_one(database_clock, settings):
    settings.FRUKOST_MAIL_STUCK_AFTER_SECONDS = 600
    message = _queue(Priority.BULK)
    assert claim_bulk(20) == [message.pk]  # another worker, just now by the database's clock

    fresh = requeue_stuck()
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=Now() - dt.timedelta(seconds=601))
    old = requeue_stuck()

    assert (fresh, old) == (0, 1)
    send_due()
    assert [m.subject for m in mail.outbox] == ["hej"]


def test_process_clock_would_take_the_fresh_claim_for_stuck(settings, time_machine):
    """The negative control: with each worker's own clock, a worker years ahead re-queues a
    message another worker claimed a moment ago (by the database's clock)."""
    settings.FRUKOST_WORKER_CLOCK = "database"
    message = _queue(Priority.BULK)
    assert claim_bulk(20) == [message.pk]
    settings.FRUKOST_WORKER_CLOCK = "process"
    time_machine.move_to(SKEWED, tick=False)

    assert requeue_stuck() == 1


def test_database_clock_counts_the_bulk_rate_by_the_database_time(database_clock, settings):
    settings.FRUKOST_MAIL_BULK_PER_MINUTE = 3
    for _ in range(5):
        _queue(Priority.BULK)

    first = send_due()
    OutboxMessage.objects.filter(status=MessageStatus.SENT).update(
        claimed_at=Now() - dt.timedelta(seconds=61)
    )
    second = send_due()

    assert (first, second) == (3, 2)
