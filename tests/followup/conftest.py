from __future__ import annotations

import uuid

import pytest

from frukost.checkin import attendance
from frukost.checkin.services import check_in
from frukost.registrations.services import register
from tests.conftest import make_person


def seat(event, address, **details):
    return register(event=event, person=make_person(address, **details)).registration


def arrive(*registrations):
    for registration in registrations:
        check_in(registration=registration, actor=None, client_id=uuid.uuid4())


def make_breakfast(event_factory):
    """Anna (member) and Bo (not a member, English) came; Cecilia did not; attendance closed."""
    event = event_factory(capacity=10)
    anna = seat(event, "anna@example.se", first_name="Anna", last_name="Öberg", membership="member")
    bo = seat(event, "bo@example.se", first_name="Bo", last_name="Ek", membership="not_member", language="en")
    cecilia = seat(event, "cecilia@example.se", first_name="Cecilia", last_name="Ahl")
    arrive(anna, bo)
    attendance.close_attendance(event)
    event.people = {"anna": anna, "bo": bo, "cecilia": cecilia}
    return event


@pytest.fixture
def breakfast(event_factory, frozen):
    event = make_breakfast(event_factory)
    frozen("2029-05-17 10:00")  # the day after: mails after the event go once it is over
    return event
