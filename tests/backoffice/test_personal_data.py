"""The event's "Personal data" page: what is still stored, when it goes, what was kept as counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.events.models import Organisation
from frukost.privacy.retention import run_retention
from frukost.registrations.services import cancel_registration, register
from tests.conftest import worker_keeps_up

pytestmark = pytest.mark.django_db


def url(event) -> str:
    return f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/personuppgifter/"


def rows(page: str) -> dict[str, tuple[str, str]]:
    """kind -> (stored, goes), the cells' text without markup."""
    found = {}
    for kind, cells in re.findall(r'<tr id="kind-(\w+)">(.*?)</tr>', page, flags=re.DOTALL):
        stored, goes = re.findall(r"<td[^>]*>(.*?)</td>", cells, flags=re.DOTALL)
        found[kind] = tuple(" ".join(re.sub(r"<.*?>", "", text).split()) for text in (stored, goes))
    return found


@pytest.fixture
def held(event, person, frozen):
    frozen("2029-04-20 10:00")
    register(event=event, person=person("anna@example.se", diets=("vegan",), membership="member"))
    register(event=event, person=person("bo@example.se", membership="not_member"))
    cissi = register(event=event, person=person("cissi@example.se")).registration
    cancel_registration(registration=cissi)
    worker_keeps_up()
    return event


def test_personal_data_page_says_what_is_stored_and_when_it_goes(client, staff_factory, held, frozen):
    frozen("2029-05-01 10:00")
    client.force_login(staff_factory("organiser"))  # after moving the clock (sessions have an idle limit)

    page = client.get(url(held)).content.decode()

    assert rows(page) == {
        "identity": ("2 anmälningar", "Raderas torsdag 16 maj 2030"),
        "cancelled": ("1 anmälan", "Raderas onsdag 23 maj 2029"),
        "needs": ("1 anmälan", "Raderas torsdag 17 maj 2029"),
        "catering_notes": ("0 listor", "Inget sparat (skulle ha raderats 17 maj 2029)"),
        "membership": ("3 anmälningar", "Raderas fredag 15 juni 2029"),
        "links": ("2 länkar", "Raderas fredag 15 juni 2029"),
        "old_mail": (
            "4 e-postmeddelanden",
            "Raderas 90 dagar efter att vart och ett skrevs, senast torsdag 16 maj 2030",
        ),
        "feedback": ("0 svar", "Inget sparat (skulle ha raderats 16 maj 2030)"),
    }
    assert "Sparat som antal" not in page


def test_personal_data_page_after_erasure_says_when_and_shows_the_counts_kept(
    client, staff_factory, held, frozen
):
    frozen("2029-06-15 03:00")
    run_retention()
    client.force_login(staff_factory("organiser"))

    page = client.get(url(held)).content.decode()

    found = rows(page)
    assert found["needs"] == ("0 anmälningar", "Raderat fredag 15 juni 2029")
    assert found["membership"] == ("0 anmälningar", "Raderat fredag 15 juni 2029")
    assert found["cancelled"] == ("0 anmälningar", "Raderat fredag 15 juni 2029")
    assert found["identity"] == ("2 anmälningar", "Raderas torsdag 16 maj 2030")
    kept = re.search(
        r'<section class="card bo-kept" aria-labelledby="kept-heading">.*?</section>', page, re.DOTALL
    ).group(0)
    text = " ".join(re.sub(r"<.*?>", " ", kept).split())
    assert "Medlemmar 1" in text and "Inte medlemmar 1" in text
    assert "Specialkost: vegansk 1" in text


def test_personal_data_page_is_closed_to_door_staff_and_other_organisations(client, staff_factory, held):
    other = Organisation.objects.create(name="Vision", slug="vision")
    client.force_login(staff_factory("door", events=[held]))
    door = client.get(url(held)).status_code
    client.force_login(staff_factory("owner", of=other))
    outsider = client.get(url(held)).status_code
    client.force_login(staff_factory("owner"))
    owner = client.get(url(held)).status_code

    assert (door, outsider, owner) == (403, 404, 200)


def test_personal_data_page_query_count_is_flat(client, staff_factory, event_factory, person, frozen):
    organiser = staff_factory("organiser")
    counts = []
    for size in (1, 3):
        event = event_factory()
        frozen("2029-04-01 09:00")
        for number in range(size):
            register(event=event, person=person(f"p{number}-{size}@example.se", diets=("vegan",)))
        worker_keeps_up()
        frozen("2029-06-15 09:00")
        run_retention()
        client.force_login(organiser)
        client.get(url(event))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(event)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_registration_table_says_the_answers_were_erased_and_gives_the_counts_kept(
    client, staff_factory, held, frozen
):
    frozen("2029-06-15 03:00")
    run_retention()
    client.force_login(staff_factory("organiser"))

    page = client.get(f"/backoffice/{held.organisation.slug}/evenemang/{held.pk}/anmalningar/?diet=vegan")

    notice = re.search(
        r'<div class="notice" id="erased-answers">(.*?)</div>', page.content.decode(), re.DOTALL
    )
    text = " ".join(re.sub(r"<.*?>", " ", notice.group(1)).split())
    assert text == (
        "Specialkost och andra behov raderades fredag 15 juni 2029 (gallring), så tabellen kan inte visa "
        "eller filtrera dem. Sparat som antal: vegansk 1. Svaren om medlemskap raderades fredag 15 juni "
        "2029. Sparat som antal: 1 medlemmar, 1 inte medlemmar, 0 ville inte svara."
    )


def test_registration_table_names_anonymised_rows_as_such(client, staff_factory, held, frozen):
    frozen("2029-05-23 03:00")
    run_retention()
    client.force_login(staff_factory("organiser"))

    page = client.get(f"/backoffice/{held.organisation.slug}/evenemang/{held.pk}/anmalningar/?sort=name")

    names = re.findall(r'<td><a href="[^"]+">(.*?)</a>', page.content.decode())
    assert names == ["(avidentifierad)", "Svensson, Anna", "Svensson, Anna"]
