"""Checking in from the door list: POST, redirect back with the search kept, a clear message."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.checkin import codes
from frukost.checkin.models import CheckIn
from frukost.checkin.services import check_in
from frukost.registrations import links
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db


def _list(event, query=""):
    return reverse("backoffice:event-door", args=[event.organisation.slug, event.pk]) + query


def _action(event, registration, action):
    args = [event.organisation.slug, event.pk, registration.pk, action]
    return reverse("backoffice:event-door-action", args=args)


def _code(event):
    return reverse("backoffice:event-door-code", args=[event.organisation.slug, event.pk])


@pytest.fixture
def door(event_factory, staff_factory, client, frozen):
    event = event_factory(capacity=1)
    asa = make_person("anna@example.se", first_name="Åsa", last_name="Öst")
    anna = register(event=event, person=asa).registration
    cilla = register(event=event, person=make_person("cilla@example.se", first_name="Cilla")).registration
    frozen("2029-05-16 07:30")  # sign in on the morning of the event
    client.force_login(staff_factory("door", events=[event]))
    return event, anna, cilla


def test_door_staff_check_in_with_one_tap_and_land_back_on_their_search(client, door, frozen):
    event, anna, _ = door
    frozen("2029-05-16 07:42")

    response = client.post(_action(event, anna, "checkin"), {"client_id": str(uuid.uuid4()), "q": "asa"})

    assert response.status_code == 302
    assert response["Location"] == _list(event, f"?q=asa#p{anna.pk}")  # back to the person tapped
    page = client.get(response["Location"]).content.decode()
    assert "Åsa Öst checkades in kl. 07.42." in page
    assert "Incheckad 07.42" in page and "Ångra" in page and "Bok utlämnad" in page
    assert CheckIn.objects.get().registration == anna


def test_a_double_tap_from_the_same_page_is_one_check_in_and_a_second_device_is_told(client, door, frozen):
    event, anna, _ = door
    frozen("2029-05-16 07:42")
    page_id = str(uuid.uuid4())
    client.post(_action(event, anna, "checkin"), {"client_id": page_id})
    client.post(_action(event, anna, "checkin"), {"client_id": page_id})
    assert CheckIn.objects.count() == 1

    frozen("2029-05-16 07:50")
    response = client.post(_action(event, anna, "checkin"), {"client_id": str(uuid.uuid4())}, follow=True)

    assert "Åsa Öst var redan incheckad kl. 07.42." in response.content.decode()
    assert CheckIn.objects.count() == 1


def test_book_undo_and_counters(client, door):
    event, anna, _ = door
    client.post(_action(event, anna, "checkin"))
    client.post(_action(event, anna, "book"))
    counts = client.get(_list(event)).context["counts"]
    assert (counts.arrived, counts.expected, counts.books) == (1, 1, 1)

    client.post(_action(event, anna, "unbook"))
    client.post(_action(event, anna, "undo"))

    counts = client.get(_list(event)).context["counts"]
    assert (counts.arrived, counts.books) == (0, 0)


def test_an_undo_from_a_page_out_of_date_leaves_a_newer_check_in_from_another_phone(client, door, frozen):
    """Phone A shows Anna arrived at 07.40; phone B undoes and checks her in again at 07.50; A's
    Undo (its form names the 07.40 arrival it showed) does not take back B's check-in."""
    event, anna, _ = door
    frozen("2029-05-16 07:40")
    client.post(_action(event, anna, "checkin"), {"client_id": str(uuid.uuid4())})
    page_a = client.get(_list(event)).content.decode()
    shown = re.search(rf'/{anna.pk}/undo/".*?name="arrived" value="([^"]+)"', page_a).group(1)
    frozen("2029-05-16 07:50")
    client.post(_action(event, anna, "undo"))  # phone B, from a fresh page without the field
    client.post(_action(event, anna, "checkin"), {"client_id": str(uuid.uuid4())})

    response = client.post(_action(event, anna, "undo"), {"arrived": shown}, follow=True)

    assert (
        "checkades in igen kl. 07.50 på en annan enhet; den incheckningen gäller."
        in response.content.decode()
    )
    assert CheckIn.objects.get().checked_in_at == stockholm(2029, 5, 16, 7, 50)

    fresh = client.get(_list(event)).content.decode()
    newest = re.search(rf'/{anna.pk}/undo/".*?name="arrived" value="([^"]+)"', fresh).group(1)
    client.post(_action(event, anna, "undo"), {"arrived": newest})
    assert not CheckIn.objects.exists()  # an undo of what the page shows works


def test_a_waitlisted_person_is_refused_with_a_message(client, door):
    event, _, cilla = door

    response = client.post(_action(event, cilla, "checkin"), follow=True)

    assert "Cilla Svensson står på väntelistan och har ingen plats." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_get_or_an_unknown_action_changes_nothing(client, door):
    event, anna, _ = door
    assert client.get(_action(event, anna, "checkin")).status_code == 405
    assert client.post(_action(event, anna, "explode")).status_code == 404
    assert not CheckIn.objects.exists()


def test_the_code_field_checks_in_by_code_and_explains_an_unknown_one(client, door):
    event, anna, _ = door
    code = codes.issue_code(anna)

    response = client.post(_code(event), {"code": code.lower().replace("-", "") + "\n"}, follow=True)
    assert "Åsa Öst checkades in" in response.content.decode()
    assert 'placeholder="K7QX-2MPA" autofocus' in response.content.decode()  # ready for the next scan
    assert CheckIn.objects.get().registration == anna

    response = client.post(_code(event), {"code": "ZZZZ-ZZZZ"}, follow=True)
    assert "Ingen på det här evenemanget har koden ”ZZZZ-ZZZZ”" in response.content.decode()


def test_the_check_in_code_is_no_personal_link(client, door):
    _, anna, _ = door
    code = codes.issue_code(anna)

    for token in (code, codes.normalise(code)):
        assert links.registration_for_token(token) is None
        assert client.get(f"/r/{token}/").status_code == 404


def test_door_staff_of_another_event_cannot_check_in(client, door, staff_factory, event_factory):
    event, anna, _ = door
    client.force_login(staff_factory("door", events=[event_factory()]))

    assert client.post(_action(event, anna, "checkin")).status_code == 404
    assert client.post(_code(event), {"code": codes.issue_code(anna)}).status_code == 404
    assert not CheckIn.objects.exists()


def test_door_list_with_check_ins_keeps_a_flat_query_count(client, staff_factory, event_factory):
    def event_with(count):
        event = event_factory()
        for n in range(count):
            person = make_person(f"p{n}-{event.pk}@example.se")
            registration = register(event=event, person=person).registration
            check_in(registration=registration, actor=None, at=stockholm(2029, 5, 16, 7, 40 + n))
        return event

    one, three = event_with(1), event_with(3)
    client.force_login(staff_factory("door", events=[one, three]))

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    assert count(_list(one)) == count(_list(three))
