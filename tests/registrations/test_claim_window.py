"""The claim window: a freed seat is offered to the first in the queue, who has a set time to take
it (shorter as the event nears), or it passes to the next (registrations.services.waitlist)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from frukost.core.models import AuditLog
from frukost.events.enums import EventStatus
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations import queries
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import (
    EventNotOpen,
    NoFreeSeat,
    NoSeatOffered,
    OfferExpired,
    RegistrationClosed,
)
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    cancel_event,
    cancel_registration,
    offer_deadline,
    pass_on_lapsed_offers,
    register,
    take_offered_seat,
    update_event,
    waitlist,
)
from frukost.registrations.services.door import seat_at_door
from tests.conftest import make_person, outbox_for, stockholm, worker_keeps_up

pytestmark = pytest.mark.django_db


def _seat(event, address, **kwargs):
    return register(event=event, person=make_person(address, **kwargs)).registration


def _get(address):
    return Registration.objects.get(email=address)


def _kinds(address):
    """Every mail queued for the address, in order (whether or not still true when composed)."""
    return list(OutboxMessage.objects.filter(to=address).order_by("id").values_list("kind", flat=True))


# --- The window as a function of time to the event ----------------------------------------------


@pytest.mark.parametrize(
    ("now", "deadline"),
    [
        # A week or more before the event's day: 24 hours.
        ("2029-05-01 10:00", stockholm(2029, 5, 2, 10, 0)),
        ("2029-05-09 10:00", stockholm(2029, 5, 10, 10, 0)),
        # 3-6 days before: 12 hours.
        ("2029-05-10 10:00", stockholm(2029, 5, 10, 22, 0)),
        ("2029-05-13 10:00", stockholm(2029, 5, 13, 22, 0)),
        # 2 days before: 6 hours.
        ("2029-05-14 10:00", stockholm(2029, 5, 14, 16, 0)),
        # The day before: 2 hours (late at night still, and it ends by 07.00, an hour before 08.00).
        ("2029-05-15 10:00", stockholm(2029, 5, 15, 12, 0)),
        ("2029-05-15 23:30", stockholm(2029, 5, 16, 1, 30)),
        # The day itself: 1 hour, never later than an hour before the start.
        ("2029-05-16 05:00", stockholm(2029, 5, 16, 6, 0)),
        ("2029-05-16 06:15", stockholm(2029, 5, 16, 7, 0)),
        ("2029-05-16 06:30", stockholm(2029, 5, 16, 7, 0)),
    ],
)
def test_the_window_shrinks_as_the_event_nears(event, frozen, now, deadline):
    at = frozen(now)

    assert offer_deadline(event, at) == deadline


@pytest.mark.parametrize("now", ["2029-05-16 06:31", "2029-05-16 07:30", "2029-05-16 07:59"])
def test_with_less_than_half_an_hour_left_there_is_no_window(event, frozen, now):
    assert offer_deadline(event, frozen(now)) is None


@pytest.mark.parametrize(
    ("now", "deadline_utc", "real_hours"),
    [
        # Spring forward (25 March 2029, 02.00 -> 03.00): 10.00 Saturday to 10.00 Sunday, 23 hours.
        ("2029-03-24 10:00", dt.datetime(2029, 3, 25, 8, 0, tzinfo=dt.UTC), 23),
        # Fall back (28 October 2029, 03.00 -> 02.00): 10.00 Saturday to 10.00 Sunday, 25 hours.
        ("2029-10-27 10:00", dt.datetime(2029, 10, 28, 9, 0, tzinfo=dt.UTC), 25),
    ],
)
def test_a_window_across_daylight_saving_ends_at_the_same_clock_time(
    event_factory, frozen, now, deadline_utc, real_hours
):
    event = event_factory(starts_at=stockholm(2029, 11, 20, 8, 0), ends_at=stockholm(2029, 11, 20, 9, 30))
    at = frozen(now)

    deadline = offer_deadline(event, at)

    assert deadline == deadline_utc
    assert deadline - at == dt.timedelta(hours=real_hours)


def test_a_window_ending_in_the_missing_spring_hour_ends_after_it(event_factory, frozen):
    # The event at 08.00 on the morning the clocks go forward: at 01.30 the window is an hour,
    # and 02.30 does not exist that night; the offer runs until 03.30 (one real hour).
    event = event_factory(starts_at=stockholm(2029, 3, 25, 8, 0), ends_at=stockholm(2029, 3, 25, 9, 30))
    at = frozen("2029-03-25 01:30")

    deadline = offer_deadline(event, at)

    assert (deadline, deadline - at) == (
        dt.datetime(2029, 3, 25, 1, 30, tzinfo=dt.UTC),
        dt.timedelta(hours=1),
    )


# --- End to end ----------------------------------------------------------------------------------


def test_the_claim_window_end_to_end_offered_not_taken_offered_to_the_next_taken(event_factory, frozen):
    event = event_factory(registration_deadline=None, capacity=1)
    frozen("2029-04-20 09:00")
    anna = _seat(event, "anna@example.se")
    _seat(event, "bo@example.se")
    _seat(event, "cilla@example.se")

    # A seat is freed: offered to Bo, the first in the queue, for 24 hours.
    frozen("2029-05-02 10:00")
    cancel_registration(registration=anna)
    bo = _get("bo@example.se")
    assert (bo.status, bo.offered_at, bo.offer_expires_at) == (
        Status.WAITLISTED,
        stockholm(2029, 5, 2, 10, 0),
        stockholm(2029, 5, 3, 10, 0),
    )
    worker_keeps_up()
    [offer] = [m for m in outbox_for("bo@example.se") if m.kind == MailKind.SEAT_OFFERED]
    assert offer.subject == "En plats är ledig för dig: Chefsfrukost: Leda med tillit"
    assert "Ta den senast torsdag 3 maj 2029 kl. 10.00" in offer.body_text

    # Not taken in time: the worker passes it to Cilla, and tells Bo.
    frozen("2029-05-03 09:59")
    assert pass_on_lapsed_offers() == 0
    frozen("2029-05-03 10:00")
    assert pass_on_lapsed_offers() == 1
    bo.refresh_from_db()
    cilla = _get("cilla@example.se")
    assert (bo.status, bo.offer_expires_at, bo.offer_lapsed_at) == (
        Status.WAITLISTED,
        None,
        stockholm(2029, 5, 3, 10, 0),
    )
    assert (cilla.status, cilla.offer_expires_at) == (Status.WAITLISTED, stockholm(2029, 5, 4, 10, 0))
    assert _kinds("bo@example.se") == [MailKind.WAITLISTED, MailKind.SEAT_OFFERED, MailKind.OFFER_LAPSED]
    [lapsed] = [m for m in outbox_for("bo@example.se") if m.kind == MailKind.OFFER_LAPSED]
    assert lapsed.subject == "Platsen har gått vidare: Chefsfrukost: Leda med tillit"
    assert "Du står kvar på väntelistan." in lapsed.body_text
    with pytest.raises(OfferExpired):
        take_offered_seat(registration=bo)

    # Cilla takes it.
    frozen("2029-05-03 12:00")
    take_offered_seat(registration=cilla)

    cilla.refresh_from_db()
    assert (cilla.status, cilla.promoted_at, cilla.offer_expires_at) == (
        Status.REGISTERED,
        stockholm(2029, 5, 3, 12, 0),
        None,
    )
    assert _kinds("cilla@example.se") == [MailKind.WAITLISTED, MailKind.SEAT_OFFERED, MailKind.PROMOTED]
    actions = AuditLog.objects.filter(action__startswith="registration.offer").order_by("id")
    assert list(actions.values_list("action", flat=True)) == [
        "registration.offered",
        "registration.offer_lapsed",
        "registration.offered",
        "registration.offer_taken",
    ]


def test_taking_before_the_worker_passed_it_on_is_too_late_all_the_same(event_factory, frozen):
    event = event_factory(registration_deadline=None, capacity=1)
    frozen("2029-05-02 10:00")
    anna = _seat(event, "anna@example.se")
    bo = _seat(event, "bo@example.se")
    cancel_registration(registration=anna)

    frozen("2029-05-03 10:00")  # the deadline; the worker has not been round yet
    with pytest.raises(OfferExpired):
        take_offered_seat(registration=bo)

    bo.refresh_from_db()
    assert (bo.status, bo.has_open_offer) == (Status.WAITLISTED, True)  # the worker passes it on


def test_taking_twice_is_one_seat_and_one_mail(event_factory, frozen):
    event = event_factory(registration_deadline=None, capacity=1)
    frozen("2029-05-02 10:00")
    anna = _seat(event, "anna@example.se")
    bo = _seat(event, "bo@example.se")
    cancel_registration(registration=anna)
    worker_keeps_up()

    take_offered_seat(registration=bo)
    again = take_offered_seat(registration=bo)

    assert again.status == Status.REGISTERED
    assert _kinds("bo@example.se") == [MailKind.WAITLISTED, MailKind.SEAT_OFFERED, MailKind.PROMOTED]


def test_someone_never_offered_a_seat_cannot_take_one(event_factory):
    event = event_factory(registration_deadline=None, capacity=1)
    _seat(event, "anna@example.se")
    bo = _seat(event, "bo@example.se")

    with pytest.raises(NoSeatOffered):
        take_offered_seat(registration=bo)


def test_someone_whose_offer_passed_is_not_offered_again_but_may_take_a_seat_standing_free(
    event_factory, frozen
):
    event = event_factory(registration_deadline=None, capacity=1)
    frozen("2029-05-02 10:00")
    anna = _seat(event, "anna@example.se")
    bo = _seat(event, "bo@example.se")
    cancel_registration(registration=anna)
    frozen("2029-05-03 10:00")
    pass_on_lapsed_offers()

    # Nobody else waits: the seat stands free (the public page says so), and Bo is not mailed again.
    bo.refresh_from_db()
    assert (queries.taken_seats(event), bo.has_open_offer) == (0, False)
    assert _kinds("bo@example.se")[-1] == MailKind.OFFER_LAPSED
    take_offered_seat(registration=bo)
    bo.refresh_from_db()
    assert bo.status == Status.REGISTERED


def test_a_second_freed_seat_goes_past_the_one_whose_offer_passed(event_factory, frozen):
    event = event_factory(registration_deadline=None, capacity=2)
    frozen("2029-05-02 10:00")
    anna, bo = _seat(event, "anna@example.se"), _seat(event, "bo@example.se")
    _seat(event, "cilla@example.se")
    _seat(event, "dan@example.se")
    cancel_registration(registration=anna)
    frozen("2029-05-03 10:00")
    pass_on_lapsed_offers()  # Cilla lapsed, Dan offered

    cancel_registration(registration=bo)

    offered = set(queries.open_offers(event).values_list("email", flat=True))
    assert offered == {"dan@example.se"}  # nobody else is waiting but Cilla, who is not re-offered
    assert queries.taken_seats(event) == 1


# --- An offered seat is taken for every seat rule -------------------------------------------------


def test_an_offered_seat_is_taken_for_newcomers_colleagues_and_the_public_page(event_factory, colleague):
    event = event_factory(registration_deadline=None, capacity=1, max_colleagues=1)
    anna = _seat(event, "anna@example.se")
    _seat(event, "bo@example.se")
    cancel_registration(registration=anna)

    newcomer = register(
        event=event, person=make_person("cilla@example.se"), colleagues=[colleague("dan@example.se")]
    )

    assert newcomer.status == Status.WAITLISTED
    assert _get("dan@example.se").status == Status.WAITLISTED
    counted = queries.with_seat_counts(type(event).objects.filter(pk=event.pk)).get()
    assert (counted.seats_taken, counted.offered, queries.seats_left(event, counted.seats_taken)) == (1, 1, 0)


def test_an_offered_seat_is_not_a_walk_ins(event_factory, frozen):
    event = event_factory(registration_deadline=None, capacity=1)
    anna = _seat(event, "anna@example.se")
    _seat(event, "bo@example.se")
    frozen("2029-05-16 06:00")
    cancel_registration(registration=anna)  # offered to Bo until 07.00

    with pytest.raises(NoFreeSeat):
        seat_at_door(event=event, first_name="Eva", last_name="Ek", email="", actor=None)


def test_several_seats_freed_at_once_are_several_offers(event_factory):
    event = event_factory(registration_deadline=None, capacity=1)
    _seat(event, "anna@example.se")
    for address in ("bo@example.se", "cilla@example.se", "dan@example.se"):
        _seat(event, address)

    update_event(event=event, changes={"capacity": 3})

    assert list(queries.open_offers(event).values_list("email", flat=True)) == [
        "bo@example.se",
        "cilla@example.se",
    ]


def test_overbooking_counts_an_offer_against_the_seat_limit(event_factory):
    event = event_factory(registration_deadline=None, capacity=2, overbooking=1)
    _seat(event, "anna@example.se")
    _seat(event, "eva@example.se")
    _seat(event, "bo@example.se")  # the overbooked seat
    cilla = _seat(event, "cilla@example.se")
    assert cilla.status == Status.WAITLISTED

    cancel_registration(registration=_get("bo@example.se"))

    assert list(queries.open_offers(event).values_list("email", flat=True)) == ["cilla@example.se"]
    assert _seat(event, "dan@example.se").status == Status.WAITLISTED


# --- When there is no time, no event, or no mail --------------------------------------------------


def test_with_no_time_left_for_a_window_the_seat_goes_straight_to_the_first(event_factory, frozen):
    event = event_factory(registration_deadline=None, capacity=1)
    anna = _seat(event, "anna@example.se")
    _seat(event, "bo@example.se")
    frozen("2029-05-16 07:00")

    cancel_registration(registration=anna)

    bo = _get("bo@example.se")
    assert (bo.status, bo.offered_at) == (Status.REGISTERED, None)
    assert _kinds("bo@example.se") == [MailKind.WAITLISTED, MailKind.PROMOTED]


def test_offers_go_on_after_the_registration_deadline(event_factory, frozen):
    event = event_factory(capacity=1, registration_deadline=dt.date(2029, 5, 1))
    anna = _seat(event, "anna@example.se")
    _seat(event, "bo@example.se")
    frozen("2029-05-10 10:00")  # the form is closed

    cancel_registration(registration=anna)
    take_offered_seat(registration=_get("bo@example.se"))

    assert _get("bo@example.se").status == Status.REGISTERED


def test_cancelling_the_event_voids_the_offers(event_factory, frozen):
    event = event_factory(registration_deadline=None, capacity=1)
    anna = _seat(event, "anna@example.se")
    bo = _seat(event, "bo@example.se")
    cancel_registration(registration=anna)

    cancel_event(event=event)

    bo.refresh_from_db()
    assert bo.offer_expires_at is None
    with pytest.raises(EventNotOpen):
        take_offered_seat(registration=bo)
    # The offer queued before the cancellation is no longer true when the worker composes it.
    assert MailKind.SEAT_OFFERED in _kinds("bo@example.se")
    assert [m.kind for m in outbox_for("bo@example.se")] == [MailKind.EVENT_CANCELLED]


def test_an_event_moved_earlier_cuts_the_window_and_once_started_voids_it_without_mail(event_factory, frozen):
    event = event_factory(registration_deadline=None, capacity=1)
    frozen("2029-05-10 10:00")
    anna = _seat(event, "anna@example.se")
    bo = _seat(event, "bo@example.se")
    _seat(event, "cilla@example.se")
    cancel_registration(registration=anna)  # 12 hours: until 22.00

    update_event(
        event=event,
        changes={
            "doors_at": stockholm(2029, 5, 10, 11, 45),
            "starts_at": stockholm(2029, 5, 10, 12, 0),
            "ends_at": stockholm(2029, 5, 10, 13, 0),
        },
    )
    bo.refresh_from_db()
    assert bo.offer_expires_at == stockholm(2029, 5, 10, 11, 0)

    frozen("2029-05-10 12:05")  # started
    with pytest.raises(RegistrationClosed):
        take_offered_seat(registration=bo)
    assert pass_on_lapsed_offers() == 0
    bo.refresh_from_db()
    assert (bo.offer_expires_at, bo.offer_lapsed_at) == (None, None)
    assert _kinds("cilla@example.se") == [MailKind.WAITLISTED, MailKind.EVENT_CHANGED]  # no offer


def test_an_invited_colleague_is_offered_and_taking_gives_a_held_seat_to_confirm(
    event_factory, colleague, frozen
):
    event = event_factory(registration_deadline=None, capacity=1)
    frozen("2029-05-02 10:00")
    _seat(event, "anna@example.se")
    register(event=event, person=make_person("eva@example.se"), colleagues=[colleague("bo@example.se")])
    cancel_registration(registration=_get("anna@example.se"))  # Eva moves first ...
    cancel_registration(registration=_get("eva@example.se"))  # ... then gives it up

    bo = _get("bo@example.se")
    assert bo.has_open_offer
    take_offered_seat(registration=bo)

    bo.refresh_from_db()
    assert (bo.status, bo.is_confirmed, bo.hold_expires_at) == (
        Status.REGISTERED,
        False,
        stockholm(2029, 5, 5, 10, 0),
    )


def test_an_organisers_move_up_still_promotes_directly(event_factory, staff_factory):
    from frukost.registrations.services import promote_registration

    event = event_factory(registration_deadline=None, capacity=2)
    _seat(event, "anna@example.se")
    _seat(event, "eva@example.se")
    bo = _seat(event, "bo@example.se")
    update_event(event=event, changes={"overbooking": 1})  # offered to Bo
    promote_registration(registration=bo, actor=staff_factory("organiser"))

    bo.refresh_from_db()
    assert (bo.status, bo.offer_expires_at) == (Status.REGISTERED, None)


# --- Two workers at once -----------------------------------------------------------------------------


def test_the_job_is_registered_with_the_worker():
    from frukost.core import periodic

    assert "waitlist_offers" in periodic._FREQUENT


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_pass_each_lapsed_offer_on_once(event_factory, frozen, monkeypatch):
    events = [event_factory(registration_deadline=None, capacity=1) for _ in range(3)]
    frozen("2029-05-02 10:00")
    for number, event in enumerate(events):
        seated = _seat(event, f"seated{number}@example.se")
        _seat(event, f"first{number}@example.se")
        _seat(event, f"second{number}@example.se")
        cancel_registration(registration=seated)
    now = frozen("2029-05-03 10:00")
    real_due = waitlist.due_offers
    barrier = threading.Barrier(2)

    def slow_due(now):
        # Both workers have listed the same lapsed offers before either handles one.
        due = real_due(now)
        barrier.wait(timeout=30)
        time.sleep(0.1)
        return due

    monkeypatch.setattr(waitlist, "due_offers", slow_due)

    def worker(_):
        try:
            return pass_on_lapsed_offers(now=now)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(worker, range(2)))

    assert sum(counts) == 3
    for number in range(3):
        assert _kinds(f"first{number}@example.se").count(MailKind.OFFER_LAPSED) == 1
        assert _kinds(f"second{number}@example.se").count(MailKind.SEAT_OFFERED) == 1
    assert AuditLog.objects.filter(action="registration.offered").count() == 6


def test_nothing_is_offered_for_a_draft(event_factory):
    event = event_factory(registration_deadline=None, capacity=1, status=EventStatus.DRAFT)

    assert waitlist.promote_from_waiting_list(event=event) == []
