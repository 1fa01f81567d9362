"""The outbox worker: crashed workers, concurrent workers, blanking, the worker command."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue
from frukost.mail.worker import claim, requeue_stuck, send_due
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.mail.backends import BrokenForSomeBackend, RecordingBackend
from tests.mail.conftest import messages


def round_summary(output) -> dict:
    """What one round printed, without the frequent jobs the apps above register (core.periodic)."""
    import ast

    from frukost.core import periodic

    summary = ast.literal_eval(output.getvalue().strip())
    return {key: value for key, value in summary.items() if key not in periodic._FREQUENT}


def _enqueue(count: int, *, to: str = "anna@example.se") -> list[OutboxMessage]:
    with transaction.atomic():
        return [
            enqueue(kind=MailKind.CONFIRMATION, to=to, subject=f"message {number}", body_text="hej")
            for number in range(count)
        ]


def test_requeue_stuck_sends_message_of_crashed_worker_once(event, person, settings, time_machine):
    settings.FRUKOST_MAIL_STUCK_AFTER_SECONDS = 600
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    register(event=event, person=person("anna@example.se"))
    [message] = messages(to="anna@example.se")
    # A worker claims the message and dies before delivering it.
    assert claim(message.pk, now=timezone.now())

    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 9, 59, tzinfo=dt.UTC), tick=False)
    early = send_due() + requeue_stuck()
    time_machine.move_to(dt.datetime(2029, 4, 2, 9, 10, 1, tzinfo=dt.UTC), tick=False)
    output = io.StringIO()
    call_command("worker", once=True, stdout=output)
    call_command("worker", once=True, stdout=io.StringIO())

    assert early == 0
    assert round_summary(output) == {
        "requeued": 1,
        "released": 0,
        "reminded": 0,
        "still_coming": 0,
        "catering": 0,
        "sent": 1,
    }
    assert [m.to for m in mail.outbox] == [["anna@example.se"]]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)


def test_requeue_stuck_fails_message_that_used_up_its_attempts(settings, db):
    settings.FRUKOST_MAIL_MAX_ATTEMPTS = 2
    [message] = _enqueue(1)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_at=long_ago, attempts=2
    )

    requeued = requeue_stuck()

    message.refresh_from_db()
    assert requeued == 0
    assert message.status == MessageStatus.FAILED
    assert message.last_error == "gave up after 2 attempts: worker stopped while sending"


def test_send_due_goes_on_after_unexpected_backend_error(settings, db):
    settings.EMAIL_BACKEND = "tests.mail.backends.BrokenForSomeBackend"
    BrokenForSomeBackend.sent = []
    [broken] = _enqueue(1, to="bo@broken.example")
    [fine] = _enqueue(1, to="anna@example.se")

    sent = send_due()

    broken.refresh_from_db()
    fine.refresh_from_db()
    assert sent == 1
    assert BrokenForSomeBackend.sent == ["anna@example.se"]
    assert fine.status == MessageStatus.SENT
    assert (broken.status, broken.attempts, broken.last_error) == (
        MessageStatus.QUEUED,
        1,
        "RuntimeError: backend bug",
    )
    assert broken.next_attempt_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_send_due_in_two_workers_sends_each_message_once(settings):
    settings.EMAIL_BACKEND = "tests.mail.backends.RecordingBackend"
    # Each thread's first hand-over waits for the other's: both take part on a busy machine too.
    RecordingBackend.reset(pause_seconds=0.005, meet=2)
    queued = _enqueue(40)
    start = threading.Barrier(2)
    counts: dict[str, int] = {}
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            counts[threading.current_thread().name] = send_due(limit=100)
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
    subjects = [subject for _thread, subject in RecordingBackend.sent]
    assert sorted(subjects) == sorted(m.subject for m in queued)
    assert sum(counts.values()) == 40
    # Both workers took part, so the race was real.
    assert {thread for thread, _subject in RecordingBackend.sent} == {"worker-1", "worker-2"}
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(MessageStatus.SENT, 1)}


def test_deliver_blanks_bodies_of_sent_message(event, person):
    register(event=event, person=person("anna@example.se"))
    [queued] = messages(to="anna@example.se")
    assert "/r/" in queued.body_text and "/r/" in queued.body_html and "BEGIN:VCALENDAR" in queued.ics

    send_due()

    [sent] = messages(to="anna@example.se")
    assert (sent.status, sent.body_text, sent.body_html, sent.ics) == (MessageStatus.SENT, "", "", "")
    assert sent.subject == "Du är anmäld: Chefsfrukost: Leda med tillit"
    assert sent.sent_at is not None
    assert "/r/" in mail.outbox[0].body


def test_worker_once_sends_reminder_then_releases_hold_and_moves_queue_up(
    event_factory, person, colleague, frozen
):
    event = event_factory(capacity=2)
    frozen("2029-04-20 10:00")
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    register(event=event, person=person("cilla@example.se", first_name="Cilla"))
    call_command("worker", once=True, stdout=io.StringIO())
    first = {m.pk for m in messages()}

    # The hold is 72 hours (until 23 April 10.00); the reminder is due half-way.
    frozen("2029-04-21 22:00")
    reminder_round = io.StringIO()
    call_command("worker", once=True, stdout=reminder_round)
    reminders = [(m.to, m.kind, m.status) for m in messages() if m.pk not in first]
    second = {m.pk for m in messages()}
    frozen("2029-04-23 10:00")
    release_round = io.StringIO()
    call_command("worker", once=True, stdout=release_round)
    released = sorted((m.to, m.kind, m.status) for m in messages() if m.pk not in second)

    assert round_summary(reminder_round) == {
        "requeued": 0,
        "released": 0,
        "reminded": 1,
        "still_coming": 0,
        "catering": 0,
        "sent": 1,
    }
    assert reminders == [("bo@example.se", MailKind.COLLEAGUE_REMINDER, MessageStatus.SENT)]
    assert round_summary(release_round) == {
        "requeued": 0,
        "released": 1,
        "reminded": 0,
        "still_coming": 0,
        "catering": 0,
        "sent": 2,
    }
    assert released == [
        ("bo@example.se", MailKind.SEAT_RELEASED, MessageStatus.SENT),
        ("cilla@example.se", MailKind.SEAT_OFFERED, MessageStatus.SENT),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.se",
        "bo@example.se",
        "bo@example.se",
        "bo@example.se",
        "cilla@example.se",
        "cilla@example.se",
    ]
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "anna@example.se": Status.REGISTERED,
        "bo@example.se": Status.RELEASED,
        "cilla@example.se": Status.WAITLISTED,  # offered Bo's seat (the claim window)
    }


def test_message_whose_registration_was_deleted_fails_instead_of_retrying(event, person):
    register(event=event, person=person("anna@example.se"))
    Registration.objects.all().delete()

    send_due()

    [message] = OutboxMessage.objects.all()
    assert (message.status, message.last_error) == (
        MessageStatus.FAILED,
        "the registration was deleted before the message was sent",
    )


def test_registration_request_only_queues_mail_and_the_worker_composes_it(event, person):
    register(event=event, person=person("anna@example.se"))

    [queued] = OutboxMessage.objects.all()
    assert (queued.rendered_at, queued.subject, queued.body_text) == (None, "", "")

    send_due()

    sent = OutboxMessage.objects.get()
    assert sent.status == MessageStatus.SENT
    assert sent.subject == "Du är anmäld: Chefsfrukost: Leda med tillit"
