import re

import pytest
from django.test import Client

from frukost.core.tokens import hash_token
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.models import PersonalLink, Registration
from frukost.registrations.services import register
from tests.conftest import rendered

pytestmark = pytest.mark.django_db


def link_in_last_mail(address: str) -> str:
    message = rendered([OutboxMessage.objects.filter(to=address).latest("id")])[0]
    return re.search(r"http://testserver(/r/[\w-]+/)", message.body_text).group(1)


@pytest.fixture
def anna(event, person, colleague):
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    return Registration.objects.get(email="anna@example.se")


def test_personal_link_shows_the_registration_privately(client, anna):
    response = client.get(link_in_last_mail("anna@example.se"))

    assert response.status_code == 200
    assert "Anna Svensson" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_personal_link_token_is_stored_only_as_a_hash(anna):
    path = link_in_last_mail("anna@example.se")
    token = path.split("/")[2]

    assert len(token) >= 22  # 128 bits in URL-safe base64
    assert list(PersonalLink.objects.filter(registration=anna).values_list("token_hash", flat=True)) == [
        hash_token(token)
    ]
    assert hash_token(token) != token
    assert not PersonalLink.objects.filter(token_hash=token).exists()


@pytest.mark.parametrize("token", ["wrong", "x" * 32, "a" * 500])
def test_personal_link_with_a_wrong_token_is_a_plain_404(client, anna, token):
    assert client.get(f"/r/{token}/").status_code == 404


def test_get_on_the_personal_link_changes_nothing(client, anna):
    path = link_in_last_mail("bo@example.se")

    client.get(path)
    client.get(path + "avanmal/")

    assert dict(Registration.objects.values_list("email", "confirmed_at")) == {
        "anna@example.se": anna.confirmed_at,
        "bo@example.se": None,
    }
    assert Registration.objects.filter(status=Status.CANCELLED).count() == 0


def test_colleague_confirms_with_their_own_answers(client, anna):
    path = link_in_last_mail("bo@example.se")

    response = client.post(path, {"action": "answers", "membership": "undisclosed", "diets": ["vegan"]})

    assert response.status_code == 302
    bo = Registration.objects.get(email="bo@example.se")
    assert (bo.is_confirmed, bo.membership, bo.diets) == (True, "undisclosed", ["vegan"])


def test_registrant_changes_their_details(client, anna):
    path = link_in_last_mail("anna@example.se")

    client.post(
        path,
        {
            "action": "answers",
            "membership": "member",
            "workplace": "Region Västernorrland",
            "job_title": "Avdelningschef",
            "other_needs": "Teckentolkning",
        },
    )

    anna.refresh_from_db()
    assert (anna.workplace, anna.job_title, anna.other_needs) == (
        "Region Västernorrland",
        "Avdelningschef",
        "Teckentolkning",
    )


def test_registrant_cancels_with_a_button_and_the_seat_moves_on(client, event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("cilla@example.se"))
    path = link_in_last_mail("anna@example.se")

    page = client.get(path + "avanmal/")
    assert 'method="post"' in page.content.decode()
    response = client.post(path + "avanmal/")

    assert response.status_code == 302
    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.CANCELLED,
        "cilla@example.se": Status.WAITLISTED,
    }
    assert Registration.objects.get(email="cilla@example.se").has_open_offer  # offered the seat
    assert client.get(path).status_code == 200  # the link still shows the cancelled registration


def test_registrant_adds_a_colleague_later(client, event, person):
    register(event=event, person=person("anna@example.se"))
    path = link_in_last_mail("anna@example.se")

    response = client.post(
        path, {"action": "colleague", "first_name": "Bo", "last_name": "Ek", "email": "bo@example.se"}
    )

    assert response.status_code == 302
    assert Registration.objects.get(email="bo@example.se").invited_by.email == "anna@example.se"


def test_registrant_cannot_add_more_colleagues_than_allowed(client, anna):
    path = link_in_last_mail("anna@example.se")
    client.cookies.load({"frukost_language": "en"})

    response = client.post(
        path, {"action": "colleague", "first_name": "Cilla", "last_name": "Ek", "email": "cilla@example.se"}
    )

    assert response.status_code == 409
    assert "as many colleagues" in response.content.decode()
    assert not Registration.objects.filter(email="cilla@example.se").exists()


def test_personal_link_calendar_file(client, anna):
    response = Client().get(link_in_last_mail("anna@example.se") + "kalender.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"STATUS:CONFIRMED" in response.content
