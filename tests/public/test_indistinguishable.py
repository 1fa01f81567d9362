"""Nobody can tell from the pages and e-mails they see whether an address is registered.

Each test runs the same steps twice, once where the address in question is new and once where it
is registered already, and asserts that what the requester sees is identical (after taking out
what differs by design: the secret link, the CSRF token)."""

import base64
import re

import pytest
from django.core import signing
from django.test import Client

from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.privacy.selfservice import personal_data
from frukost.public.views import DONE_COOKIE
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import rendered
from tests.public.test_personal_link import link_in_last_mail

pytestmark = pytest.mark.django_db


def scrub(text: str) -> str:
    text = re.sub(r"/r/[\w-]+/", "/r/TOKEN/", text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r"chefsfrukost-\d+", "EVENT", text)
    # Each person's own check-in code and its QR image (checkin.codes).
    text = re.sub(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b", "CODE", text)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "QR", text)
    return text


def main(page: str) -> str:
    return scrub(re.search(r"<main.*?</main>", page, re.S).group(0))


def mail_to(address: str, event) -> list[OutboxMessage]:
    return rendered(OutboxMessage.objects.filter(to=address, registration__event=event).order_by("id"))


def form(email, **extra):
    return {"first_name": "Anna", "last_name": "Svensson", "email": email, "membership": "member", **extra}


def test_adding_a_registered_colleague_on_the_personal_page_looks_like_adding_a_new_one(
    event_factory, person, colleague
):
    def add_colleague_on_the_page(registered_already: bool) -> list[str]:
        event = event_factory(max_colleagues=1)
        if registered_already:
            register(event=event, person=person("bo@example.se", first_name="Bo", last_name="Ek"))
        register(event=event, person=person("anna@example.se"))
        path = link_in_last_mail("anna@example.se")
        client = Client()
        response = client.post(
            path, {"action": "colleague", "first_name": "Bo", "last_name": "Ek", "email": "bo@example.se"}
        )
        after = client.get(response["Location"]).content.decode()
        # Probing again: the allowance is used up either way.
        again = client.post(
            path, {"action": "colleague", "first_name": "Cia", "last_name": "Ek", "email": "cia@example.se"}
        )
        return [
            response.status_code,
            scrub(response["Location"]),
            main(after),
            again.status_code,
            main(again.content.decode()),
        ]

    new, registered = add_colleague_on_the_page(False), add_colleague_on_the_page(True)

    assert new == registered
    assert "Bo Ek" in new[2]
    assert "Ta med en kollega" not in new[2]  # the one allowed colleague is used up either way


def test_receipt_lists_the_names_given_whether_or_not_each_colleague_was_registered(
    event_factory, person, colleague
):
    def receipt(registered_already: bool):
        event = event_factory(max_colleagues=2)
        if registered_already:
            register(event=event, person=person("cia@example.se", first_name="Cia", last_name="Ek"))
        register(
            event=event,
            person=person("anna@example.se"),
            colleagues=[colleague("bo@example.se"), colleague("cia@example.se", first_name="Cia")],
        )
        [message] = [m for m in mail_to("anna@example.se", event) if m.kind == MailKind.CONFIRMATION]
        return message.subject, scrub(message.body_text), scrub(message.body_html)

    new, registered = receipt(False), receipt(True)

    assert new == registered
    assert "Du har också anmält Bo Ek och Cia Ek." in new[1]


def test_a_colleague_brought_by_a_registered_address_is_invited_like_any_colleague(event_factory, person):
    """Someone who registers a registered address with their own mailbox as colleague learns
    nothing from whether (and what) that mailbox receives."""

    def invitation(registered_already: bool):
        event = event_factory()
        if registered_already:
            register(event=event, person=person("anna@example.se", first_name="Anna", last_name="Riktig"))
        response = Client().post(
            event.get_absolute_url(),
            form(
                "anna@example.se",
                colleague1_first_name="Mallory",
                colleague1_last_name="Ek",
                colleague1_email="mallory@example.se",
            ),
        )
        messages = mail_to("mallory@example.se", event)
        mallory = Registration.objects.get(event=event, email="mallory@example.se")
        result = (
            response.status_code,
            [(m.kind, m.subject, scrub(m.body_text), scrub(m.body_html)) for m in messages],
            mallory.status,
            mallory.is_confirmed,
        )
        return result

    new, registered = invitation(False), invitation(True)

    assert new == registered
    assert new[1][0][1] == "Anna Svensson har anmält dig till Chefsfrukost: Leda med tillit"
    assert "Riktig" not in str(registered)


def test_seats_left_looks_the_same_after_registering_a_new_or_a_registered_address(event_factory, person):
    def state_after(registered_already: bool) -> str:
        event = event_factory(capacity=12, few_seats_threshold=10)
        register(event=event, person=person("other@example.se"))
        if registered_already:
            register(event=event, person=person("target@example.se"))
        Client().post(event.get_absolute_url(), form("target@example.se"))
        page = Client().get(event.get_absolute_url()).content.decode()
        return re.search(r'<p class="state[^"]*">(.*?)</p>', page, re.S).group(1).strip()

    assert state_after(False) == state_after(True) == "Bara några platser kvar"


def test_thank_you_cookie_carries_no_address_and_no_name(client, event):
    response = client.post(
        event.get_absolute_url(),
        form(
            "anna@example.se",
            colleague1_first_name="Bo",
            colleague1_last_name="Ek",
            colleague1_email="bo@example.se",
        ),
    )

    value = response.cookies[DONE_COOKIE].value
    assert signing.loads(value, salt=DONE_COOKIE) == {
        "status": "registered",
        "colleagues": 1,
        "confirm": False,
    }
    payload = base64.urlsafe_b64decode(value.split(":")[0] + "==")
    for personal in (b"anna", b"Anna", b"Svensson", b"Bo", b"example"):
        assert personal not in payload
    page = client.get(response["Location"]).content.decode()
    assert "Vi har skickat ett mejl till adressen du angav" in page
    assert "Vi har också mejlat din kollega, som bekräftar själv." in page


def test_the_data_exports_do_not_tell_which_colleague_addresses_were_registered(
    event_factory, person, colleague
):
    """The inviter's download lists the names they gave; the colleague's names the inviter as typed."""

    def exports(registered_already: bool):
        event = event_factory()
        if registered_already:
            register(event=event, person=person("anna@example.se", first_name="Anna", last_name="Riktig"))
            register(event=event, person=person("bo@example.se", first_name="Bo", last_name="Riktig"))
        Client().post(
            event.get_absolute_url(),
            form(
                "mallory@example.se",
                colleague1_first_name="Bo",
                colleague1_last_name="Ek",
                colleague1_email="bo@example.se",
            ),
        )
        Client().post(
            event.get_absolute_url(),
            form(
                "anna@example.se",
                colleague1_first_name="Cia",
                colleague1_last_name="Ek",
                colleague1_email="cia@example.se",
            ),
        )
        mallory = Registration.objects.get(event=event, email="mallory@example.se")
        cia = Registration.objects.get(event=event, email="cia@example.se")
        return (
            personal_data(mallory)["sections"]["colleagues"],
            personal_data(cia)["sections"]["registered_by"],
        )

    new, registered = exports(False), exports(True)

    assert new == registered
    assert [[field["value"] for field in entry] for entry in new[0]["entries"]] == [["Bo Ek"]]
    assert [field["value"] for field in new[1]["fields"]] == ["Anna Svensson"]


def test_colleagues_brought_by_someone_else_with_your_address_are_not_listed_as_yours(
    client, event_factory, person
):
    event = event_factory(max_colleagues=2)
    register(event=event, person=person("anna@example.se"))
    Client().post(
        event.get_absolute_url(),
        form(
            "anna@example.se",
            colleague1_first_name="Mallory",
            colleague1_last_name="Ek",
            colleague1_email="m@example.se",
        ),
    )

    page = client.get(link_in_last_mail("anna@example.se")).content.decode()

    assert "Mallory" not in page
    # They count against the address's limit (or repeated forms would pass it), one of two here.
    assert "Ta med en kollega" in page
