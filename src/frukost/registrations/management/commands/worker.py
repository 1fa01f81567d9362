"""The background worker: sends the outbox and runs the scheduled jobs, apart from each other.

`frukost worker` runs two loops in one process, each in its own thread with its own database
connection: the **mail** loop (the main thread: re-queue stuck mail once a minute, then send what
is due, round after round) and the **jobs** loop (releasing holds, reminders, catering lists, the
apps' frequent and daily jobs, once a minute). A slow import, a retention run or a job that hangs
holds up only the jobs thread; a confirmation queued meanwhile goes out in the next mail round. A
jobs thread that dies is logged and started again. `--only mail` / `--only jobs` run one loop per
process (systemd units of their own); `--once` runs the jobs and then one mail round, in this
thread (for cron and tests). SIGTERM or Ctrl-C stops both loops after their current round.

On SQLite writers take turns: a job that holds a write transaction for long makes the mail
loop's next claim wait for it (up to the busy timeout, 20 s, then
the round is tried again). PostgreSQL has no such wait.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from frukost.catering.services import freeze_closed_catering_lists
from frukost.core.periodic import run_due_daily_jobs, run_frequent_jobs
from frukost.core.ratelimit import purge_expired
from frukost.mail.worker import requeue_stuck, send_due
from frukost.registrations.services import (
    release_expired_holds,
    remind_unconfirmed_colleagues,
    send_still_coming_reminders,
)

logger = logging.getLogger("frukost.worker")
HOUSEKEEPING_EVERY_SECONDS = 60
# How soon a jobs thread that died is started again (it may die again at once).
RESTART_AFTER_SECONDS = 5


def scheduled_jobs() -> dict[str, int]:
    """Release expired colleague holds, send reminders (to colleagues, and the attendees' "still
    coming?"), freeze (and send) the catering lists of events whose registration has closed, and
    run the jobs the apps above registered (frequent ones every round; daily ones, privacy's
    retention, if today's have not run yet)."""
    # Rate-limit counters whose window has passed (the database backend; Redis expires its own).
    purge_expired()
    done = {
        "released": release_expired_holds(),
        "reminded": remind_unconfirmed_colleagues(),
        # After releasing holds; Stockholm's 09:00 the event's own number of days before it.
        "still_coming": send_still_coming_reminders(),
        # After releasing holds: a seat held past the deadline is no longer counted.
        "catering": freeze_closed_catering_lists(),
    }
    # The apps above registrations register theirs (invitation reminders, claim windows).
    done.update(run_frequent_jobs())
    run_due_daily_jobs()  # logs what each job did (at most once a day each)
    return done


def housekeeping() -> dict[str, int]:
    """Recover mail a crashed worker left, then run the scheduled jobs (one thread, in order)."""
    return {"requeued": requeue_stuck(), **scheduled_jobs()}


def run_once() -> dict[str, int]:
    """One round: housekeeping, then send what is due."""
    return {**housekeeping(), "sent": send_due()}


class Worker:
    """The two loops and their supervision; `stop` (an Event) ends them.

    `mail` and `jobs` choose the loops; with both, the jobs loop runs in a thread of its own and
    the mail loop in the calling thread.
    """

    def __init__(self, *, mail: bool = True, jobs: bool = True, stop: threading.Event | None = None):
        self.mail, self.jobs = mail, jobs
        self.stop = stop or threading.Event()
        self.jobs_thread: threading.Thread | None = None
        self.jobs_started = 0  # how many times a jobs thread was started (restarts included)

    def run(self) -> None:
        logger.info(
            "worker started (%s); polling every %ss",
            " and ".join(name for name, on in (("mail", self.mail), ("jobs", self.jobs)) if on),
            settings.FRUKOST_WORKER_POLL_SECONDS,
        )
        try:
            if self.mail:
                self._mail_loop()
            else:
                self._jobs_loop()
        finally:
            self.stop.set()
            if self.jobs_thread is not None:
                # A job that hangs cannot be interrupted: the thread is a daemon and dies with the
                # process; its transaction, if any, is rolled back with the connection.
                self.jobs_thread.join(timeout=10)
                if self.jobs_thread.is_alive():
                    logger.warning("worker stopping while a scheduled job is still running")
            connection.close()
            logger.info("worker stopped")

    def _supervise_jobs(self) -> None:
        """Start the jobs thread, or start it again if it died (logged)."""
        if not self.jobs or not self.mail:
            return
        if self.jobs_thread is not None:
            if self.jobs_thread.is_alive():
                return
            if self.stop.is_set():
                # It ended because the worker is stopping (SIGTERM between the mail loop's look at
                # `stop` and this one): nothing died. Asked after is_alive(), so a thread that saw
                # `stop` and ended is never taken for a dead one.
                return
            if time.monotonic() - self._jobs_died_at < RESTART_AFTER_SECONDS:
                return
            logger.error("the scheduled jobs thread had stopped; starting it again")
        self.jobs_thread = threading.Thread(target=self._jobs_thread, name="frukost-jobs", daemon=True)
        self.jobs_started += 1
        self.jobs_thread.start()

    _jobs_died_at = 0.0

    def _jobs_thread(self) -> None:
        try:
            self._jobs_loop()
        except BaseException:
            self._jobs_died_at = time.monotonic()
            logger.exception("the scheduled jobs thread died")
        finally:
            connection.close()  # this thread's own connection

    def _jobs_loop(self) -> None:
        while not self.stop.is_set():
            close_old_connections()
            try:
                scheduled_jobs()
            except Exception:
                # A database hiccup must not stop the jobs; the next round tries again.
                logger.exception("scheduled jobs round failed")
            self.stop.wait(HOUSEKEEPING_EVERY_SECONDS)

    def _mail_loop(self) -> None:
        last_requeue = float("-inf")
        while not self.stop.is_set():
            self._supervise_jobs()
            close_old_connections()
            sent = 0
            try:
                if time.monotonic() - last_requeue >= HOUSEKEEPING_EVERY_SECONDS:
                    requeue_stuck()
                    last_requeue = time.monotonic()
                sent = send_due()
            except Exception:
                # A database hiccup must not kill the worker; the next round tries again.
                logger.exception("mail round failed")
            if not sent:
                self.stop.wait(settings.FRUKOST_WORKER_POLL_SECONDS)


class Command(BaseCommand):
    help = "Send queued e-mail and run the scheduled jobs until stopped (Ctrl-C or SIGTERM)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run the jobs and one mail round, then exit (for cron or tests).",
        )
        parser.add_argument(
            "--only",
            choices=["mail", "jobs"],
            help="Run only the mail loop or only the scheduled jobs (one process each); default both.",
        )

    def handle(self, *args, once=False, only=None, **options):
        if once:
            if only == "mail":
                done = {"requeued": requeue_stuck(), "sent": send_due()}
            elif only == "jobs":
                done = scheduled_jobs()
            else:
                done = run_once()
            self.stdout.write(str(done))
            return
        worker = Worker(mail=only != "jobs", jobs=only != "mail")

        def stop(signum, frame):
            # Set from another thread: the handler runs in the main thread, which may be inside
            # the Event's own lock (waiting on it), and setting it here could deadlock.
            threading.Thread(target=worker.stop.set, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        worker.run()
