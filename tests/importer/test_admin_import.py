"""The admin page "New event from invitation", walked with Django's test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event, Organisation

pytestmark = pytest.mark.django_db

URL = "/admin/events/event/import/"
SAVED_FACTS = [
    "title", "host_name", "host_role", "venue_name", "street_address", "city", "gift", "contact_name",
    "contact_email", "registration_deadline", "starts_at", "ends_at", "doors_at", "capacity",
]  # fmt: skip


@pytest.fixture
def organiser(organisation):
    user = get_user_model().objects.create_user("organiser", "o@example.se", "a-long-password", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_event", "change_event", "add_event"])
    )
    organisation.members.add(user)
    return user


@pytest.fixture
def other_organisation(db):
    return Organisation.objects.create(name="Vision", slug="vision")


def read(client, text, organisation, capacity=60):
    return client.post(
        URL, {"step": "read", "text": text, "organisation": organisation.pk, "capacity": capacity}
    )


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


def test_invitation_import_changelist_links_to_page(client, organiser):
    client.force_login(organiser)

    page = client.get("/admin/events/event/").content.decode()

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
    assert initial["starts_at"].year >= 2027
    page = response.content.decode()
    assert 'value="Chefsfrukost: Leda med tillit"' in page
    assert 'name="starts_at" value="' in page
    assert response.context["warnings"] == list(response.context["warnings"])  # shown as a list


def test_invitation_import_shows_warnings(client, organiser, organisation):
    client.force_login(organiser)

    response = read(client, "Frukost\n\nMåndag 16 maj 2029 kl. 8–9.30", organisation)

    warnings = response.context["warnings"]
    assert len(warnings) >= 1
    assert warnings[0] in response.content.decode()


def test_invitation_import_saves_event_with_the_same_facts(client, organiser, organisation, seed_text):
    client.force_login(organiser)
    filled = read(client, seed_text, organisation)
    expected = filled.context["event_form"].initial

    response = client.post(URL, filled_form_data(filled))

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_event_change", args=[event.pk])
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
    data = filled_form_data(filled) | {"status": EventStatus.PUBLISHED}
    client.post(URL, data)
    event = Event.objects.get()

    page = client.get(event.get_absolute_url()).content.decode()

    for fact in [
        "Leda med tillit",
        "Hanna Broberg",
        "Scandic Sundsvall City",
        "Trädgårdsgatan 31-33",
        "08.00",
    ]:
        assert fact in page, fact


def test_invitation_import_organiser_cannot_pick_another_organisation(
    client, organiser, organisation, other_organisation, seed_text
):
    client.force_login(organiser)

    choices = client.get(URL).context["text_form"].fields["organisation"].queryset
    response = read(client, seed_text, other_organisation)

    assert list(choices) == [organisation]
    assert response.context["event_form"] is None
    assert "organisation" in response.context["text_form"].errors


def test_invitation_import_organiser_cannot_save_into_another_organisation(
    client, organiser, organisation, other_organisation, seed_text
):
    client.force_login(organiser)
    filled = read(client, seed_text, organisation)

    response = client.post(URL, filled_form_data(filled) | {"organisation": other_organisation.pk})

    assert response.status_code == 200
    assert "organisation" in response.context["event_form"].errors
    assert Event.objects.count() == 0


def test_invitation_import_superuser_may_pick_any_organisation(client, organisation, other_organisation):
    admin = get_user_model().objects.create_superuser("root", "root@example.se", "a-long-password")
    client.force_login(admin)

    choices = client.get(URL).context["text_form"].fields["organisation"].queryset

    assert set(choices) == {organisation, other_organisation}


def test_invitation_import_requires_add_permission(client, organisation):
    viewer = get_user_model().objects.create_user("viewer", "v@example.se", "a-long-password", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_event"))
    organisation.members.add(viewer)
    client.force_login(viewer)

    assert client.get(URL).status_code == 403


def test_invitation_import_requires_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
