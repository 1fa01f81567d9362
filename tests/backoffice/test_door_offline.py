"""The two endpoints door.js works offline with: the door list as JSON, and the sync of queued taps."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.checkin import codes
from frukost.checkin.device import code_key
from frukost.checkin.models import CheckIn
from frukost.checkin.services import check_in
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db

SENSITIVE = {
    "membership": "member",
    "diets": ["gluten"],
    "diet_other": "Laktosfri",
    "other_needs": "Teleslinga",
}


def _data(event):
    return reverse("backoffice:event-door-data", args=[event.organisation.slug, event.pk])


def _sync(event):
    return reverse("backoffice:event-door-sync", args=[event.organisation.slug, event.pk])


def _post(client, event, payload, **headers):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(_sync(event), body, content_type="application/json", **headers)


def _tap(action, registration, at="2029-05-16T07:42:00+02:00", client_id=None):
    return {
        "op": action,
        "registration": registration.pk,
        "client_id": str(client_id or uuid.uuid4()),
        "at": at,
    }


@pytest.fixture
def door(event_factory, staff_factory, client, frozen):
    event = event_factory(capacity=2)
    asa = make_person(
        "asa@example.se", first_name="Åsa", last_name="Öst", workplace="Sundsvalls kommun", **SENSITIVE
    )
    anna = register(event=event, person=asa).registration
    bo = register(
        event=event, person=make_person("bo@example.se", first_name="Bo", last_name="Ek")
    ).registration
    cilla = register(event=event, person=make_person("cilla@example.se", first_name="Cilla")).registration
    frozen("2029-05-16 07:50")
    client.force_login(staff_factory("door", events=[event]))
    return event, anna, bo, cilla


def test_the_door_list_json_holds_what_the_door_needs_and_nothing_sensitive(client, door):
    event, anna, bo, cilla = door
    code = codes.issue_code(anna)
    check_in(registration=anna, actor=None, at=stockholm(2029, 5, 16, 7, 40))

    response = client.get(_data(event))

    assert response.status_code == 200 and response["Cache-Control"] == "no-store, private"
    data = response.json()
    first = bo = data["people"][0]
    assert [person["last_name"] for person in data["people"]] == ["Ek", "Svensson", "Öst"]
    keys = ("first_name", "status", "confirmed", "checked_in_at", "walk_in", "key")
    assert {key: first[key] for key in keys} == {
        "first_name": "Bo",
        "status": "registered",
        "confirmed": True,
        "checked_in_at": None,
        "walk_in": False,
        "key": None,  # no code issued to Bo: nothing to match
    }
    asa = data["people"][2]
    assert (asa["search"], asa["workplace"], asa["status"]) == ("asa ost", "Sundsvalls kommun", "registered")
    assert asa["checked_in_at"] == "2029-05-16T05:40:00+00:00"
    assert asa["key"] == code_key(data["salt"], code) and len(asa["key"]) == 8
    assert data["people"][1]["status"] == "waitlisted"
    assert asa["colleague_of"] == "" and bo["colleague_of"] == ""
    text = response.content.decode()
    for secret in ("gluten", "Laktosfri", "Teleslinga", "member", "asa@example.se", codes.normalise(code)):
        assert secret not in text, secret


def test_the_door_list_json_names_whose_colleague_someone_is(client, door, colleague, frozen):
    event, *_ = door
    frozen("2029-05-01 12:00")
    register(
        event=event,
        person=make_person("dan@example.se", first_name="Dan"),
        colleagues=[colleague("eva@example.se", first_name="Eva", last_name="Ek")],
    )
    frozen("2029-05-16 07:50")

    people = {person["first_name"]: person for person in client.get(_data(event)).json()["people"]}

    assert (people["Eva"]["colleague_of"], people["Dan"]["colleague_of"]) == ("Dan Svensson", "")


def test_the_door_list_json_never_loads_special_category_columns_and_is_one_query(client, door):
    event, *_ = door
    client.get(_data(event))

    with CaptureQueriesContext(connection) as queries:
        client.get(_data(event))

    registration_queries = [q["sql"] for q in queries if "registrations_registration" in q["sql"]]
    assert len(registration_queries) == 1
    for column in ("membership", "diets", "diet_other", "other_needs", "email"):
        assert f'"{column}"' not in registration_queries[0], column


def test_the_door_list_json_keeps_a_flat_query_count(client, staff_factory, event_factory):
    def event_with(count):
        event = event_factory()
        for n in range(count):
            registration = register(
                event=event, person=make_person(f"p{n}-{event.pk}@example.se")
            ).registration
            codes.issue_code(registration)
            check_in(registration=registration, actor=None)
        return event

    one, three = event_with(1), event_with(3)
    client.force_login(staff_factory("door", events=[one, three]))

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    assert count(_data(one)) == count(_data(three))


def test_sync_applies_taps_with_their_time_and_answers_each(client, door):
    event, anna, _, cilla = door
    first = _tap("checkin", anna, at="2029-05-16T05:40:00.000Z")

    response = _post(client, event, {"operations": [first, _tap("book", anna), _tap("checkin", cilla)]})

    assert response.status_code == 200
    answer = response.json()
    assert [(r["op"], r["status"], r["message"]) for r in answer["results"]] == [
        ("checkin", "done", "Åsa Öst checkades in kl. 07.40."),
        ("book", "done", "Boken är utlämnad till Åsa Öst."),
        ("checkin", "refused", "Cilla Svensson står på väntelistan och har ingen plats."),
    ]
    assert answer["results"][0]["client_id"] == first["client_id"]
    assert answer["counts"] == {"arrived": 1, "expected": 2, "books": 1, "walk_ins": 0}
    assert CheckIn.objects.get().registration == anna


def test_sync_tells_the_second_device_who_was_first(client, door, staff_factory):
    event, anna, _, _ = door
    _post(client, event, {"operations": [_tap("checkin", anna, at="2029-05-16T07:42:00+02:00")]})
    client.force_login(staff_factory("door", events=[event]))

    response = _post(client, event, {"operations": [_tap("checkin", anna, at="2029-05-16T07:44:00+02:00")]})

    assert response.json()["results"][0]["message"] == "Åsa Öst var redan incheckad kl. 07.42 (annan enhet)."
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(
    "body, language, message",
    [
        ("{not json", "sv", "Synkningen är ingen giltig JSON."),
        ("{not json", "en", "The sync request is not valid JSON."),
        (b"\xff\xfe", "sv", "Synkningen är ingen giltig JSON."),
        (
            {"operations": [{"op": "explode"}]},
            "sv",
            "Operation 1: okänd op; använd checkin, undo, book eller unbook.",
        ),
        (
            {"operations": [{"op": "explode"}]},
            "en",
            "Operation 1: unknown op; use checkin, undo, book or unbook.",
        ),
        ({"ops": []}, "en", "The sync request must be a JSON object with a list of operations."),
        ("[" * 100_000, "en", "The sync request is not valid JSON."),  # nesting deep enough to recurse
        (
            {"operations": [{"op": "checkin", "registration": 10**30}]},
            "en",
            "Operation 1: registration must be an id.",
        ),
    ],
)
def test_sync_refuses_bad_input_with_a_400_in_the_pages_language(client, door, body, language, message):
    event, *_ = door
    client.cookies["frukost_language"] = language

    response = _post(client, event, body, HTTP_ACCEPT_LANGUAGE=language)

    assert (response.status_code, response.json()) == (400, {"error": message})


def test_sync_naming_another_events_person_is_a_400_and_applies_nothing(client, door, event_factory, frozen):
    event, anna, _, _ = door
    frozen("2029-05-01 12:00")
    stranger = register(event=event_factory(), person=make_person("x@example.se")).registration
    frozen("2029-05-16 07:50")

    response = _post(client, event, {"operations": [_tap("checkin", anna), _tap("checkin", stranger)]})

    assert response.status_code == 400
    assert response.json() == {"error": f"Ingen på det här evenemanget har anmälnings-id {stranger.pk}."}
    assert not CheckIn.objects.exists()


def test_sync_wants_post_and_a_csrf_token(door, staff_factory):
    from django.test import Client

    event, anna, _, _ = door
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_factory("door", events=[event]))
    assert strict.get(_sync(event)).status_code == 405
    assert _post(strict, event, {"operations": [_tap("checkin", anna)]}).status_code == 403
    strict.get(reverse("backoffice:event-door", args=[event.organisation.slug, event.pk]))
    token = strict.cookies["csrftoken"].value

    response = _post(strict, event, {"operations": [_tap("checkin", anna)]}, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 200
    assert CheckIn.objects.count() == 1


def test_door_staff_of_another_event_get_404_organisers_200_and_anonymous_the_sign_in(
    client, door, staff_factory, event_factory
):
    event, anna, _, _ = door
    client.force_login(staff_factory("door", events=[event_factory()]))
    assert client.get(_data(event)).status_code == 404
    assert _post(client, event, {"operations": [_tap("checkin", anna)]}).status_code == 404

    client.force_login(staff_factory("organiser"))
    assert client.get(_data(event)).status_code == 200
    assert _post(client, event, {"operations": []}).json() == {
        "results": [],
        "counts": {"arrived": 0, "expected": 2, "books": 0, "walk_ins": 0},
    }

    client.logout()
    response = client.get(_data(event))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not CheckIn.objects.exists()


def test_sync_costs_the_same_queries_for_each_further_tap(client, door):
    event, anna, _, _ = door

    def queries_for(taps):
        CheckIn.objects.all().delete()
        operations = [_tap("checkin", anna) for _ in range(taps)]  # then: already checked in
        with CaptureQueriesContext(connection) as queries:
            assert _post(client, event, {"operations": operations}).status_code == 200
        return len(queries)

    queries_for(1)  # the first request of a session writes to it
    one, three, five = queries_for(1), queries_for(3), queries_for(5)
    assert five - three == three - one  # the people are read once; each tap costs the same
