"""registrations.statistics: figures per event, registrations per Stockholm day, comparison."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    Answers,
    cancel_registration,
    confirm_colleague,
    register,
    take_offered_seat,
)
from frukost.registrations.statistics import DayCount, compare_events, event_statistics

pytestmark = pytest.mark.django_db


def _register_at(frozen, when, event, person, address, **kwargs):
    frozen(when)
    return register(event=event, person=person(address), **kwargs).registration


def test_event_statistics_counts_days_in_stockholm_across_daylight_saving_change(event, person, frozen):
    # Sweden moves to summer time at 02.00 on Sunday 25 March 2029. 00.30 on the 25th is still
    # the 24th in UTC, 00.30 on the 26th is the 25th in UTC: only Stockholm dates give 1, 2, 1.
    for number, when in enumerate(
        ["2029-03-24 23:30", "2029-03-25 00:30", "2029-03-25 23:30", "2029-03-26 00:30"]
    ):
        _register_at(frozen, when, event, person, f"p{number}@example.se")

    statistics = event_statistics(event, today=dt.date(2029, 3, 27))

    assert statistics.days == [
        DayCount(day=dt.date(2029, 3, 24), new=1, total=1),
        DayCount(day=dt.date(2029, 3, 25), new=2, total=3),
        DayCount(day=dt.date(2029, 3, 26), new=1, total=4),
        DayCount(day=dt.date(2029, 3, 27), new=0, total=4),
    ]
    assert (statistics.axis_start, statistics.axis_end, statistics.deadline) == (
        dt.date(2029, 3, 24),
        dt.date(2029, 5, 1),
        dt.date(2029, 5, 1),
    )


def test_event_statistics_days_stop_at_the_deadline_once_it_has_passed(event, person, frozen):
    _register_at(frozen, "2029-04-30 12:00", event, person, "anna@example.se")

    statistics = event_statistics(event, today=dt.date(2029, 6, 1))

    assert [day.day for day in statistics.days] == [dt.date(2029, 4, 30), dt.date(2029, 5, 1)]


def test_event_statistics_counts_fill_colleagues_waiting_list_and_cancellations(
    event_factory, person, colleague, frozen
):
    event = event_factory(capacity=3, max_colleagues=2)
    frozen("2029-04-02 09:00")
    anna = register(
        event=event,
        person=person("anna@example.se", membership="member"),
        colleagues=[colleague("bo@example.se"), colleague("cia@example.se", first_name="Cia")],
    ).registration
    register(event=event, person=person("dan@example.se", membership="not_member"))
    register(event=event, person=person("eva@example.se", membership="undisclosed"))
    bo = Registration.objects.get(email="bo@example.se")
    confirm_colleague(registration=bo, answers=Answers(membership="undisclosed"))
    cancel_registration(registration=Registration.objects.get(email="cia@example.se"))
    take_offered_seat(registration=Registration.objects.get(email="dan@example.se"))

    figures = event_statistics(event).figures

    # Seats: anna, bo, and dan (offered cia's seat when she cancelled, and took it); eva waits.
    assert Registration.objects.get(email="dan@example.se").status == Status.REGISTERED
    assert (figures.capacity, figures.seats_taken, figures.fill, figures.fill_percent) == (3, 3, 1.0, 100)
    assert (figures.waiting, figures.cancelled, figures.released, figures.registrations_total) == (1, 1, 0, 5)
    assert (figures.colleagues_brought, figures.colleagues_confirmed) == (2, 1)
    assert (figures.members, figures.not_members, figures.undisclosed, figures.unanswered) == (1, 1, 1, 0)
    assert anna.status == Status.REGISTERED


def test_event_statistics_without_registrations_has_no_days(event):
    statistics = event_statistics(event, today=dt.date(2029, 4, 1))

    assert (statistics.days, statistics.figures.seats_taken, statistics.axis_end) == (
        [],
        0,
        dt.date(2029, 5, 1),
    )


@pytest.mark.parametrize("days", [1, 3])
def test_event_statistics_query_count_is_flat(event_factory, person, frozen, days):
    counts = []
    for registrations in (1, 3):
        event = event_factory()
        for number in range(registrations):
            _register_at(
                frozen, f"2029-04-0{1 + number % days} 09:00", event, person, f"p{number}@example.se"
            )
        with CaptureQueriesContext(connection) as queries:
            event_statistics(event, today=dt.date(2029, 4, 5))
        counts.append(len(queries))

    assert counts == [2, 2]


def test_compare_events_gives_each_event_its_figures_in_one_query(event_factory, person, frozen):
    frozen("2029-04-02 09:00")
    later = event_factory(capacity=4, starts_at=dt.datetime(2029, 9, 1, 6, tzinfo=dt.UTC),
                          ends_at=dt.datetime(2029, 9, 1, 8, tzinfo=dt.UTC))  # fmt: skip
    first = event_factory(capacity=2)
    register(event=first, person=person("anna@example.se"))
    register(event=first, person=person("bo@example.se"))
    register(event=first, person=person("cia@example.se"))
    register(event=later, person=person("anna@example.se"))
    events = [later, first]

    with CaptureQueriesContext(connection) as queries:
        comparison = compare_events(events, include_membership=True)

    assert len(queries) == 1
    assert [row.event.pk for row in comparison.rows] == [first.pk, later.pk]
    assert [(r.figures.seats_taken, r.figures.waiting, r.figures.fill_percent) for r in comparison.rows] == [
        (2, 1, 100),
        (1, 0, 25),
    ]
    assert (comparison.include_membership, comparison.largest_capacity) == (True, 4)
