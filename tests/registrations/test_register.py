import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from frukost.core.models import AuditLog
from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import (
    ColleagueLimitReached,
    ColleagueNotAllowed,
    EventNotOpen,
    RegistrationClosed,
)
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import outbox_for, stockholm

pytestmark = pytest.mark.django_db


def test_register_gives_a_seat_and_queues_a_confirmation(event, person):
    result = register(event=event, person=person("Anna@Example.se"))

    assert result.status == Status.REGISTERED
    assert result.registration.email == "anna@example.se"
    assert result.registration.is_confirmed
    assert [m.kind for m in outbox_for("anna@example.se")] == ["confirmation"]


def test_register_waitlists_when_event_is_full(event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))

    second = register(event=event, person=person("bo@example.se"))

    assert second.status == Status.WAITLISTED
    assert second.registration.waitlisted_at is not None
    assert [m.kind for m in outbox_for("bo@example.se")] == ["waitlisted"]


def test_register_holds_a_seat_for_an_unconfirmed_colleague(event, person, colleague, frozen):
    frozen("2029-04-01 10:00")

    result = register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    guest = Registration.objects.get(email="bo@example.se")
    assert guest.status == Status.REGISTERED
    assert guest.invited_by == result.registration
    assert guest.confirmed_at is None
    assert guest.membership == ""  # nobody answers sensitive questions for someone else
    assert guest.hold_expires_at == stockholm(2029, 4, 4, 10, 0)  # 72 hours, the site default
    assert [m.kind for m in outbox_for("bo@example.se")] == ["colleague_invitation"]


def test_register_never_holds_a_colleague_seat_past_the_deadline(event, person, colleague, frozen):
    frozen("2029-05-01 20:00")

    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    guest = Registration.objects.get(email="bo@example.se")
    assert guest.hold_expires_at == stockholm(2029, 5, 2, 0, 0)  # the end of the deadline day


def test_register_counts_held_colleague_seats_against_capacity(event_factory, person, colleague):
    event = event_factory(capacity=2)
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    third = register(event=event, person=person("cecilia@example.se"))

    assert third.status == Status.WAITLISTED


def test_register_puts_the_colleague_on_the_waiting_list_when_only_one_seat_is_left(
    event_factory, person, colleague
):
    event = event_factory(capacity=1)

    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.REGISTERED,
        "bo@example.se": Status.WAITLISTED,
    }


def test_register_again_creates_nothing_and_mails_the_personal_link(event, person):
    first = register(event=event, person=person("anna@example.se"))

    again = register(event=event, person=person("ANNA@example.se", first_name="Someone"))

    assert again.already_registered
    assert again.registration == first.registration
    assert again.status == Status.REGISTERED  # what a newcomer would be told: nothing revealed
    assert Registration.objects.count() == 1
    assert [m.kind for m in outbox_for("anna@example.se")] == ["confirmation", "personal_link"]


def test_register_again_when_full_answers_like_a_newcomer(event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))

    again = register(event=event, person=person("anna@example.se"))

    assert again.status == Status.WAITLISTED
    assert Registration.objects.get().status == Status.REGISTERED


def test_register_skips_a_colleague_who_is_already_registered(event, person, colleague):
    register(event=event, person=person("bo@example.se"))

    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    assert Registration.objects.filter(email="bo@example.se").count() == 1
    assert [m.kind for m in outbox_for("bo@example.se")] == ["confirmation"]


def test_register_refuses_more_colleagues_than_the_event_allows(event, person, colleague):
    with pytest.raises(ColleagueLimitReached):
        register(
            event=event,
            person=person("anna@example.se"),
            colleagues=[colleague("bo@example.se"), colleague("cilla@example.se")],
        )

    assert Registration.objects.count() == 0


def test_register_holds_to_a_colleague_limit_lowered_after_the_form_was_read(event, person, colleague):
    Event.objects.filter(pk=event.pk).update(max_colleagues=1)
    read_by_the_page = Event.objects.get(pk=event.pk)  # one colleague allowed, as the form saw it
    Event.objects.filter(pk=event.pk).update(max_colleagues=0)  # the organiser lowers it meanwhile

    with pytest.raises(ColleagueLimitReached):
        register(
            event=read_by_the_page, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")]
        )

    assert Registration.objects.count() == 0


