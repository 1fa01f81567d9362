"""The back-office page "New event from invitation", walked with Django's test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event, Organisation

pytestmark = pytest.mark.django_db

URL = "/backoffice/akademikerforbundet-ssr/evenemang/fran-inbjudan/"
SAVED_FACTS = [
    "title", "host_name", "host_role", "venue_name", "street_address", "city", "gift", "contact_name",
    "contact_email", "registration_deadline", "starts_at", "ends_at", "doors_at", "capacity",
]  # fmt: skip


@pytest.fixture
def organiser(staff_factory):
    return staff_factory("organiser")


@pytest.fixture
def other_organisation(db):
    return Organisation.objects.create(name="Vision", slug="vision")


def read(client, text, organisation, capacity=60):
    return client.post(URL, {"step": "read", "text": text, "capacity": capacity})


def filled_form_data(response) -> dict:
    """What the browser would send back: every field's rendered value."""
    form = response.context["event_form"]
    data = {"step": "save"}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if isinstance(value, dt.datetime):
            value = value.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = value.pk
        data[field.name] = value
    return data


def test_invitation_import_event_list_links_to_page(client, organiser):
    client.force_login(organiser)

    page = client.get("/backoffice/akademikerforbundet-ssr/").content.decode()

    assert f'href="{URL}"' in page


def test_invitation_import_fills_form_from_pasted_seed(client, organiser, organisation, seed_text):
    client.force_login(organiser)

    response = read(client, seed_text, organisation)

    initial = response.context["event_form"].initial
    assert response.status_code == 200
    assert initial["title"] == "Chefsfrukost: Leda med tillit"
    assert initial["host_name"] == "Hanna Broberg"
    assert initial["host_role"] == "chefsstrateg på Akademikerförbundet SSR"
    assert initial["venue_name"] == "Scandic Sundsvall City"
    assert initial["street_address"] == "Trädgårdsgatan 31-33"
    assert initial["city"] == "Sundsvall"
    assert initial["contact_name"] == "Julia Wålbrink"
    assert initial["contact_email"] == "julia.walbrink@akademssr.se"
    assert initial["gift"] == "boken Leda med tillit"
    assert initial["capacity"] == 60
    assert initial["slug"] == "chefsfrukost-leda-med-tillit"
    assert initial["starts_at"] == dt.datetime(2029, 5, 16, 8, 0, tzinfo=STOCKHOLM)
    page = response.content.decode()
    assert 'value="Chefsfrukost: Leda med tillit"' in page
    assert 'name="starts_at" value="' in page
    assert "organisation" not in response.context["event_form"].fields  # the one in the address


def test_invitation_import_shows_warnings(client, organiser, organisation):
    client.force_login(organiser)

    response = read(client, "Frukost\n\nMåndag 16 maj 2029 kl. 8–9.30", organisation)

    warnings = response.context["warnings"]
    page = response.content.decode()
    assert warnings == [
        "I inbjudan står det måndag, men 2029-05-16 är en onsdag. Kontrollera datumet.",
        "Ingen samtalsledare (den som leder samtalet) hittades.",
        "Ingen lokal hittades.",
        "Ingen gatuadress hittades.",
        "Ingen ort hittades.",
        "Ingen sista anmälningsdag hittades.",
        "Ingen kontaktperson hittades.",
        "Ingen e-postadress till kontaktperson hittades.",
    ]
    assert [warning for warning in warnings if f"<li>{warning}</li>" not in page] == []


def test_invitation_import_saves_event_with_the_same_facts(client, organiser, organisation, seed_text):
    client.force_login(organiser)
    filled = read(client, seed_text, organisation)
    expected = filled.context["event_form"].initial

    response = client.post(URL, filled_form_data(filled))

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:event", args=[organisation.slug, event.pk])
    assert event.organisation == organisation
    assert event.status == EventStatus.DRAFT
    for name in SAVED_FACTS:
        assert getattr(event, name) == expected[name], name
    assert event.questions_list == expected["questions"].splitlines()
    assert event.lead == expected["lead"]
    assert event.body.replace("\r\n", "\n") == expected["body"]


def test_invitation_import_saved_event_page_shows_the_facts(client, organiser, organisation, seed_text):
    client.force_login(organiser)
    filled = read(client, seed_text, organisation)
    client.post(URL, filled_form_data(filled))
    event = Event.objects.get()
    client.post(reverse("backoffice:event-publish", args=[organisation.slug, event.pk]))

    page = client.get(event.get_absolute_url()).content.decode()

    for fact in [
        "Leda med tillit",
        "Hanna Broberg",
        "Scandic Sundsvall City",
        "Trädgårdsgatan 31-33",
        "08.00",
    ]:
        assert fact in page, fact


def test_invitation_import_answers_404_for_another_organisation(client, organiser, other_organisation):
    client.force_login(organiser)

    response = client.get(f"/backoffice/{other_organisation.slug}/evenemang/fran-inbjudan/")

    assert response.status_code == 404


def test_invitation_import_saves_into_the_organisation_in_the_address_only(
    client, organiser, organisation, other_organisation, seed_text
):
    client.force_login(organiser)
    filled = read(client, seed_text, organisation)

    client.post(URL, filled_form_data(filled) | {"organisation": other_organisation.pk})

    assert list(Event.objects.values_list("organisation", flat=True)) == [organisation.pk]


def test_invitation_import_refuses_an_address_already_taken(client, organiser, organisation, seed_text):
    client.force_login(organiser)
    filled = read(client, seed_text, organisation)
    client.post(URL, filled_form_data(filled))

    response = client.post(URL, filled_form_data(filled))

    assert response.status_code == 200
    assert list(response.context["event_form"].errors) == ["slug"]
    assert Event.objects.count() == 1


def test_invitation_import_is_refused_to_door_staff(client, staff_factory):
    client.force_login(staff_factory("door"))

    assert client.get(URL).status_code == 403


def test_invitation_import_requires_two_factor_for_organisers(client, staff_factory):
    client.force_login(staff_factory("organiser", two_factor=False))

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:two-factor-required")


def test_invitation_import_requires_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_invitation_import_saves_a_draft_whatever_status_is_sent(client, organiser, organisation, seed_text):
    client.force_login(organiser)
    filled = read(client, seed_text, organisation)

    client.post(URL, filled_form_data(filled) | {"status": EventStatus.PUBLISHED})

    assert list(Event.objects.values_list("status", flat=True)) == [EventStatus.DRAFT]


def test_invitation_import_refuses_times_that_do_not_fit_with_the_reasons(
    client, organiser, organisation, seed_text
):
    client.force_login(organiser)
    filled = read(client, seed_text, organisation)
    data = filled_form_data(filled) | {
        "starts_at": "2029-05-16T08:00",
        "ends_at": "2029-05-16T07:00",
        "doors_at": "2029-05-16T09:00",
        "registration_deadline": "2029-06-01",
    }

    response = client.post(URL, data)

    assert response.status_code == 200
    assert sorted(response.context["event_form"].errors) == ["doors_at", "ends_at", "registration_deadline"]
    assert Event.objects.count() == 0
