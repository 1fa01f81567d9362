"""Claiming the outbox: the bulk rate for all workers together, SKIP LOCKED on PostgreSQL, and a
crash around the hand-over to the mail server (never a bulk message twice)."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from functools import partial

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection, transaction

from frukost.mail.enums import MessageStatus, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import HANDED_OVER_BEFORE_STOPPING, claim_bulk, claim_transactional, send_due
from tests.mail.backends import RecordingBackend
from tests.mail.queueing import queue_messages

START = dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC)


_queue = partial(queue_messages, priority=Priority.BULK)


@pytest.mark.django_db
def test_send_due_keeps_bulk_within_the_rate_and_confirmations_outside_it(settings, time_machine):
    settings.FRUKOST_MAIL_BULK_BATCH = 20
    settings.FRUKOST_MAIL_BULK_PER_MINUTE = 30
    time_machine.move_to(START, tick=False)
    _queue(100)

    first, second, third = send_due(), send_due(), send_due()
    _queue(1, priority=Priority.TRANSACTIONAL, first=500)
    with_confirmation = send_due()
    time_machine.move_to(START + dt.timedelta(seconds=61), tick=False)
    next_minute = send_due()

    assert (first, second, third, with_confirmation, next_minute) == (20, 10, 0, 1, 20)
    assert mail.outbox[30].subject == "message 500"
    assert OutboxMessage.objects.filter(status=MessageStatus.QUEUED).count() == 50


@pytest.mark.django_db
def test_send_due_without_a_bulk_rate_sends_a_batch_every_round(settings):
    settings.FRUKOST_MAIL_BULK_BATCH = 20
    settings.FRUKOST_MAIL_BULK_PER_MINUTE = 0
    _queue(45)

    assert [send_due(), send_due(), send_due()] == [20, 20, 5]


@pytest.mark.django_db(transaction=True)
def test_bulk_rate_holds_for_two_workers_together(settings):
    settings.EMAIL_BACKEND = "tests.mail.backends.RecordingBackend"
    RecordingBackend.reset(pause_seconds=0.002)
    settings.FRUKOST_MAIL_BULK_BATCH = 10
    settings.FRUKOST_MAIL_BULK_PER_MINUTE = 25
    _queue(100)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            for _round in range(6):
                send_due()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, name=f"worker-{n}") for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    assert len(RecordingBackend.sent) == 25
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 25


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SKIP LOCKED is PostgreSQL's")
def test_claim_skips_rows_another_worker_holds_instead_of_waiting():
    _queue(15, priority=Priority.TRANSACTIONAL)
    holding, done = threading.Event(), threading.Event()
    held: list[int] = []

    def other_worker() -> None:
        try:
            with transaction.atomic():
                held.extend(claim_transactional(5))
                holding.set()
                done.wait(30)  # its transaction (and the row locks) stay open meanwhile
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(10)
        begun = time.monotonic()
        mine = claim_transactional(10) + claim_transactional(10)
        waited = time.monotonic() - begun
    finally:
        done.set()
        thread.join(timeout=30)

    assert waited < 5  # no waiting for the other worker's locks
    assert len(held) == 5
    assert len(mine) == 10
    assert not set(mine) & set(held)


class _Killed(BaseException):
    """The worker process dies (SIGKILL, power): no `except Exception` in the worker sees it."""


class DiesAfterDelivering(EmailBackend):
    """Hands the message on (it reaches the recipient), then the worker dies before it records
    that the message was sent."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise _Killed


def _crash_after_hand_over(settings, time_machine, priority) -> OutboxMessage:
    settings.FRUKOST_MAIL_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(START, tick=False)
    [message] = _queue(1, priority=priority)
    settings.EMAIL_BACKEND = "tests.mail.test_claim.DiesAfterDelivering"
    with pytest.raises(_Killed):
        send_due()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message.refresh_from_db()
    assert (message.status, message.handed_over_at) == (MessageStatus.SENDING, START)
    # The next worker, after the message has been stuck long enough.
    time_machine.move_to(START + dt.timedelta(seconds=601), tick=False)
    call_command("worker", once=True, stdout=io.StringIO())
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_bulk_message_handed_over_before_a_crash_is_not_sent_again(settings, time_machine):
    message = _crash_after_hand_over(settings, time_machine, Priority.BULK)

    assert [m.subject for m in mail.outbox] == ["message 0"]
    assert (message.status, message.last_error) == (MessageStatus.FAILED, HANDED_OVER_BEFORE_STOPPING)
    assert "may have been delivered; not sent again" in message.last_error


@pytest.mark.django_db
def test_transactional_message_handed_over_before_a_crash_is_sent_again(settings, time_machine):
    message = _crash_after_hand_over(settings, time_machine, Priority.TRANSACTIONAL)

    # At least once: a person's own confirmation must arrive, even twice.
    assert [m.subject for m in mail.outbox] == ["message 0", "message 0"]
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)


@pytest.mark.django_db
def test_bulk_message_claimed_but_never_handed_over_is_sent_once_after_a_crash(settings, time_machine):
    settings.FRUKOST_MAIL_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(START, tick=False)
    [message] = _queue(1)
    # A worker claims it and dies before handing it to the mail server.
    assert claim_bulk(20) == [message.pk]

    time_machine.move_to(START + dt.timedelta(seconds=599), tick=False)
    call_command("worker", once=True, stdout=io.StringIO())
    early = list(mail.outbox)
    time_machine.move_to(START + dt.timedelta(seconds=601), tick=False)
    call_command("worker", once=True, stdout=io.StringIO())
    call_command("worker", once=True, stdout=io.StringIO())

    message.refresh_from_db()
    assert early == []
    assert [m.subject for m in mail.outbox] == ["message 0"]
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 2, "")
