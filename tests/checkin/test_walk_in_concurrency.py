"""Two phones add a walk-in for the last seat at the same moment: one gets it, one is told it is full."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from frukost.checkin.exceptions import EventFull
from frukost.checkin.models import CheckIn
from frukost.checkin.services import register_walk_in
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import door as door_seats

PHONES = 2


def _race(event, users, monkeypatch, *, unlocked=False) -> list[str]:
    real_seats_taken = door_seats.seats_taken

    def slow_seats_taken(event):
        taken = real_seats_taken(event)
        time.sleep(0.2)  # widen the window between counting the seats and taking one
        return taken

    monkeypatch.setattr(door_seats, "seats_taken", slow_seats_taken)
    if unlocked:  # the negative control: the event lock switched off
        from frukost.events.models import Event

        monkeypatch.setattr(door_seats, "lock_event", lambda pk: Event.objects.get(pk=pk))
    barrier = threading.Barrier(PHONES)

    def add(number: int) -> str:
        try:
            barrier.wait(timeout=30)
            register_walk_in(
                event=event,
                first_name="Gäst",
                last_name=f"Nummer {number}",
                language="sv",
                actor=users[number],
            )
            return "seated"
        except EventFull:
            return "full"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        return sorted(pool.map(add, range(PHONES)))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_walk_ins_for_the_last_seat_get_one_seat(event_factory, staff_factory, monkeypatch, frozen):
    event = event_factory(capacity=1)
    users = [staff_factory("door", events=[event]) for _ in range(PHONES)]
    frozen("2029-05-16 07:42")

    answers = _race(event, users, monkeypatch)

    assert answers == ["full", "seated"]
    assert Registration.objects.filter(event=event, status=Status.REGISTERED).count() == 1
    assert CheckIn.objects.filter(walk_in=True).count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_event_lock_two_walk_ins_overbook(
    event_factory, staff_factory, monkeypatch, frozen
):
    """Proves the test above can fail. Only on PostgreSQL: SQLite's IMMEDIATE transactions
    serialise writers at BEGIN, lock or no lock."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE; the lock cannot be removed there")
    event = event_factory(capacity=1)
    users = [staff_factory("door", events=[event]) for _ in range(PHONES)]
    frozen("2029-05-16 07:42")

    answers = _race(event, users, monkeypatch, unlocked=True)

    assert answers == ["seated", "seated"]
    assert Registration.objects.filter(event=event, status=Status.REGISTERED).count() == 2
