import pytest

from frukost.registrations.enums import Status
from frukost.registrations.exceptions import NotActive, SeatReleased
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    Answers,
    add_colleague,
    cancel_registration,
    confirm_colleague,
    register,
    release_expired_holds,
    remind_unconfirmed_colleagues,
    take_offered_seat,
)
from tests.conftest import outbox_for, stockholm, worker_keeps_up

pytestmark = pytest.mark.django_db


def test_cancel_frees_the_seat_for_the_first_on_the_waiting_list(event_factory, person):
    event = event_factory(capacity=1)
    anna = register(event=event, person=person("anna@example.se")).registration
    register(event=event, person=person("bo@example.se"))
    register(event=event, person=person("cilla@example.se"))
    worker_keeps_up()

    cancel_registration(registration=anna)

    # Offered first (the claim window), then taken.
    bo = Registration.objects.get(email="bo@example.se")
    assert (bo.status, bo.offer_expires_at is not None) == (Status.WAITLISTED, True)
    worker_keeps_up()  # the offer is mailed: its link is how Bo takes it
    take_offered_seat(registration=bo)
    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.CANCELLED,
        "bo@example.se": Status.REGISTERED,
        "cilla@example.se": Status.WAITLISTED,
    }
    assert [m.kind for m in outbox_for("anna@example.se")] == ["confirmation", "cancellation"]
    assert [m.kind for m in outbox_for("bo@example.se")] == ["waitlisted", "seat_offered", "promoted"]


def test_cancel_from_the_waiting_list_moves_nobody(event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))
    bo = register(event=event, person=person("bo@example.se")).registration
    register(event=event, person=person("cilla@example.se"))

    cancel_registration(registration=bo)

    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.REGISTERED,
        "bo@example.se": Status.CANCELLED,
        "cilla@example.se": Status.WAITLISTED,
    }
    assert [m.kind for m in outbox_for("cilla@example.se")] == ["waitlisted"]


def test_cancel_twice_is_refused(event, person):
    anna = register(event=event, person=person("anna@example.se")).registration
    cancel_registration(registration=anna)

    with pytest.raises(NotActive):
        cancel_registration(registration=anna)


def test_cancel_leaves_the_colleagues_registrations_alone(event, person, colleague):
    anna = register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    cancel_registration(registration=anna.registration)

    assert Registration.objects.get(email="bo@example.se").status == Status.REGISTERED


def test_nobody_moves_up_once_the_event_has_started(event_factory, person, frozen):
    event = event_factory(capacity=1)
    frozen("2029-04-01 10:00")
    anna = register(event=event, person=person("anna@example.se")).registration
    register(event=event, person=person("bo@example.se"))

    frozen("2029-05-16 08:05")
    cancel_registration(registration=anna)

    assert Registration.objects.get(email="bo@example.se").status == Status.WAITLISTED


def test_confirm_colleague_records_their_own_answers(event, person, colleague):
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    bo = Registration.objects.get(email="bo@example.se")

    confirm_colleague(
        registration=bo,
        answers=Answers(membership="not_member", diets=["vegan"], workplace="Kommunen"),
        language="en",
    )

    bo.refresh_from_db()
    assert (bo.is_confirmed, bo.membership, bo.diets, bo.workplace, bo.language, bo.hold_expires_at) == (
        True,
        "not_member",
        ["vegan"],
        "Kommunen",
        "en",
        None,
    )
    assert [m.kind for m in outbox_for("bo@example.se")] == ["colleague_invitation", "confirmation"]


def test_unconfirmed_colleague_is_reminded_once_half_way(event, person, colleague, frozen):
    frozen("2029-04-01 10:00")
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    frozen("2029-04-02 21:59")
    assert remind_unconfirmed_colleagues() == 0
    frozen("2029-04-02 22:00")
    assert remind_unconfirmed_colleagues() == 1
    frozen("2029-04-03 10:00")
    assert remind_unconfirmed_colleagues() == 0

    assert [m.kind for m in outbox_for("bo@example.se")] == ["colleague_invitation", "colleague_reminder"]


def test_expired_hold_releases_the_seat_and_the_queue_moves_up(event_factory, person, colleague, frozen):
    event = event_factory(capacity=2)
    frozen("2029-04-01 10:00")
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    register(event=event, person=person("cilla@example.se"))
    worker_keeps_up()

    frozen("2029-04-04 09:59")
    assert release_expired_holds() == 0
    frozen("2029-04-04 10:00")
    assert release_expired_holds() == 1
    worker_keeps_up()
    take_offered_seat(registration=Registration.objects.get(email="cilla@example.se"))

    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.REGISTERED,
        "bo@example.se": Status.RELEASED,
        "cilla@example.se": Status.REGISTERED,
    }
    assert [m.kind for m in outbox_for("bo@example.se")] == ["colleague_invitation", "seat_released"]
    assert [m.kind for m in outbox_for("cilla@example.se")] == ["waitlisted", "seat_offered", "promoted"]


def test_colleague_cannot_confirm_after_the_seat_was_released(event, person, colleague, frozen):
    frozen("2029-04-01 10:00")
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    frozen("2029-04-05 10:00")
    release_expired_holds()

    with pytest.raises(SeatReleased):
        confirm_colleague(registration=Registration.objects.get(email="bo@example.se"), answers=Answers())


def test_promoted_unconfirmed_colleague_gets_a_new_hold(event_factory, person, colleague, frozen):
    event = event_factory(capacity=1)
    frozen("2029-04-01 10:00")
    anna = register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    frozen("2029-04-10 10:00")
    cancel_registration(registration=anna.registration)

    bo = take_offered_seat(registration=Registration.objects.get(email="bo@example.se"))
    assert bo.status == Status.REGISTERED
    # 72 hours from the promotion (the site default), not the hold of 1 April, long expired.
    assert (bo.promoted_at, bo.hold_expires_at, bo.remind_after) == (
        stockholm(2029, 4, 10, 10, 0),
        stockholm(2029, 4, 13, 10, 0),
        stockholm(2029, 4, 11, 22, 0),
    )


def test_add_colleague_later_while_registration_is_open(event, person, colleague):
    anna = register(event=event, person=person("anna@example.se")).registration

    guest = add_colleague(registration=anna, colleague=colleague("bo@example.se"))

    assert guest.invited_by == anna
    assert [m.kind for m in outbox_for("bo@example.se")] == ["colleague_invitation"]


def test_unconfirmed_colleague_cannot_bring_colleagues(event_factory, person, colleague):
    from frukost.registrations.exceptions import ColleagueNotAllowed

    event = event_factory(max_colleagues=2)
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    bo = Registration.objects.get(email="bo@example.se")

    with pytest.raises(ColleagueNotAllowed):
        add_colleague(registration=bo, colleague=colleague("cilla@example.se"))
    assert not Registration.objects.filter(email="cilla@example.se").exists()
