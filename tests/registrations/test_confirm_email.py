"""The per-event "confirm your e-mail address" mode: the seat is held until the person confirms
through the link in their e-mail (a button, never a GET), and released when the hold ends."""

import pytest
from django.test import Client

from frukost.events.models import Event
from frukost.mail.enums import MailKind
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register, release_expired_holds, remind_unconfirmed_colleagues
from tests.backoffice.test_events import form_data, url
from tests.conftest import outbox_for, stockholm, worker_keeps_up
from tests.public.test_personal_link import link_in_last_mail

pytestmark = pytest.mark.django_db

FORM = {"first_name": "Anna", "last_name": "Svensson", "email": "anna@example.se", "membership": "member"}


def test_the_mode_is_off_by_default(event, person):
    register(event=event, person=person("anna@example.se"))

    assert Event._meta.get_field("confirm_email").default is False
    assert Registration.objects.get().is_confirmed


def test_a_registration_holds_its_seat_until_the_address_is_confirmed(client, event_factory, frozen):
    frozen("2029-04-01 10:00")
    event = event_factory(confirm_email=True, colleague_hold_hours=24)

    response = client.post(event.get_absolute_url(), FORM)

    anna = Registration.objects.get()
    assert (anna.status, anna.is_confirmed) == (Status.REGISTERED, False)
    assert anna.hold_expires_at.isoformat() == "2029-04-02T08:00:00+00:00"
    page = client.get(response["Location"]).content.decode()
    assert "Tack! Bekräfta nu din anmälan" in page
    assert "Titta i din e-post för att bekräfta din anmälan." in page
    [mail] = outbox_for("anna@example.se")
    assert mail.subject == "Bekräfta din anmälan: Chefsfrukost: Leda med tillit"
    assert "Din plats hålls åt dig till måndag 2 april 2029 kl. 10.00." in mail.body_text
    assert "tryck på knappen ”Bekräfta min anmälan”" in mail.body_text
    assert "anmäla en kollega" not in mail.body_text  # not before they have confirmed


def test_opening_the_link_confirms_nothing_and_the_button_confirms(event_factory, frozen):
    frozen("2029-04-01 10:00")
    event = event_factory(confirm_email=True)
    Client().post(event.get_absolute_url(), FORM)
    path = link_in_last_mail("anna@example.se")
    browser = Client()

    page = browser.get(path).content.decode()  # what a mail scanner does

    assert not Registration.objects.get().is_confirmed
    assert "Bekräfta min anmälan" in page and 'method="post"' in page
    response = browser.post(path, {"action": "answers", "membership": "member"})

    anna = Registration.objects.get()
    assert response.status_code == 302
    assert (anna.status, anna.is_confirmed, anna.hold_expires_at) == (Status.REGISTERED, True, None)
    assert [m.subject for m in outbox_for("anna@example.se")] == [
        "Bekräfta din anmälan: Chefsfrukost: Leda med tillit",
        "Du är anmäld: Chefsfrukost: Leda med tillit",
    ]
    frozen("2029-04-30 10:00")
    assert release_expired_holds() == 0


def test_an_unconfirmed_seat_is_released_when_the_hold_ends_and_the_queue_moves_up(
    event_factory, person, frozen
):
    frozen("2029-04-01 10:00")
    event = event_factory(confirm_email=True, capacity=1, colleague_hold_hours=24)
    Client().post(event.get_absolute_url(), FORM)
    register(event=event, person=person("bo@example.se", first_name="Bo"))
    worker_keeps_up()

    frozen("2029-04-01 22:00")
    assert remind_unconfirmed_colleagues() == 1
    worker_keeps_up()
    frozen("2029-04-02 09:59")
    assert release_expired_holds() == 0
    frozen("2029-04-02 10:00")
    assert release_expired_holds() == 1

    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.RELEASED,
        "bo@example.se": Status.WAITLISTED,
    }
    assert [m.subject for m in outbox_for("anna@example.se")] == [
        "Bekräfta din anmälan: Chefsfrukost: Leda med tillit",
        "Påminnelse: bekräfta din anmälan till Chefsfrukost: Leda med tillit",
        "Din reserverade plats på Chefsfrukost: Leda med tillit har släppts",
    ]
    # The freed seat is offered to Bo, held for him for the claim window (24 hours this far out).
    bo = Registration.objects.get(email="bo@example.se")
    assert (bo.offer_expires_at, [m.kind for m in outbox_for("bo@example.se")][-1]) == (
        stockholm(2029, 4, 3, 10, 0),
        MailKind.SEAT_OFFERED,
    )


def test_organisers_turn_the_mode_on_in_the_event_form(client, staff_factory, event):
    client.force_login(staff_factory("organiser"))
    page = client.get(url("event-edit", event)).content.decode()
    assert 'name="confirm_email"' in page

    response = client.post(url("event-edit", event), form_data(event, confirm_email="on"))

    event.refresh_from_db()
    assert response.status_code == 302
    assert event.confirm_email is True
