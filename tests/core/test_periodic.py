import datetime as dt

import pytest

from frukost.core import periodic
from frukost.core.models import DailyRun
from tests.conftest import stockholm

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(monkeypatch):
    """Only the test's own jobs are registered."""
    registry = {}
    monkeypatch.setattr(periodic, "_DAILY", registry)
    return registry


def test_a_day_is_claimed_once_however_many_workers_ask():
    today, now = dt.date(2029, 5, 17), stockholm(2029, 5, 17, 0, 5)

    first, second = periodic.claim_day("retention", today, now), periodic.claim_day("retention", today, now)
    tomorrow = periodic.claim_day("retention", today + dt.timedelta(days=1), now + dt.timedelta(days=1))

    assert (first, second, tomorrow) == (True, False, True)


def test_daily_jobs_run_once_a_day_and_a_failed_one_is_tried_again(jobs, caplog):
    ran = []
    jobs["counting"] = lambda now: ran.append(now) or {"done": len(ran)}
    attempts = []

    def flaky(now):
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("the database went away")
        return {}

    jobs["flaky"] = flaky
    morning, evening = stockholm(2029, 5, 17, 0, 5), stockholm(2029, 5, 17, 21, 0)

    assert periodic.run_due_daily_jobs(now=morning) == {"counting": {"done": 1}}
    assert periodic.run_due_daily_jobs(now=evening) == {"flaky": {}}
    assert periodic.run_due_daily_jobs(now=evening) == {}

    assert (len(ran), len(attempts)) == (1, 2)
    assert "daily job flaky failed" in caplog.text
    assert DailyRun.objects.get(name="flaky").day == dt.date(2029, 5, 17)
