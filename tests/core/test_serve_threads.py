"""The production server with two threads per worker (`frukost serve --server granian --threads 2`,
docs/deploy.md's unit), for real: registrations racing for the last seats never overbook, nothing
fails, and each visitor's thank-you page tells that visitor's own outcome (issue 10).

Two requests of one worker run at once in two threads with their own database connections; the
caches the worker keeps between requests (the event page's, the statements kept per connection,
the public URL matches) are shared by both threads.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.utils import translation

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from tests.core.processes import serving
from tests.core.test_serve_logs import _database_url
from tests.registrations.test_concurrency import post_registration

CLIENTS = 24
SEATS = 5


@pytest.fixture
def threaded_server(tmp_path):
    with serving(
        tmp_path,
        ["--server=granian", "--workers=1", "--threads=2"],
        database_url=_database_url(),
        FRUKOST_RATELIMIT_PER_IP="1000",  # every client is 127.0.0.1 here
        FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY="1000",
    ) as (base, _stdout, stderr):
        yield base, stderr


def _register(url: str, number: int, barrier: threading.Barrier) -> tuple[int, int, str]:
    """The form posted as tests/registrations/test_concurrency.py posts it, then the thank-you page."""
    with requests.Session() as session:
        posted = post_registration(session, url, number, barrier)
        thanks = session.get(url.rstrip("/") + "/tack/", timeout=60) if posted.status_code == 302 else None
        return posted.status_code, thanks.status_code if thanks else 0, thanks.text if thanks else ""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_threads_a_worker_race_for_the_last_seats_without_overbooking_or_mixing_visitors(
    threaded_server, event_factory
):
    base, stderr = threaded_server
    event = event_factory(capacity=SEATS)
    url = base + event.get_absolute_url()
    barrier = threading.Barrier(CLIENTS)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(lambda n: _register(url, n, barrier), range(CLIENTS)))

    assert [(posted, thanked) for posted, thanked, _page in answers] == [(302, 200)] * CLIENTS, (
        stderr.read_text()
    )
    statuses = {
        int(r.last_name.removeprefix("Nummer ")): r.status for r in Registration.objects.filter(event=event)
    }
    assert sorted(statuses.values()).count(Status.REGISTERED) == SEATS
    assert sorted(statuses.values()).count(Status.WAITLISTED) == CLIENTS - SEATS
    with translation.override("sv"):
        registered = translation.gettext("You are registered for %(title)s.") % {"title": event.title}
    # Each thank-you page shows its own visitor's outcome, never another's.
    for number, (_posted, _thanked, page) in enumerate(answers):
        assert (registered in page) == (statuses[number] == Status.REGISTERED), number
    assert "Traceback" not in stderr.read_text()
