"""How long a colleague's seat is held, whatever number of hours is stored or configured."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from frukost.events.models import Event
from frukost.registrations.services.seats import hold_until
from tests.conftest import stockholm

NOW = stockholm(2029, 4, 1, 10, 0)


def test_hold_until_with_a_huge_stored_value_stops_at_the_deadline(event):
    # The database refuses such a value now; the service must not overflow on one anyway.
    event.colleague_hold_hours = 10**12

    until = hold_until(event, stockholm(2029, 4, 20, 10, 0))

    assert until == stockholm(2029, 5, 2, 0, 0)  # the end of the deadline day


def test_hold_until_holds_at_most_thirty_days(event_factory, settings):
    settings.FRUKOST_COLLEAGUE_HOLD_HOURS = 10**12
    event = event_factory(registration_deadline=None)  # open until the start on 16 May

    until = hold_until(event, NOW)

    assert until == stockholm(2029, 5, 1, 10, 0)  # 720 hours


def test_hold_until_holds_at_least_an_hour(event):
    event.colleague_hold_hours = 0

    until = hold_until(event, NOW)

    assert until == stockholm(2029, 4, 1, 11, 0)


def test_hold_until_uses_the_events_own_hours(event):
    event.colleague_hold_hours = 5

    until = hold_until(event, NOW)

    assert until == stockholm(2029, 4, 1, 15, 0)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (721, "En plats kan hållas i högst 720 timmar (30 dagar)."),
        (0, "Kontrollera att detta värde är större än eller lika med 1."),
    ],
)
def test_event_validation_refuses_hold_hours_out_of_bounds(event, hours, message):
    event.colleague_hold_hours = hours

    with pytest.raises(ValidationError) as caught:
        event.full_clean()

    assert caught.value.message_dict == {"colleague_hold_hours": [message]}


@pytest.mark.parametrize("hours", [0, 721, 2**31 - 1])
def test_event_hold_hours_out_of_bounds_are_refused_by_the_database(event, hours):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(colleague_hold_hours=hours)

    event.refresh_from_db()
    assert event.colleague_hold_hours is None
