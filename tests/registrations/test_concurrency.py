"""Registrations racing for the last seats through real HTTP requests never overbook."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration

CLIENTS = 50
SEATS = 5


def _register(url: str, number: int, barrier: threading.Barrier) -> int:
    with requests.Session() as session:
        return post_registration(session, url, number, barrier).status_code


def post_registration(session: requests.Session, url: str, number: int, barrier: threading.Barrier):
    """A new visitor's form, posted when every other client's is ready too; the POST's response."""
    page = session.get(url, timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    barrier.wait(timeout=60)  # everyone posts at once
    response = session.post(
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
    return response


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_for_the_last_seats_never_overbook(live_server, event_factory, settings):
    settings.FRUKOST_RATELIMIT_PER_IP = 1000  # every client is 127.0.0.1 here
    settings.FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY = 1000
    event = event_factory(capacity=SEATS)
    url = live_server.url + event.get_absolute_url()
    barrier = threading.Barrier(CLIENTS)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(lambda n: _register(url, n, barrier), range(CLIENTS)))

    assert statuses == [302] * CLIENTS  # no errors: every request got the thank-you redirect
    counts = {
        status: Registration.objects.filter(event=event, status=status).count()
        for status in (Status.REGISTERED, Status.WAITLISTED)
    }
    assert counts == {Status.REGISTERED: SEATS, Status.WAITLISTED: CLIENTS - SEATS}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_lock_the_race_overbooks(live_server, event_factory, monkeypatch):
    """Proves the test above can fail: with the event lock removed, the same race overbooks.

    Only on PostgreSQL: SQLite's IMMEDIATE transactions serialise writers on their own.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE; the lock cannot be removed there")
    import importlib
    import time

    from frukost.events.models import Event

    register_module = importlib.import_module("frukost.registrations.services.register")
    seats = importlib.import_module("frukost.registrations.services.seats")

    def unlocked_slow_count(event, email):
        unlocked = Event.objects.select_related("organisation").get(pk=event.pk)
        counted = seats.seats_taken_and_active(unlocked, email)
        time.sleep(0.05)  # widen the window between the check and the write
        return (unlocked, *counted)

    monkeypatch.setattr(register_module, "lock_event_rules_and_count", unlocked_slow_count)
    event = event_factory(capacity=SEATS)
    url = live_server.url + event.get_absolute_url()
    barrier = threading.Barrier(20)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda n: _register(url, n, barrier), range(20)))

    assert Registration.objects.filter(event=event, status=Status.REGISTERED).count() > SEATS
