"""The page of a seat offered from the waiting list (/r/<token>/plats/): the offer e-mail's link
opens it, a POST button takes the seat, a GET changes nothing, and every late or repeated press
gets a kind answer rather than an error."""

from __future__ import annotations

import re

import pytest

from frukost.events.enums import EventStatus
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_event, cancel_registration, pass_on_lapsed_offers, register
from tests.conftest import make_person, rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(event_factory, frozen):
    """Anna has the only seat, Bo and Cilla wait; Anna cancels on 2 May at 10.00, Bo is offered it."""
    event = event_factory(capacity=1, registration_deadline=None)
    frozen("2029-05-02 09:00")
    anna = register(event=event, person=make_person("anna@example.se")).registration
    register(event=event, person=make_person("bo@example.se", first_name="Bo"))
    register(event=event, person=make_person("cilla@example.se", first_name="Cilla"))
    frozen("2029-05-02 10:00")
    cancel_registration(registration=anna)
    return event, Registration.objects.get(email="bo@example.se")


def _offer_link(address: str) -> str:
    message = OutboxMessage.objects.filter(to=address, kind=MailKind.SEAT_OFFERED).latest("id")
    [composed] = rendered([message])
    return re.search(r"http://testserver(/r/[\w-]+/plats/)", composed.body_text).group(1)


def test_the_mail_links_to_a_page_showing_the_offer_and_a_get_changes_nothing(client, offered):
    event, bo = offered
    link = _offer_link("bo@example.se")
    queued = OutboxMessage.objects.count()

    response = client.get(link)
    client.get(link + "?action=take")

    page = response.content.decode()
    bo.refresh_from_db()
    assert response.status_code == 200
    assert "<h1>En plats är ledig för dig</h1>" in page
    assert "Platsen hålls åt dig till torsdag 3 maj 2029 kl. 10.00." in page
    assert (
        '<button type="submit" name="action" value="take" class="button button--large">Ta platsen</button>'
        in page
    )
    assert (response["Referrer-Policy"], response["Cache-Control"]) == ("no-referrer", "no-store, private")
    assert (bo.status, OutboxMessage.objects.count()) == (Status.WAITLISTED, queued)


def test_pressing_the_button_takes_the_seat_and_says_so(client, offered):
    event, bo = offered
    link = _offer_link("bo@example.se")

    response = client.post(link, {"action": "take"})
    page = client.get(response["Location"]).content.decode()

    bo.refresh_from_db()
    assert response["Location"] == link + "?done=taken"
    assert bo.status == Status.REGISTERED
    assert "<h1>Platsen är din!</h1>" in page
    assert "Tack! Vi har mejlat dig en bekräftelse med en kalenderfil." in page
    assert OutboxMessage.objects.filter(to="bo@example.se", kind=MailKind.PROMOTED).count() == 1


def test_pressing_twice_keeps_the_one_seat(client, offered):
    event, bo = offered
    link = _offer_link("bo@example.se")
    client.post(link, {"action": "take"})

    again = client.post(link, {"action": "take"})
    page = client.get(again["Location"]).content.decode()

    assert again.status_code == 302
    assert "Platsen är din!" in page
    assert OutboxMessage.objects.filter(to="bo@example.se", kind=MailKind.PROMOTED).count() == 1


def test_too_late_is_a_kind_409_and_the_page_then_says_the_offer_passed(client, offered, frozen):
    event, bo = offered
    link = _offer_link("bo@example.se")
    frozen("2029-05-03 10:01")

    response = client.post(link, {"action": "take"})
    pass_on_lapsed_offers()
    later = client.get(link).content.decode()

    assert response.status_code == 409
    assert (
        "Tiden för att ta platsen har gått ut, så den har gått vidare till nästa person i kön. "
        "Du står kvar på väntelistan."
    ) in response.content.decode()
    assert "<h1>Erbjudandet har gått ut</h1>" in later and "Ta platsen</button>" not in later
    bo.refresh_from_db()
    assert bo.status == Status.WAITLISTED
    assert Registration.objects.get(email="cilla@example.se").has_open_offer


def test_after_the_start_or_for_a_cancelled_event_nothing_is_taken(client, offered, frozen):
    event, bo = offered
    link = _offer_link("bo@example.se")
    cancel_event(event=event)

    response = client.post(link, {"action": "take"})

    assert response.status_code == 409
    assert "Evenemanget är inställt, så det finns ingen plats att ta." in response.content.decode()
    frozen("2029-05-16 08:05")
    event.status = EventStatus.PUBLISHED
    event.save()
    started = client.post(link, {"action": "take"})
    assert started.status_code == 409
    assert "Evenemanget har börjat, så platsen kan inte längre tas." in started.content.decode()
    bo.refresh_from_db()
    assert bo.status == Status.WAITLISTED


def test_a_post_without_the_button_is_a_400_and_takes_nothing(client, offered):
    event, bo = offered

    response = client.post(_offer_link("bo@example.se"), {"action": "something"})

    bo.refresh_from_db()
    assert (response.status_code, bo.status) == (400, Status.WAITLISTED)


def test_the_personal_page_points_to_the_open_offer(client, offered):
    event, bo = offered
    link = _offer_link("bo@example.se")

    page = client.get(link.removesuffix("plats/")).content.decode()

    assert "En plats är ledig för dig: ta den senast torsdag 3 maj 2029 kl. 10.00." in page
    assert f'<a href="{link}">Ta platsen</a>' in page


def test_a_cross_site_post_is_refused(client, offered):
    event, bo = offered

    response = client.post(
        _offer_link("bo@example.se"), {"action": "take"}, headers={"Sec-Fetch-Site": "cross-site"}
    )

    bo.refresh_from_db()
    assert (response.status_code, bo.status) == (403, Status.WAITLISTED)


def test_an_unknown_link_is_not_found(client):
    assert client.get("/r/" + "x" * 32 + "/plats/").status_code == 404
