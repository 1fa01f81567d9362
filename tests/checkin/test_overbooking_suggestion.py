"""The overbooking suggestion from the series' no-shows, and how the back office words it."""

from __future__ import annotations

import uuid

import pytest
from django.utils import translation

from frukost.backoffice.overbooking import overbooking_line, suggestion_hint
from frukost.checkin import attendance
from frukost.checkin.overbooking import overbooking_basis
from frukost.checkin.services import check_in
from frukost.events.models import Series
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db


def _past_event(event_factory, series, day, *, seats, came):
    event = event_factory(
        series=series,
        capacity=seats,
        starts_at=stockholm(2029, 3, day, 8),
        ends_at=stockholm(2029, 3, day, 9, 30),
    )
    people = [
        register(event=event, person=make_person(f"p{n}-{day}@example.se")).registration for n in range(seats)
    ]
    for registration in people[:came]:
        check_in(registration=registration, actor=None, client_id=uuid.uuid4())
    attendance.close_attendance(event)
    return event


@pytest.fixture
def series(organisation, event_factory):
    series = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    # 7 of 100 did not come over the last five events.
    for day, seats, came in [(2, 10, 9), (3, 20, 19), (4, 10, 10), (5, 10, 8), (6, 50, 47)]:
        _past_event(event_factory, series, day, seats=seats, came=came)
    return series


def test_the_suggestion_is_the_capacity_times_the_rate_rounded_down(event_factory, series):
    event = event_factory(series=series, capacity=60)

    basis = overbooking_basis(event)

    assert (basis.suggestion, basis.percent, basis.rate.events) == (4, 7, 5)  # 60 × 7 % = 4.2
    assert overbooking_basis(event, capacity=100).suggestion == 7  # exactly, not 6.999…


def test_the_suggestion_never_passes_half_the_seats(event_factory, organisation):
    series = Series.objects.create(organisation=organisation, name="Glesa", slug="glesa")
    _past_event(event_factory, series, 2, seats=10, came=1)

    assert overbooking_basis(event_factory(series=series, capacity=10)).suggestion == 5


def test_the_overview_line_with_history_in_swedish_and_english(event_factory, series):
    event = event_factory(series=series, capacity=60, overbooking=4)

    with translation.override("sv"):
        swedish = overbooking_line(event)
    with translation.override("en"):
        english = overbooking_line(event)

    assert swedish == "Överbokat med 4 platser (av 60) – utifrån att 7 % uteblev de senaste 5 gångerna"
    assert english == "Overbooked by 4 seats (of 60) – given that 7 % did not come the last 5 times"


def test_the_overview_line_without_history(event_factory, organisation):
    lonely = event_factory(capacity=60, overbooking=4)
    new_series = Series.objects.create(organisation=organisation, name="Ny", slug="ny")
    first = event_factory(series=new_series, capacity=10, overbooking=1)

    with translation.override("sv"):
        lines = [overbooking_line(lonely), overbooking_line(first), overbooking_line(event_factory())]

    assert lines == [
        "Överbokat med 4 platser (av 60) (ingen historik i serien)",
        "Överbokat med 1 plats (av 10) (ingen historik i serien)",
        "",
    ]


def test_the_form_hint_gives_the_suggestion_and_its_basis(event_factory, series, organisation):
    with translation.override("sv"):
        with_history = suggestion_hint(overbooking_basis(event_factory(series=series, capacity=60)))
        empty = Series.objects.create(organisation=organisation, name="Tom", slug="tom")
        no_history = suggestion_hint(overbooking_basis(event_factory(series=empty)))
        no_series = suggestion_hint(overbooking_basis(event_factory()))

    assert with_history == (
        "Förslag: 4 extra platser – utifrån att 7 % uteblev de senaste 5 gångerna i serien "
        "(7 % av 60 platser, avrundat nedåt)."
    )
    assert no_history == "Inget förslag än: inget tidigare evenemang i serien har sin närvaro avslutad."
    assert no_series == "Inget förslag: lägg evenemanget i en serie, så ger seriens uteblivna ett förslag."
