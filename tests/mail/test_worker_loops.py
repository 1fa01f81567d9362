"""`frukost worker`'s two loops: scheduled jobs run apart from the mail, and a dead jobs thread
is started again, so a slow or broken job never holds up a person's confirmation."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.db import transaction

from frukost.core import periodic
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue
from frukost.registrations.management.commands import worker as command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def frequent(monkeypatch, settings):
    """Only the test's own frequent jobs (and no daily ones); the worker polls quickly."""
    registry: dict = {}
    monkeypatch.setattr(periodic, "_FREQUENT", registry)
    monkeypatch.setattr(periodic, "_DAILY", {})
    settings.FRUKOST_WORKER_POLL_SECONDS = 0.2
    return registry


@pytest.fixture
def running():
    """Start a Worker in a thread; stopped (and joined) at the end of the test."""
    started: list[tuple[command.Worker, threading.Thread]] = []

    def start(**options) -> command.Worker:
        worker = command.Worker(**options)
        thread = threading.Thread(target=worker.run, name="test-worker")
        thread.start()
        started.append((worker, thread))
        return worker

    yield start
    for worker, thread in started:
        worker.stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive()


def _queue_confirmation() -> OutboxMessage:
    with transaction.atomic():
        return enqueue(
            kind=MailKind.CONFIRMATION, to="anna@example.se", subject="Du är anmäld", body_text="hej"
        )


def _wait_until_sent(message: OutboxMessage, *, within: float) -> float:
    """Seconds until the message was sent (fails after `within`)."""
    begun = time.monotonic()
    while time.monotonic() - begun < within:
        if OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.SENT:
            return time.monotonic() - begun
        time.sleep(0.05)
    raise AssertionError(f"not sent within {within} s")


def test_worker_sends_confirmation_while_a_scheduled_job_hangs(frequent, running):
    job_running, release = threading.Event(), threading.Event()

    def slow_import(now):
        job_running.set()
        release.wait(60)
        return {}

    frequent["slow_import"] = slow_import
    worker = running()
    try:
        assert job_running.wait(10)
        message = _queue_confirmation()

        waited = _wait_until_sent(message, within=10)

        assert waited < 5  # about one poll (0.2 s); generous for a busy machine
        assert [m.subject for m in mail.outbox] == ["Du är anmäld"]
        # The job was still running all along.
        assert not release.is_set() and worker.jobs_thread.is_alive()
    finally:
        release.set()


class _ThreadKilled(BaseException):
    """What no `except Exception` catches: the jobs thread itself dies."""


def test_worker_starts_a_dead_jobs_thread_again_and_mail_goes_on(frequent, running, monkeypatch, caplog):
    monkeypatch.setattr(command, "RESTART_AFTER_SECONDS", 0)
    calls = []
    ran_again = threading.Event()

    def fragile(now):
        calls.append(now)
        if len(calls) == 1:
            raise _ThreadKilled
        ran_again.set()
        return {}

    frequent["fragile"] = fragile
    worker = running()
    message = _queue_confirmation()

    assert ran_again.wait(15)
    _wait_until_sent(message, within=10)
    assert worker.jobs_started == 2
    assert "the scheduled jobs thread died" in caplog.text
    assert "the scheduled jobs thread had stopped; starting it again" in caplog.text


def test_worker_only_mail_runs_no_scheduled_job(frequent, running):
    ran = threading.Event()
    frequent["counting"] = lambda now: ran.set()
    worker = running(jobs=False)
    message = _queue_confirmation()

    _wait_until_sent(message, within=10)

    assert worker.jobs_thread is None
    assert not ran.is_set()


def test_worker_only_jobs_sends_no_mail(frequent, running):
    ran = threading.Event()
    frequent["counting"] = lambda now: ran.set()
    message = _queue_confirmation()

    running(mail=False)

    assert ran.wait(10)
    time.sleep(0.5)
    assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.QUEUED


def test_a_jobs_thread_that_ended_because_the_worker_is_stopping_is_not_started_again(caplog):
    # SIGTERM sets `stop` while the mail loop is between its look at `stop` and the supervision:
    # the jobs thread sees it and ends; that is a worker stopping, not a thread that died.
    worker = command.Worker()
    worker.jobs_thread = threading.Thread(target=lambda: None)
    worker.jobs_thread.start()
    worker.jobs_thread.join()
    worker.stop.set()

    worker._supervise_jobs()

    assert worker.jobs_started == 0
    assert "had stopped" not in caplog.text
