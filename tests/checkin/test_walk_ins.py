"""Walk-ins: someone who did not register is given a seat at the door and checked in at once."""

from __future__ import annotations

import pytest
from django.utils import translation

from frukost.accounts.exceptions import NotAllowed
from frukost.checkin.exceptions import EventFull, InvalidWalkIn, WalkInRefused
from frukost.checkin.models import CheckIn
from frukost.checkin.services import DoorCounts, door_counts, register_walk_in
from frukost.core.models import AuditLog
from frukost.events.enums import EventStatus
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_event, cancel_registration, register, update_event
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_the_door(frozen):
    """Move the clock to 07.42 on the event's morning (after any registering beforehand)."""
    return lambda: frozen("2029-05-16 07:42")


def _walk_in(event, actor, **overrides):
    fields = {"first_name": "Anna", "last_name": "Svensson", "workplace": "Kommunen", "language": "sv"}
    return register_walk_in(event=event, actor=actor, **{**fields, **overrides})


def test_walk_in_gets_a_confirmed_seat_and_is_checked_in_at_once(event_factory, staff_factory, at_the_door):
    event = event_factory(capacity=2)
    door = staff_factory("door", events=[event])

    at_the_door()
    with translation.override("sv"):
        result = _walk_in(event, door, email=" Anna.Svensson@Example.SE ")
        assert result.message == "Anna Svensson tillagd och incheckad kl. 07.42."

    registration = Registration.objects.get()
    assert (registration.status, registration.email, registration.workplace) == (
        Status.REGISTERED,
        "anna.svensson@example.se",
        "Kommunen",
    )
    assert registration.confirmed_at is not None
    assert (result.found, result.check_in.walk_in, result.check_in.checked_in_by) == (False, True, door)
    assert door_counts(event) == DoorCounts(arrived=1, expected=1, books=0, walk_ins=1)
    assert OutboxMessage.objects.count() == 0  # they are standing there: no confirmation mail
    assert list(
        AuditLog.objects.exclude(action__startswith="member.").order_by("id").values_list("action", flat=True)
    ) == [
        "registration.created",
        "checkin.walk_in",
    ]


def test_walk_in_without_an_address_is_never_mailed(event_factory, staff_factory, at_the_door, frozen):
    event = event_factory(capacity=5)
    register(event=event, person=make_person("bo@example.se", first_name="Bo"))
    OutboxMessage.objects.all().delete()
    organiser = staff_factory("organiser")

    at_the_door()
    walk_in = _walk_in(event, organiser).registration
    assert walk_in.email == ""
    # Everything that mails attendees afterwards: a change of place, the event cancelled, the
    # person's own cancellation. None of it may try to send to ''.
    update_event(event=event, changes={"venue_name": "Hotell Södra"}, actor=organiser)
    cancel_registration(registration=walk_in, actor=organiser)
    cancel_event(event=event, actor=organiser)

    assert OutboxMessage.objects.filter(to="").count() == 0
    assert OutboxMessage.objects.filter(registration=walk_in).count() == 0
    assert sorted(OutboxMessage.objects.values_list("to", "kind")) == [
        ("bo@example.se", "event_cancelled"),
        ("bo@example.se", "event_changed"),
    ]


def test_two_walk_ins_without_an_address_both_get_seats(event_factory, staff_factory, at_the_door):
    event = event_factory(capacity=5)
    door = staff_factory("door", events=[event])

    at_the_door()
    _walk_in(event, door)
    _walk_in(event, door, first_name="Bo", last_name="Ek")

    assert Registration.objects.filter(email="", status=Status.REGISTERED).count() == 2  # constraint skips ''


def test_an_address_already_registered_checks_that_person_in_instead(
    event_factory, staff_factory, at_the_door
):
    event = event_factory(capacity=5)
    anna = register(event=event, person=make_person("anna@example.se", first_name="Åsa")).registration
    door = staff_factory("door", events=[event])

    at_the_door()
    with translation.override("sv"):
        result = _walk_in(event, door, email="ANNA@example.se")
        again = _walk_in(event, door, email="anna@example.se")
        messages = (result.message, again.message)

    assert result.registration == anna and result.found and again.already
    assert result.check_in.walk_in is False  # registered beforehand: not a walk-in
    assert messages == (
        "Adressen var redan anmäld, för Åsa Svensson: incheckad kl. 07.42 i stället.",
        "Adressen tillhör Åsa Svensson, som redan var incheckad kl. 07.42.",
    )
    assert Registration.objects.count() == 1 and CheckIn.objects.count() == 1


