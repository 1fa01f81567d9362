"""The background worker: sends the outbox and runs the registration housekeeping."""

from __future__ import annotations

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

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


def housekeeping() -> dict[str, int]:
    """Recover mail a crashed worker left, release expired colleague holds, send reminders (to
    colleagues, and the attendees' "still coming?"), freeze (and send) the catering lists of
    events whose registration has closed, and run the daily jobs the apps above registered
    (privacy's retention) if today's have not run yet."""
    # Rate-limit counters whose window has passed (the database backend; Redis expires its own).
    purge_expired()
    done = {
        "requeued": requeue_stuck(),
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


def run_once() -> dict[str, int]:
    """One round: housekeeping, then send what is due."""
    return {**housekeeping(), "sent": send_due()}


class Command(BaseCommand):
    help = "Send queued e-mail and run scheduled housekeeping until stopped (Ctrl-C or SIGTERM)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one round and exit (for cron or tests).")

    def handle(self, *args, once=False, **options):
        if once:
            self.stdout.write(str(run_once()))
            return
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("worker started; polling every %ss", settings.FRUKOST_WORKER_POLL_SECONDS)
        last_housekeeping = 0.0
        while not stopping:
            close_old_connections()
            try:
                if time.monotonic() - last_housekeeping >= HOUSEKEEPING_EVERY_SECONDS:
                    housekeeping()
                    last_housekeeping = time.monotonic()
                sent = send_due()
            except Exception:
                # A database hiccup must not kill the worker; the next round tries again.
                logger.exception("worker round failed")
                sent = 0
            if not sent:
                for _ in range(settings.FRUKOST_WORKER_POLL_SECONDS * 10):
                    if stopping:
                        break
                    time.sleep(0.1)
        logger.info("worker stopped")
