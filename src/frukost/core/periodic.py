"""Jobs the worker runs every round or once a day, registered by the apps that own them.

The worker lives in `registrations`, which must not import the apps above it (privacy's
retention is one): those apps register their job here in `AppConfig.ready()` and the worker
calls `run_due_daily_jobs()` in its housekeeping. Which day a job last ran is in the database
(`DailyRun`), claimed with a conditional UPDATE: restarts and several workers run it once a day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from frukost.core.models import DailyRun

logger = logging.getLogger("frukost.worker")

# name -> job(now) returning a small summary (logged; counts, never personal data).
_DAILY: dict[str, Callable[[dt.datetime], object]] = {}


def register_daily(name: str, job: Callable[[dt.datetime], object]) -> None:
    """Have the worker run `job(now)` once a day (the first housekeeping round of each day)."""
    _DAILY[name] = job


# name -> job(now) run every housekeeping round (about a minute): scheduled mail whose time is
# set in Stockholm (invitation reminders, claim windows running out). Each job must be safe to
# run by two workers at once (claim each person's mail with a conditional UPDATE).
_FREQUENT: dict[str, Callable[[dt.datetime], object]] = {}


def register_frequent(name: str, job: Callable[[dt.datetime], object]) -> None:
    """Have the worker run `job(now)` every housekeeping round."""
    _FREQUENT[name] = job


def run_frequent_jobs(*, now: dt.datetime | None = None) -> dict[str, object]:
    """Run every registered frequent job once. Returns name -> summary; a job that raises is
    logged and the others still run."""
    now = now or timezone.now()
    results: dict[str, object] = {}
    for name, job in _FREQUENT.items():
        try:
            results[name] = job(now)
        except Exception:
            logger.exception("job %s failed", name)
    return results


def daily_jobs() -> dict[str, Callable[[dt.datetime], object]]:
    return dict(_DAILY)


def claim_day(name: str, today: dt.date, now: dt.datetime) -> bool:
    """Whether this worker won the job for `today` (and so must run it)."""
    DailyRun.objects.get_or_create(name=name)
    return bool(
        DailyRun.objects.filter(Q(day__isnull=True) | Q(day__lt=today), name=name).update(
            day=today, started_at=now, finished_at=None
        )
    )


def run_due_daily_jobs(*, now: dt.datetime | None = None) -> dict[str, object]:
    """Run each registered job that has not run yet today (Stockholm). Returns name -> summary.

    A job that raises gives its day back, so the next round tries again (and logs again: a job
    that keeps failing should be loud).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    results: dict[str, object] = {}
    for name, job in _DAILY.items():
        if not claim_day(name, today, now):
            continue
        try:
            results[name] = job(now)
        except Exception:
            DailyRun.objects.filter(name=name, day=today).update(day=None)
            logger.exception("daily job %s failed", name)
            continue
        DailyRun.objects.filter(name=name).update(finished_at=timezone.now())
        logger.info("daily job %s ran: %s", name, results[name])
    return results
