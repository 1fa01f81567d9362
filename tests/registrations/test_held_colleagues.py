"""Colleagues whose invitations wait for the registrant to confirm their address
(confirm-your-address mode, `Registration.invitation_held`), and the owner's own colleague
allowance (second review of issue 7)."""

import pytest
from django.test import Client
from django.urls import reverse

from frukost.accounts.enums import Role
from frukost.mail.enums import MailKind
from frukost.messaging.enums import Audience
from frukost.messaging.services import recipients
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import InvitationHeld
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    Answers,
    cancel_event,
    confirm_colleague,
    promote_registration,
    register,
    release_expired_holds,
    resend_personal_link,
)
from tests.conftest import outbox_for, worker_keeps_up
from tests.public.test_personal_link import link_in_last_mail

pytestmark = pytest.mark.django_db


def form(email, *colleague_emails):
    data = {"first_name": "Anna", "last_name": "Svensson", "email": email, "membership": "member"}
    for n, address in enumerate(colleague_emails, start=1):
        data |= {
            f"colleague{n}_first_name": "Bo",
            f"colleague{n}_last_name": f"Ek{n}",
            f"colleague{n}_email": address,
        }
    return data


@pytest.fixture
def held_bo(event_factory, frozen):
    """Anna registered Bo at a confirm-your-address event and has not confirmed yet."""
    frozen("2029-04-01 10:00")
    event = event_factory(confirm_email=True, colleague_hold_hours=24, capacity=5, max_colleagues=1)
    Client().post(event.get_absolute_url(), form("anna@example.se", "bo@example.se"))
    bo = Registration.objects.get(email="bo@example.se")
    assert (bo.status, bo.invitation_held) == (Status.REGISTERED, True)
    return bo


def test_a_held_colleague_who_confirms_is_held_no_more_and_keeps_the_seat(held_bo, frozen):
    # Bo got a link of his own (the data request mails one) and confirms.
    confirm_colleague(registration=held_bo, answers=Answers(membership="member"))
    worker_keeps_up()

    held_bo.refresh_from_db()
    assert (held_bo.is_confirmed, held_bo.invitation_held) == (True, False)
    event = held_bo.event
    assert list(recipients(event=event, audience=Audience.SEATED).values_list("email", flat=True)) == [
        "anna@example.se",
        "bo@example.se",
    ]
    # Anna never confirms: her seat goes, Bo's stays his.
    frozen("2029-04-02 10:00")
    release_expired_holds()
    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.RELEASED,
        "bo@example.se": Status.REGISTERED,
    }
    assert cancel_event(event=event) == 1
    worker_keeps_up()
    assert [m.kind for m in outbox_for("bo@example.se")] == [MailKind.CONFIRMATION, MailKind.EVENT_CANCELLED]


def test_registering_a_held_colleagues_address_mails_them_no_link_before_the_registrant_confirms(held_bo):
    event = held_bo.event
    newcomer = Client().post(event.get_absolute_url(), form("cia@example.se"))

    response = Client().post(event.get_absolute_url(), form("bo@example.se"))

    assert (response.status_code, response["Location"]) == (302, newcomer["Location"])
    assert outbox_for("bo@example.se") == []
    # Once Anna confirms, Bo gets his invitation, and from then on his link like anyone else.
    Client().post(link_in_last_mail("anna@example.se"), {"action": "answers", "membership": "member"})
    Client().post(event.get_absolute_url(), form("bo@example.se"))
    assert [m.kind for m in outbox_for("bo@example.se")] == [
        MailKind.COLLEAGUE_INVITATION,
        MailKind.PERSONAL_LINK,
    ]


@pytest.fixture
def waiting_held_bo(event_factory, person, frozen):
    """Anna (unconfirmed) brought Bo to a full event: Bo waits in the queue, his invitation held."""
    frozen("2029-04-01 10:00")
    event = event_factory(confirm_email=True, capacity=1, max_colleagues=1)
    Client().post(event.get_absolute_url(), form("anna@example.se", "bo@example.se"))
    bo = Registration.objects.get(email="bo@example.se")
    assert (bo.status, bo.invitation_held) == (Status.WAITLISTED, True)
    event.capacity = 2
    event.save()
    return bo


def test_promote_registration_refuses_a_held_colleague(waiting_held_bo, staff_factory):
    with pytest.raises(InvitationHeld):
        promote_registration(registration=waiting_held_bo, actor=staff_factory("organiser"))

    waiting_held_bo.refresh_from_db()
    assert waiting_held_bo.status == Status.WAITLISTED
    assert outbox_for("bo@example.se") == []


def test_resend_personal_link_refuses_a_held_colleague(held_bo, staff_factory):
    with pytest.raises(InvitationHeld):
        resend_personal_link(registration=held_bo, actor=staff_factory("organiser"))

    assert outbox_for("bo@example.se") == []


REFUSAL = (
    "Kollegan får sin inbjudan när den som anmälde hen har bekräftat sin e-postadress."
    " Inget kan skickas till hen innan dess."
)


def _signed_in(staff_factory) -> Client:
    client = Client()
    client.force_login(staff_factory(Role.ORGANISER))
    return client


def _url(name, registration):
    event = registration.event
    return reverse(f"backoffice:{name}", args=[event.organisation.slug, event.pk, registration.pk])


@pytest.mark.parametrize("name", ["registration-promote", "registration-resend-link"])
def test_the_back_office_says_why_a_held_colleague_gets_nothing(name, waiting_held_bo, staff_factory):
    client = _signed_in(staff_factory)

    asked = client.get(_url(name, waiting_held_bo), follow=True)
    posted = client.post(_url(name, waiting_held_bo), {"confirm": "yes"}, follow=True)

    assert [str(m) for m in asked.context["messages"]] == [REFUSAL]
    assert [str(m) for m in posted.context["messages"]] == [REFUSAL]
    assert outbox_for("bo@example.se") == []


def test_strangers_forms_for_an_address_never_use_up_its_owners_allowance(event_factory, person, client):
    event = event_factory(max_colleagues=1, capacity=20)
    register(event=event, person=person("anna@example.se"))
    path = link_in_last_mail("anna@example.se")
    for n in range(1, 4):  # someone who knows Anna's address, again and again
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(
            event.get_absolute_url(), form("anna@example.se", f"x{n}@example.se")
        )

    page = client.get(path).content.decode()
    response = client.post(
        path, {"action": "colleague", "first_name": "Cia", "last_name": "Berg", "email": "cia@example.se"}
    )

    anna = Registration.objects.get(email="anna@example.se")
    assert 'value="colleague"' in page
    assert response.status_code == 302
    # The strangers' forms brought one colleague between them (their own cap), Anna hers.
    assert sorted(anna.colleagues.values_list("email", flat=True)) == ["cia@example.se", "x1@example.se"]
    assert anna.colleagues_added_by_others == 1
    # Her own allowance is used up now.
    again = client.post(
        path, {"action": "colleague", "first_name": "Dan", "last_name": "Berg", "email": "dan@example.se"}
    )
    assert again.status_code == 409


def test_the_migration_frees_colleagues_who_confirmed_while_held(held_bo):
    import importlib

    from django.apps import apps

    Registration.objects.filter(pk=held_bo.pk).update(confirmed_at=held_bo.created_at)  # as before the fix
    migration = importlib.import_module("frukost.registrations.migrations.0008_confirmed_colleagues_not_held")

    migration.clear_held_for_confirmed(apps, None)

    assert dict(Registration.objects.values_list("email", "invitation_held")) == {
        "anna@example.se": False,
        "bo@example.se": False,
    }
