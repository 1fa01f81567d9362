"""The production server with two threads per worker (`frukost serve --server granian --threads 2`,
docs/deploy.md's unit), for real: registrations racing for the last seats never overbook, nothing
fails, and each visitor's thank-you page tells that visitor's own outcome (issue 10).

Two requests of one worker run at once in two threads with their own database connections; the
caches the worker keeps between requests (the event page's, the statements kept per connection,
the public URL matches) are shared by both threads.
"""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.utils import translation

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from tests.core.test_serve_logs import FRUKOST, ROOT, _database_url
from tests.mail.conftest import free_port

CLIENTS = 24
SEATS = 5


@pytest.fixture
def threaded_server(tmp_path):
    port = free_port()
    stderr = tmp_path / "stderr.log"
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "FRUKOST_DATA_DIR": str(tmp_path / "var"),
        "FRUKOST_SECRET_KEY": "s" * 50,
        "FRUKOST_ALLOWED_HOSTS": "127.0.0.1",
        "FRUKOST_BASE_URL": f"http://127.0.0.1:{port}",
        "FRUKOST_SECURE_COOKIES": "0",  # plain http on loopback
        "FRUKOST_RATELIMIT_PER_IP": "1000",  # every client is 127.0.0.1 here
        "FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY": "1000",
        "DATABASE_URL": _database_url(),
    }
    command = [str(FRUKOST), "serve", "--server=granian", "--workers=1", "--threads=2", f"--port={port}"]
    with stderr.open("wb") as err:
        server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=err)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(base + "/", timeout=10)
                    break
                except requests.RequestException:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(stderr.read_text()) from None
                    time.sleep(0.2)
            yield base, stderr
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def _register(url: str, number: int, barrier: threading.Barrier) -> tuple[int, int, str]:
    with requests.Session() as session:
        page = session.get(url, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        barrier.wait(timeout=60)  # everyone posts at once
        posted = session.post(
            url,
            data={
                "csrfmiddlewaretoken": token,
                "first_name": "Person",
                "last_name": f"Nummer {number}",
                "email": f"person{number}@example.se",
                "membership": "undisclosed",
            },
            headers={"Referer": url},
            allow_redirects=False,
            timeout=60,
        )
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