def test_register_refuses_the_registrants_own_address_as_colleague(event, person, colleague):
    with pytest.raises(ColleagueNotAllowed):
        register(event=event, person=person("anna@example.se"), colleagues=[colleague("Anna@example.se")])

    assert Registration.objects.count() == 0
    assert outbox_for("anna@example.se") == []


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.CANCELLED])
def test_register_refuses_events_that_are_not_published(event_factory, person, status):
    event = event_factory(status=status)

    with pytest.raises(EventNotOpen):
        register(event=event, person=person("anna@example.se"))

    assert Registration.objects.count() == 0


def test_register_is_open_all_of_the_deadline_day_in_stockholm(event, person, frozen):
    frozen("2029-05-01 23:59:59")

    result = register(event=event, person=person("anna@example.se"))

    assert result.status == Status.REGISTERED


def test_register_closes_at_midnight_after_the_deadline_day(event, person, frozen):
    frozen("2029-05-02 00:00:00")

    with pytest.raises(RegistrationClosed):
        register(event=event, person=person("anna@example.se"))
    assert Registration.objects.count() == 0


def test_register_deadline_holds_across_the_autumn_clock_change(event_factory, person, frozen):
    # Summer time ends at 03:00 on 28 October 2029; the deadline day is the Sunday itself.
    event = event_factory(
        starts_at=dt.datetime.fromisoformat("2029-10-31T08:00:00+01:00"),
        ends_at=dt.datetime.fromisoformat("2029-10-31T09:30:00+01:00"),
        doors_at=None,
        registration_deadline=dt.date(2029, 10, 28),
    )
    frozen("2029-10-28 23:30")
    assert register(event=event, person=person("anna@example.se")).status == Status.REGISTERED

    frozen("2029-10-29 00:00")
    with pytest.raises(RegistrationClosed):
        register(event=event, person=person("bo@example.se"))


def test_register_honours_a_deadline_time_set_by_the_event(event_factory, person, frozen):
    event = event_factory(registration_deadline_time=dt.time(12, 0))
    frozen("2029-05-01 12:00")

    with pytest.raises(RegistrationClosed):
        register(event=event, person=person("anna@example.se"))


def test_register_without_deadline_closes_when_the_event_starts(event_factory, person, frozen):
    event = event_factory(registration_deadline=None)
    frozen("2029-05-16 07:59")
    assert register(event=event, person=person("anna@example.se")).status == Status.REGISTERED

    frozen("2029-05-16 08:00")
    with pytest.raises(RegistrationClosed):
        register(event=event, person=person("bo@example.se"))


def test_database_allows_one_active_registration_per_address(event, person):
    register(event=event, person=person("anna@example.se"))

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=event, first_name="A", last_name="S", email="anna@example.se", status=Status.WAITLISTED
        )


def test_database_allows_registering_again_after_cancelling(event, person):
    first = register(event=event, person=person("anna@example.se")).registration
    Registration.objects.filter(pk=first.pk).update(status=Status.CANCELLED)

    again = register(event=event, person=person("anna@example.se"))

    assert not again.already_registered
    assert Registration.objects.filter(email="anna@example.se").count() == 2


def test_confirmation_names_the_colleagues_the_registrant_brought(event, person, colleague):
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    [confirmation] = outbox_for("anna@example.se")

    assert "Bo Ek" in confirmation.body_text


def test_register_audits_the_registrant_and_each_colleague_with_the_events_organisation(
    event, person, colleague
):
    with CaptureQueriesContext(connection) as queries:
        result = register(
            event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")]
        )

    bo = Registration.objects.get(email="bo@example.se")
    entries = AuditLog.objects.filter(event_id=event.pk).order_by("pk")
    assert [(e.action, e.organisation_id, e.registration_id, e.actor_id, e.data) for e in entries] == [
        ("registration.created", event.organisation_id, result.registration.pk, None,
         {"status": Status.REGISTERED, "colleague": False}),
        ("registration.created", event.organisation_id, bo.pk, None,
         {"status": Status.REGISTERED, "colleague": True}),
    ]  # fmt: skip
    # Each entry in its own INSERT, with no subquery for the organisation.
    audit_inserts = [q["sql"] for q in queries.captured_queries if "core_auditlog" in q["sql"]]
    assert len(audit_inserts) == 2
    assert not [sql for sql in audit_inserts if "events_event" in sql]
