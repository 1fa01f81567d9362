"""The door list: names, workplace, colleague of, seat or queue; never membership, diets or needs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.events.models import Organisation
from frukost.registrations.services import cancel_registration, register
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

SENSITIVE = {
    "membership": "member",
    "diets": ["gluten"],
    "diet_other": "Laktosfri",
    "other_needs": "Teleslinga",
}


def _url(event, query=""):
    return reverse("backoffice:event-door", args=[event.organisation.slug, event.pk]) + query


def _names(response) -> list[str]:
    return [p.full_name for p in response.context["people"]]


@pytest.fixture
def guests(event_factory, colleague):
    event = event_factory(capacity=2)
    register(
        event=event,
        person=make_person(
            "asa@example.se", first_name="Åsa", last_name="Öström", workplace="Sundsvalls kommun", **SENSITIVE
        ),
        colleagues=[colleague("bo@example.se", first_name="Bo", last_name="Ek")],
    )
    register(
        event=event, person=make_person("cilla@example.se", first_name="Cilla", last_name="Berg", **SENSITIVE)
    )
    gone = register(
        event=event, person=make_person("dan@example.se", first_name="Dan", last_name="Ahl")
    ).registration
    cancel_registration(registration=gone)
    return event


def test_door_list_shows_names_workplace_colleague_and_status_to_door_staff(client, staff_factory, guests):
    client.force_login(staff_factory("door", events=[guests]))

    response = client.get(_url(guests))

    page = response.content.decode()
    assert response.status_code == 200
    assert _names(response) == ["Cilla Berg", "Bo Ek", "Åsa Öström"]
    assert "Sundsvalls kommun" in page
    assert "<strong>Öström</strong>, Åsa" in page
    assert [p.status for p in response.context["people"]] == ["waitlisted", "registered", "registered"]
    assert '<td data-label="Kollega till">Åsa Öström</td>' in page  # Bo is Åsa's colleague
    for secret in ("Gluten", "gluten", "Laktosfri", "Teleslinga", "medlem", "asa@example.se"):
        assert secret not in page, secret


def test_door_list_never_loads_special_category_columns(client, staff_factory, guests):
    client.force_login(staff_factory("door", events=[guests]))
    client.get(_url(guests))

    with CaptureQueriesContext(connection) as queries:
        client.get(_url(guests))

    registration_queries = [q["sql"] for q in queries if "registrations_registration" in q["sql"]]
    assert registration_queries
    for sql in registration_queries:
        for column in ("membership", "diets", "diet_other", "other_needs", "email"):
            assert f'"{column}"' not in sql, column


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("asa", ["Åsa Öström"]),
        ("ÖSTRÖM", ["Åsa Öström"]),
        ("ostrom asa", ["Åsa Öström"]),
        ("e", ["Cilla Berg", "Bo Ek"]),
        ("zz", []),
    ],
)
def test_door_list_search_ignores_case_and_diacritics(client, staff_factory, guests, query, expected):
    client.force_login(staff_factory("door", events=[guests]))

    response = client.get(_url(guests), {"q": query})

    assert _names(response) == expected


def test_door_list_answers_404_for_an_event_door_staff_were_not_given(client, staff_factory, event_factory):
    given, other = event_factory(), event_factory()
    client.force_login(staff_factory("door", events=[given]))

    assert client.get(_url(other)).status_code == 404
    assert client.get(_url(given)).status_code == 200


def test_door_list_answers_404_to_another_organisation(client, staff_factory, guests):
    vision = Organisation.objects.create(name="Vision", slug="vision")
    client.force_login(staff_factory("organiser", of=vision))

    assert client.get(_url(guests)).status_code == 404
    assert client.get(_url(guests).replace(guests.organisation.slug, "vision")).status_code == 404


def test_door_list_opens_for_an_organiser(client, staff_factory, guests):
    client.force_login(staff_factory("organiser"))

    assert _names(client.get(_url(guests))) == ["Cilla Berg", "Bo Ek", "Åsa Öström"]


def test_door_list_query_count_is_flat(client, staff_factory, event_factory, colleague):
    def event_with(count):
        event = event_factory()
        for n in range(count):
            register(
                event=event,
                person=make_person(f"p{n}@example.se"),
                colleagues=[colleague(f"c{n}@example.se")],
            )
        return event

    one, three = event_with(1), event_with(3)
    client.force_login(staff_factory("door", events=[one, three]))

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    assert count(_url(one)) == count(_url(three))
