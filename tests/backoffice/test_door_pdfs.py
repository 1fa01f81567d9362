"""The door list and badges PDFs in the back office: who may print them, and at what cost."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.events.models import Organisation
from frukost.registrations.services import register
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

VIEWS = ["backoffice:event-door-list-pdf", "backoffice:event-badges-pdf"]


def _url(name, event):
    return reverse(name, args=[event.organisation.slug, event.pk])


@pytest.mark.parametrize(
    ("name", "filename"),
    [("backoffice:event-door-list-pdf", "dorrlista"), ("backoffice:event-badges-pdf", "namnbrickor")],
)
def test_door_pdfs_download_for_the_door_staff_of_the_event(
    client, staff_factory, event_factory, name, filename
):
    given = event_factory()
    register(event=given, person=make_person("asa@example.se", first_name="Åsa", last_name="Öström"))
    client.force_login(staff_factory("door", events=[given]))

    response = client.get(_url(name, given))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}-{given.slug}.pdf"'
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("name", VIEWS)
def test_door_pdfs_answer_404_to_door_staff_of_another_event_and_another_organisation(
    client, staff_factory, event_factory, name
):
    given, other = event_factory(), event_factory()
    client.force_login(staff_factory("door", events=[given]))
    assert client.get(_url(name, other)).status_code == 404

    vision = Organisation.objects.create(name="Vision", slug="vision")
    client.force_login(staff_factory("organiser", of=vision))
    assert client.get(_url(name, given)).status_code == 404


@pytest.mark.parametrize("name", VIEWS)
def test_door_pdfs_open_for_an_organiser(client, staff_factory, event_factory, name):
    event = event_factory()
    client.force_login(staff_factory("organiser"))

    assert client.get(_url(name, event)).status_code == 200


def test_door_list_page_links_both_pdfs(client, staff_factory, event_factory):
    event = event_factory()
    client.force_login(staff_factory("door", events=[event]))

    page = client.get(
        reverse("backoffice:event-door", args=[event.organisation.slug, event.pk])
    ).content.decode()

    assert f'href="{_url(VIEWS[0], event)}">Entrélista att skriva ut (PDF)</a>' in page
    assert f'href="{_url(VIEWS[1], event)}">Namnbrickor (PDF)</a>' in page


@pytest.mark.parametrize("name", VIEWS)
def test_door_pdfs_query_count_is_flat(client, staff_factory, event_factory, colleague, name):
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

    def count(event):
        client.get(_url(name, event))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(name, event)).status_code == 200
        return len(queries)

    assert count(one) == count(three)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize(
    ("language", "filename", "words"),
    [
        ("sv", "dorrlista", ["Med plats (1)", "Arbetsplats", "Sida 1 av 1", "onsdag 16 maj 2029"]),
        ("en", "door-list", ["With a seat (1)", "Workplace", "Page 1 of 1", "Wednesday 16 May 2029"]),
    ],
)
def test_door_list_pdf_follows_the_language_of_the_person_printing(
    client, staff_factory, event_factory, language, filename, words
):
    event = event_factory()
    register(event=event, person=make_person("asa@example.se", first_name="Åsa", last_name="Öström"))
    client.force_login(staff_factory("door", events=[event]))
    client.cookies["frukost_language"] = language

    response = client.get(_url(VIEWS[0], event))

    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, check=True, capture_output=True
    ).stdout.decode()
    assert response["Content-Disposition"] == f'attachment; filename="{filename}-{event.slug}.pdf"'
    assert [word in text for word in words] == [True] * len(words), text
    assert "Öström, Åsa" in text
