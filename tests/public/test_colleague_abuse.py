"""A form for an address that is already registered cannot get past the colleague limit, and in
confirm-your-address mode nobody is invited before the registrant has confirmed (review of issue 7)."""

import pytest
from django.test import Client

from frukost.mail.enums import MailKind
from frukost.messaging.enums import Audience
from frukost.messaging.services import recipients
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_event, cancel_registration, register, release_expired_holds
from tests.conftest import outbox_for, worker_keeps_up
from tests.public.test_personal_link import link_in_last_mail

pytestmark = pytest.mark.django_db


def form(email, colleague_email="", **extra):
    data = {"first_name": "Anna", "last_name": "Svensson", "email": email, "membership": "member", **extra}
    if colleague_email:
        data |= {
            "colleague1_first_name": "Bo",
            "colleague1_last_name": "Ek",
            "colleague1_email": colleague_email,
        }
    return data


def test_registering_a_registered_address_again_cannot_get_past_the_colleague_limit(event_factory, person):
    event = event_factory(max_colleagues=1, capacity=60)
    victim = register(event=event, person=person("victim@example.se")).registration

    responses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(
            event.get_absolute_url(), form("victim@example.se", f"c{n}@example.se")
        )
        for n in range(1, 6)
    ]

    # The page is the newcomer's every time…
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, event.get_absolute_url() + "tack/")}
    # …but only one colleague came through the address, and only they were invited.
    assert list(Registration.objects.filter(invited_by=victim).values_list("email", flat=True)) == [
        "c1@example.se"
    ]
    invited = [n for n in range(1, 6) if outbox_for(f"c{n}@example.se")]
    assert invited == [1]


def test_the_owners_own_colleagues_count_against_what_a_repeated_form_may_bring(
    event_factory, person, colleague
):
    event = event_factory(max_colleagues=2)
    anna = register(
        event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")]
    ).registration

    Client().post(event.get_absolute_url(), form("anna@example.se", "c1@example.se"))
    Client().post(event.get_absolute_url(), form("anna@example.se", "c2@example.se"))

    assert sorted(Registration.objects.filter(invited_by=anna).values_list("email", flat=True)) == [
        "bo@example.se",
        "c1@example.se",
    ]
    assert outbox_for("c2@example.se") == []


def test_in_confirm_mode_colleagues_are_invited_only_once_the_registrant_confirms(event_factory, frozen):
    frozen("2029-04-01 10:00")
    event = event_factory(confirm_email=True, colleague_hold_hours=24, max_colleagues=1)
    browser = Client()
    response = browser.post(event.get_absolute_url(), form("anna@example.se", "bo@example.se"))
    worker_keeps_up()

    page = browser.get(response["Location"]).content.decode()
    assert "När du har bekräftat mejlar vi din kollega, som bekräftar själv." in page
    assert "Vi har också mejlat" not in page
    bo = Registration.objects.get(email="bo@example.se")
    assert (bo.status, bo.invitation_held) == (Status.REGISTERED, True)  # the seat is held…
    assert outbox_for("bo@example.se") == []  # …but nobody has been told of it

    frozen("2029-04-01 20:00")
    Client().post(link_in_last_mail("anna@example.se"), {"action": "answers", "membership": "member"})

    bo.refresh_from_db()
    assert [m.kind for m in outbox_for("bo@example.se")] == [MailKind.COLLEAGUE_INVITATION]
    assert bo.invitation_held is False
    assert bo.hold_expires_at.isoformat() == "2029-04-02T18:00:00+00:00"  # held afresh from now


def test_in_confirm_mode_the_colleagues_seats_go_with_a_registrant_who_never_confirms(
    event_factory, person, frozen
):
    frozen("2029-04-01 10:00")
    event = event_factory(confirm_email=True, colleague_hold_hours=24, capacity=2, max_colleagues=1)
    Client().post(event.get_absolute_url(), form("anna@example.se", "bo@example.se"))
    register(event=event, person=person("cia@example.se", first_name="Cia"))  # on the waiting list

    frozen("2029-04-02 10:00")
    release_expired_holds()
    worker_keeps_up()

    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.RELEASED,
        "bo@example.se": Status.RELEASED,
        "cia@example.se": Status.WAITLISTED,
    }
    assert Registration.objects.get(email="cia@example.se").has_open_offer  # a freed seat, offered
    assert outbox_for("bo@example.se") == []  # never invited, never told of a loss


def test_in_confirm_mode_cancelling_before_confirming_frees_the_colleagues_seats_too(event_factory, frozen):
    frozen("2029-04-01 10:00")
    event = event_factory(confirm_email=True, max_colleagues=1)
    Client().post(event.get_absolute_url(), form("anna@example.se", "bo@example.se"))

    cancel_registration(registration=Registration.objects.get(email="anna@example.se"))

    assert Registration.objects.get(email="bo@example.se").status == Status.RELEASED
    assert outbox_for("bo@example.se") == []


def test_in_confirm_mode_a_form_for_a_registered_address_invites_nobody(event_factory, person):
    event = event_factory(confirm_email=True, max_colleagues=1)
    register(event=event, person=person("victim@example.se"))

    response = Client().post(event.get_absolute_url(), form("victim@example.se", "bo@example.se"))

    assert (response.status_code, response["Location"]) == (302, event.get_absolute_url() + "tack/")
    assert outbox_for("bo@example.se") == []
    assert not Registration.objects.filter(email="bo@example.se").exists()


def test_in_confirm_mode_a_colleague_waiting_for_the_registrant_is_told_of_nothing_else_either(
    event_factory, person
):
    """Not by moving up, nor by an organiser's message to everyone, nor by the event's cancellation."""
    event = event_factory(confirm_email=True, capacity=2, max_colleagues=1)
    dan = register(event=event, person=person("dan@example.se", first_name="Dan")).registration
    Client().post(event.get_absolute_url(), form("anna@example.se", "bo@example.se"))  # Bo waits in the queue

    cancel_registration(registration=dan)  # Bo moves up to a held seat…

    assert Registration.objects.get(email="bo@example.se").status == Status.REGISTERED
    assert list(recipients(event=event, audience=Audience.ALL).values_list("email", flat=True)) == [
        "anna@example.se"
    ]
    assert cancel_event(event=event) == 1
    assert outbox_for("bo@example.se") == []  # …and hears of none of it