def test_an_address_on_the_waiting_list_gets_the_free_seat_and_is_checked_in(
    event_factory, staff_factory, at_the_door
):
    event = event_factory(capacity=1)
    first = register(event=event, person=make_person("first@example.se")).registration
    bo = register(event=event, person=make_person("bo@example.se", first_name="Bo")).registration
    assert bo.status == Status.WAITLISTED
    cancel_registration(registration=first)  # bo is offered the seat ...
    bo.refresh_from_db()
    assert bo.has_open_offer

    # ... and comes to the door before taking it: the seat set aside for him is his.
    at_the_door()
    result = _walk_in(event, staff_factory("door", events=[event]), email="bo@example.se")

    bo.refresh_from_db()
    assert result.registration == bo and CheckIn.objects.get().registration == bo
    assert (bo.status, bo.offer_expires_at) == (Status.REGISTERED, None)


def test_full_event_refuses_door_staff_with_ask_an_organiser(event_factory, staff_factory, at_the_door):
    event = event_factory(capacity=1)
    register(event=event, person=make_person("bo@example.se"))
    door = staff_factory("door", events=[event])

    at_the_door()
    with translation.override("sv"), pytest.raises(EventFull) as refused:
        _walk_in(event, door)

    assert str(refused.value) == "Fullt – be en arrangör avgöra."
    assert refused.value.can_decide is False
    assert Registration.objects.count() == 1 and CheckIn.objects.count() == 0


def test_door_staff_cannot_give_a_seat_beyond_capacity_even_by_asking_the_service(
    event_factory, staff_factory, at_the_door
):
    event = event_factory(capacity=1)
    register(event=event, person=make_person("bo@example.se"))

    at_the_door()
    with pytest.raises(NotAllowed):
        _walk_in(event, staff_factory("door", events=[event]), beyond_capacity=True)

    assert Registration.objects.count() == 1


def test_organiser_may_give_a_seat_beyond_capacity_and_it_is_audited(
    event_factory, staff_factory, at_the_door
):
    event = event_factory(capacity=1)
    register(event=event, person=make_person("bo@example.se"))
    organiser = staff_factory("organiser")
    at_the_door()
    with pytest.raises(EventFull) as refused:
        _walk_in(event, organiser)
    assert refused.value.can_decide is True

    result = _walk_in(event, organiser, beyond_capacity=True)

    assert Registration.objects.filter(status=Status.REGISTERED).count() == 2  # over capacity, on purpose
    assert result.check_in.walk_in
    assert AuditLog.objects.filter(
        action="checkin.walk_in_beyond_capacity", registration_id=result.registration.pk
    ).exists()


def test_a_seat_beyond_capacity_is_not_audited_as_such_while_seats_are_free(
    event_factory, staff_factory, at_the_door
):
    event = event_factory(capacity=3)
    at_the_door()
    _walk_in(event, staff_factory("organiser"), beyond_capacity=True)
    assert not AuditLog.objects.filter(action="checkin.walk_in_beyond_capacity").exists()


def test_door_staff_not_given_the_event_and_other_organisations_are_refused(
    event_factory, staff_factory, organisation, at_the_door
):
    from frukost.events.models import Organisation

    event = event_factory()
    other = Organisation.objects.create(name="Annat förbund", slug="annat")
    at_the_door()
    with pytest.raises(NotAllowed):
        _walk_in(event, staff_factory("door"))  # door staff of the organisation, not given this event
    with pytest.raises(NotAllowed):
        _walk_in(event, staff_factory("owner", of=other))
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": "  "}, "first_name", "Skriv förnamnet."),
        ({"last_name": ""}, "last_name", "Skriv efternamnet."),
        (
            {"email": "anna@"},
            "email",
            "Skriv e-postadressen så här: namn@exempel.se, eller lämna fältet tomt.",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    event_factory, staff_factory, at_the_door, overrides, field, message
):
    event = event_factory()
    at_the_door()
    with translation.override("sv"), pytest.raises(InvalidWalkIn) as refused:
        _walk_in(event, staff_factory("door", events=[event]), **overrides)
    assert (refused.value.field, str(refused.value)) == (field, message)
    assert Registration.objects.count() == 0
    assert not AuditLog.objects.exclude(action__startswith="member.").exists()


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.CANCELLED])
def test_a_draft_or_cancelled_event_takes_no_walk_ins(event_factory, staff_factory, at_the_door, status):
    event = event_factory(status=status)
    at_the_door()
    with pytest.raises(WalkInRefused):
        _walk_in(event, staff_factory("organiser"))
    assert Registration.objects.count() == 0


def test_no_walk_ins_after_the_event_ended(event_factory, staff_factory, frozen):
    event = event_factory()
    frozen("2029-05-16 09:31")
    with translation.override("sv"), pytest.raises(WalkInRefused) as refused:
        _walk_in(event, staff_factory("organiser"))
    assert str(refused.value) == "Evenemanget är slut."
