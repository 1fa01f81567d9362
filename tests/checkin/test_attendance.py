"""Attendance: the funnel, no-shows only once the event's day is over, and a series' no-show rate."""

from __future__ import annotations

import uuid

import pytest

from frukost.checkin import attendance
from frukost.checkin.models import AttendanceClosing
from frukost.checkin.services import check_in, undo_check_in
from frukost.core.models import AuditLog
from frukost.core.periodic import run_due_daily_jobs
from frukost.events.enums import EventStatus
from frukost.events.models import Series
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, register, take_offered_seat
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db


def _seat(event, address, **names):
    return register(event=event, person=make_person(address, **names)).registration


def _arrive(*registrations):
    for registration in registrations:
        check_in(registration=registration, actor=None, client_id=uuid.uuid4())


@pytest.fixture
def breakfast(event_factory):
    """Four seats taken and one on the waiting list; two come, one cancels."""
    event = event_factory(capacity=4)
    anna = _seat(event, "anna@example.se", first_name="Anna", last_name="Öberg")
    bo = _seat(event, "bo@example.se", first_name="Bo", last_name="Ek")
    _seat(event, "cecilia@example.se", first_name="Cecilia", last_name="Ahl")
    david = _seat(event, "david@example.se", first_name="David", last_name="Berg")
    _seat(event, "erik@example.se", first_name="Erik")  # waiting list
    cancel_registration(registration=david)  # Erik is offered the seat, and takes it
    take_offered_seat(registration=Registration.objects.get(email="erik@example.se"))
    _arrive(anna, bo)
    return event


def test_the_funnel_counts_everyone_who_registered_the_confirmed_and_the_arrived(breakfast):
    figures = attendance.attendance(breakfast)

    assert (figures.registered, figures.confirmed, figures.arrived) == (5, 4, 2)
    assert figures.closed is False
    assert figures.no_shows is None and figures.no_show_rate is None  # not before the day is over


def test_after_closing_the_not_arrived_are_no_shows_by_name(breakfast):
    attendance.close_attendance(breakfast)

    figures = attendance.attendance(breakfast)
    assert figures.no_shows == 2
    assert figures.no_show_rate == pytest.approx(0.5)
    assert [r.first_name for r in attendance.no_shows(breakfast)] == ["Cecilia", "Erik"]
    assert [r.first_name for r in attendance.arrived(breakfast)] == ["Bo", "Anna"]


def test_a_late_check_in_corrects_a_no_show_and_an_undo_makes_one(breakfast):
    attendance.close_attendance(breakfast)
    cecilia = attendance.no_shows(breakfast).get(first_name="Cecilia")

    _arrive(cecilia)
    undo_check_in(registration=attendance.arrived(breakfast).get(first_name="Bo"), actor=None)

    assert sorted(r.first_name for r in attendance.no_shows(breakfast)) == ["Bo", "Erik"]


def test_closing_twice_keeps_the_first_and_reopening_makes_nobody_a_no_show(breakfast, staff_factory):
    organiser = staff_factory("organiser")
    first = attendance.close_attendance(breakfast, actor=organiser)
    again = attendance.close_attendance(breakfast)
    assert again.pk == first.pk and again.closed_by == organiser

    attendance.reopen_attendance(breakfast, actor=organiser)

    assert not attendance.no_shows(breakfast).exists()
    assert list(
        AuditLog.objects.filter(action__startswith="attendance.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "attendance.closed",
        "attendance.reopened",
    ]


def test_the_worker_closes_at_the_end_of_the_event_day_in_stockholm(breakfast, event_factory, frozen):
    unused_door = event_factory()  # nobody checked in there: left for the organiser
    _seat(unused_door, "fia@example.se")

    frozen("2029-05-16 23:59")
    run_due_daily_jobs()
    assert not AttendanceClosing.objects.exists()  # the day is not over yet

    frozen("2029-05-17 00:01")
    run_due_daily_jobs()
    assert list(AttendanceClosing.objects.values_list("event_id", flat=True)) == [breakfast.pk]


def test_the_day_ends_at_stockholm_midnight_across_daylight_saving(event_factory, frozen):
    # The last Sunday of October: 03:00 summer time becomes 02:00 winter time.
    event = event_factory(starts_at=stockholm(2029, 10, 28, 8), ends_at=stockholm(2029, 10, 28, 9, 30))
    _arrive(_seat(event, "anna@example.se"))

    assert attendance.close_finished_events(stockholm(2029, 10, 28, 23, 59)) == {"closed": 0}
    assert attendance.close_finished_events(stockholm(2029, 10, 29, 0, 0)) == {"closed": 1}


def _past_event(event_factory, series, day, *, seats, came, closed=True):
    event = event_factory(
        series=series,
        capacity=seats,
        starts_at=stockholm(2029, 3, day, 8),
        ends_at=stockholm(2029, 3, day, 9, 30),
    )
    people = [_seat(event, f"p{n}-{day}@example.se") for n in range(seats)]
    _arrive(*people[:came])
    if closed:
        attendance.close_attendance(event)
    return event


def test_the_series_rate_sums_the_last_closed_events_before_this_one(event_factory, organisation):
    series = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    _past_event(event_factory, series, 1, seats=10, came=0)  # sixth back: left out
    for day, seats, came in [(2, 10, 9), (3, 20, 19), (4, 10, 10), (5, 10, 8), (6, 50, 47)]:
        _past_event(event_factory, series, day, seats=seats, came=came)
    _past_event(event_factory, series, 7, seats=10, came=1, closed=False)  # still open: not counted
    cancelled = _past_event(event_factory, series, 8, seats=5, came=0)
    cancelled.status = EventStatus.CANCELLED
    cancelled.save()
    upcoming = event_factory(series=series, starts_at=stockholm(2029, 5, 16, 8))

    rate = attendance.series_no_show_rate(series, before=upcoming, last=5)

    assert (rate.events, rate.no_shows, rate.expected) == (5, 7, 100)
    assert rate.rate == pytest.approx(0.07)


def test_a_series_without_a_closed_event_has_no_rate(event_factory, organisation):
    series = Series.objects.create(organisation=organisation, name="Ny serie", slug="ny")
    _past_event(event_factory, series, 2, seats=3, came=3, closed=False)

    assert attendance.series_no_show_rate(series) is None


def test_attendance_of_many_events_is_two_queries(event_factory, organisation, django_assert_num_queries):
    series = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    events = [_past_event(event_factory, series, day, seats=3, came=2) for day in range(1, 9)]

    with django_assert_num_queries(2):
        figures = attendance.attendance_of_events(events)

    assert {f.arrived for f in figures.values()} == {2}
    assert set(figures) == {e.pk for e in events}


def test_walk_ins_arrive_but_were_never_expected(breakfast, staff_factory):
    from frukost.checkin.services import register_walk_in

    organiser = staff_factory("organiser")
    breakfast.capacity = 6
    breakfast.save()
    register_walk_in(event=breakfast, first_name="Gun", last_name="Walk", actor=organiser)
    attendance.close_attendance(breakfast)

    figures = attendance.attendance(breakfast)
    assert (figures.confirmed, figures.walk_ins, figures.expected, figures.arrived) == (5, 1, 4, 3)
    assert figures.no_shows == 2
    assert figures.no_show_rate == pytest.approx(0.5)  # 2 of the 4 expected, not of 5
