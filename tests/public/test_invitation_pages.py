"""The pages an invitation's links open: the prefilled form that registers through the invitation,
"I can't come" (a button, never a GET), unsubscribing (a button, and RFC 8058's one-click POST),
all of them secret pages that leak nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from frukost.contacts.models import Suppression
from frukost.core.logredact import redact
from frukost.events.enums import RegistrationState
from frukost.events.models import Series
from frukost.invitations.enums import LinkPurpose
from frukost.invitations.links import DECLINE_PATH, mint_link
from frukost.invitations.models import Invitee
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, register
from tests.conftest import make_person, stockholm
from tests.invitations.factories import invitee, make_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(event):
    invitation_list = make_list(event=event, people=["anna@example.se"])
    person = invitee(invitation_list, "anna@example.se")
    Invitee.objects.filter(pk=person.pk).update(
        first_name="Anna", last_name="Svensson", invited_at=stockholm(2029, 4, 20)
    )
    person.refresh_from_db()
    return person


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def invite_path(person) -> str:
    return path_of(mint_link(person, LinkPurpose.INVITE))


def unsubscribe_path(person) -> str:
    return path_of(mint_link(person, LinkPurpose.UNSUBSCRIBE))


def form_data(**overrides) -> dict:
    data = {
        "first_name": "Anna",
        "last_name": "Svensson",
        "email": "anna@example.se",
        "workplace": "Sundsvalls kommun",
        "job_title": "Enhetschef",
        "membership": "member",
    }
    data.update(overrides)
    return data


def test_the_decline_path_is_the_decline_page_below_the_invitation():
    token = "A" * 32
    assert reverse("public:invitation", kwargs={"token": token}) + DECLINE_PATH == reverse(
        "public:invitation-decline", kwargs={"token": token}
    )


def test_the_invitation_opens_the_event_page_with_the_form_filled_in(client, anna, frozen):
    frozen("2029-04-21 10:00")
    path = invite_path(anna)

    response = client.get(path)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hej Anna, du är inbjuden!" in page
    assert 'value="anna@example.se"' in page
    assert 'value="Sundsvalls kommun"' in page
    assert 'value="Enhetschef"' in page
    assert f'action="{path}#error-summary"' in page
    anna.refresh_from_db()
    assert anna.opened_at == stockholm(2029, 4, 21, 10)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_prefilled_form_is_never_served_to_anyone_else_from_the_cache(client, anna, event, frozen):
    frozen("2029-04-21 10:00")
    client.get(invite_path(anna))

    public = Client().get(event.get_absolute_url()).content.decode()

    assert "anna@example.se" not in public and "Sundsvalls kommun" not in public


def test_opening_twice_keeps_the_first_time(client, anna, frozen):
    frozen("2029-04-21 10:00")
    path = invite_path(anna)
    client.get(path)
    frozen("2029-04-22 10:00")

    client.get(path)

    anna.refresh_from_db()
    assert anna.opened_at == stockholm(2029, 4, 21, 10)


def test_registering_through_the_invitation_links_the_registration(client, anna, event, frozen):
    frozen("2029-04-21 10:00")

    response = client.post(invite_path(anna), form_data())

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "public:registered", kwargs={"organisation": event.organisation.slug, "event": event.slug}
    )
    registration = Registration.objects.get(email="anna@example.se")
    assert registration.status == Status.REGISTERED
    assert registration.workplace == "Sundsvalls kommun"
    anna.refresh_from_db()
    assert (anna.registration, anna.registered_at) == (registration, stockholm(2029, 4, 21, 10))
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == [MailKind.CONFIRMATION]


def test_the_form_keeps_the_public_rules_a_full_event_waitlists(client, anna, event_factory, frozen, person):
    frozen("2029-04-21 10:00")
    event = anna.invitation_list.event
    event.capacity = 1
    event.save()
    register(event=event, person=person("bo@example.se"))

    response = client.post(invite_path(anna), form_data())

    assert response.status_code == 302
    assert Registration.objects.get(email="anna@example.se").status == Status.WAITLISTED


def test_after_the_deadline_the_invitation_shows_a_closed_registration(client, anna, frozen):
    frozen("2029-05-02 10:00")

    response = client.post(invite_path(anna), form_data())

    assert response.status_code == 409
    assert "Anmälan till evenemanget är stängd." in response.content.decode()
    assert not Registration.objects.exists()


def test_an_invalid_form_is_a_400_with_the_answers_kept(client, anna, frozen):
    frozen("2029-04-21 10:00")

    response = client.post(invite_path(anna), form_data(email="inte-en-adress"))

    assert response.status_code == 400
    assert 'value="inte-en-adress"' in response.content.decode()
    assert not Registration.objects.exists()


def test_an_unknown_or_malformed_token_is_a_kind_404(client):
    for path in ("/i/" + "A" * 32 + "/", "/i/kort/", "/i/" + "A" * 32 + "/kan-inte-komma/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Vi känner inte igen länken" in response.content.decode()
        assert response["Referrer-Policy"] == "no-referrer"


def test_an_unsubscribe_token_opens_no_invitation_and_the_reverse(client, anna):
    unsubscribe = unsubscribe_path(anna)
    invite = invite_path(anna)

    assert client.get(unsubscribe.replace("avregistrera/", "")).status_code == 404
    assert client.get(invite + "avregistrera/").status_code == 404


def test_the_invitation_expires_a_while_after_the_event(client, anna, frozen, settings):
    path = invite_path(anna)
    frozen("2029-05-16 09:30")
    moment = stockholm(2029, 5, 16, 9, 30) + dt.timedelta(
        days=settings.FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT, hours=1
    )
    frozen(moment.strftime("%Y-%m-%d %H:%M"))

    response = client.get(path)

    assert response.status_code == 410
    assert "Inbjudan har gått ut" in response.content.decode()


# --- A series ---------------------------------------------------------------------------------


def test_a_series_invitation_lists_its_open_events_each_with_its_form(
    client, organisation, event_factory, frozen
):
    frozen("2029-04-21 10:00")
    series = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    sundsvall = event_factory(series=series, title="Chefsfrukost i Sundsvall")
    harnosand = event_factory(
        series=series,
        title="Chefsfrukost i Härnösand",
        starts_at=stockholm(2029, 5, 23, 8),
        ends_at=stockholm(2029, 5, 23, 9, 30),
    )
    event_factory(series=series, title="Chefsfrukost som var", registration_deadline=dt.date(2029, 4, 1))
    invitation_list = make_list(series=series, people=["anna@example.se"])
    path = invite_path(invitee(invitation_list, "anna@example.se"))

    page = client.get(path).content.decode()

    assert "Chefsfrukost i Sundsvall" in page and "Chefsfrukost i Härnösand" in page
    assert "Chefsfrukost som var" not in page
    response = client.get(f"{path}{harnosand.slug}/")
    assert response.status_code == 200 and 'value="anna@example.se"' in response.content.decode()
    client.post(f"{path}{harnosand.slug}/", form_data())
    assert Registration.objects.get(email="anna@example.se").event == harnosand
    assert client.get(f"{path}not-in-the-series/").status_code == 404
    assert sundsvall.pk != harnosand.pk


# --- I can't come -----------------------------------------------------------------------------


def test_a_get_of_the_decline_page_changes_nothing(client, anna, frozen):
    frozen("2029-04-21 10:00")

    response = client.get(invite_path(anna) + DECLINE_PATH)

    assert response.status_code == 200
    assert "Jag kan inte komma" in response.content.decode()
    anna.refresh_from_db()
    assert anna.declined_at is None


def test_declining_records_it_and_thanks_kindly(client, anna, frozen):
    frozen("2029-04-21 10:00")
    path = invite_path(anna) + DECLINE_PATH

    response = client.post(path, {"action": "decline"}, follow=True)

    assert response.status_code == 200
    assert "Tack för att du sa till" in response.content.decode()
    anna.refresh_from_db()
    assert anna.declined_at == stockholm(2029, 4, 21, 10)
    assert client.post(path, {"action": "decline"}).status_code == 302  # twice: still declined, once


def test_declining_after_registering_points_to_the_personal_link(client, anna, event, person, frozen):
    frozen("2029-04-21 10:00")
    register(event=event, person=person("anna@example.se"))  # on the public page, same address

    response = client.post(invite_path(anna) + DECLINE_PATH, {"action": "decline"})

    assert response.status_code == 409
    assert "Avanmäl dig via den personliga länken i din bekräftelse" in response.content.decode()
    anna.refresh_from_db()
    assert anna.declined_at is None
    assert Registration.objects.get(email="anna@example.se").status == Status.REGISTERED


# --- Unsubscribing ----------------------------------------------------------------------------


def test_the_unsubscribe_page_asks_first_and_a_post_unsubscribes(client, anna, frozen):
    frozen("2029-04-21 10:00")
    path = unsubscribe_path(anna)

    page = client.get(path)
    assert page.status_code == 200 and "Avregistrera mig" in page.content.decode()
    assert not Suppression.objects.exists()

    done = client.post(path, {"action": "unsubscribe"}, follow=True)

    assert "Du är avregistrerad" in done.content.decode()
    [row] = Suppression.objects.all()
    assert (row.organisation, row.email, row.reason) == (
        anna.invitation_list.organisation,
        "anna@example.se",
        "unsubscribed",
    )
    anna.refresh_from_db()
    assert anna.unsubscribed_at == stockholm(2029, 4, 21, 10)


def test_the_one_click_post_needs_no_cookie_or_csrf_token_and_answers_200(anna):
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        unsubscribe_path(anna), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert Suppression.objects.get().reason == "unsubscribed"


def test_a_one_click_post_to_an_unknown_link_is_a_404_and_changes_nothing():
    response = Client(enforce_csrf_checks=True).post(
        "/i/" + "A" * 32 + "/avregistrera/", "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip

    assert response.status_code == 404
    assert not Suppression.objects.exists()


def test_a_post_without_the_button_or_one_click_unsubscribes_nobody(client, anna):
    response = client.post(unsubscribe_path(anna), {"something": "else"})

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_invitation_links_are_redacted_from_logs():
    line = '"GET /i/abcDEF123_-abcDEF123_-abcDEF12/kan-inte-komma/ HTTP/1.1" 200 ref=https://x.se/i/xyz/'

    assert redact(line) == '"GET /i/…/kan-inte-komma/ HTTP/1.1" 200 ref=https://x.se/i/…/'


def test_the_invitation_page_counts_a_seat_offered_from_the_waiting_list_as_taken(
    client, event_factory, frozen
):
    # One seat: Bo cancels, and it is offered to Cecilia, first in the queue. Anna's invitation
    # must say what the public page says: full, the waiting list (not "a few seats left").
    frozen("2029-04-20 10:00")
    event = event_factory(capacity=1)
    bo = register(event=event, person=make_person("bo@example.se")).registration
    cecilia = register(event=event, person=make_person("cecilia@example.se")).registration
    cancel_registration(registration=bo)
    cecilia.refresh_from_db()
    assert cecilia.has_open_offer
    invitation_list = make_list(event=event, people=["anna@example.se"])
    path = invite_path(invitee(invitation_list, "anna@example.se"))

    public = client.get(event.get_absolute_url()).context["state"]
    response = client.get(path)

    assert response.context["state"] == public == RegistrationState.WAITING_LIST
    assert response.context["seats_left"] == 0


def test_a_head_request_does_not_count_as_opening_the_invitation(client, anna, frozen):
    frozen("2029-04-21 10:00")
    path = invite_path(anna)

    assert client.head(path).status_code == 200
    assert client.head(path + DECLINE_PATH).status_code == 200

    anna.refresh_from_db()
    assert anna.opened_at is None
