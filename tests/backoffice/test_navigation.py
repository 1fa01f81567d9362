"""The back office's menus: every entry leads somewhere, and each role sees only what it may open."""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from frukost.backoffice.navigation import EVENT_MENU, ORGANISATION_MENU

pytestmark = pytest.mark.django_db

ORG = "akademikerforbundet-ssr"


def _backoffice_names() -> set[str]:
    namespace = get_resolver().namespace_dict["backoffice"][1]
    return {f"backoffice:{name}" for name in namespace.reverse_dict if isinstance(name, str)}


def test_every_menu_entry_and_the_pages_under_it_exist():
    names = _backoffice_names()

    missing = [
        name
        for entry in ORGANISATION_MENU + EVENT_MENU
        for name in (entry.url_name, *entry.also)
        if name not in names
    ]

    assert missing == []


def test_event_tabs_mark_the_section_of_a_page_below_it(client, staff_factory, event, person):
    from frukost.registrations.services import register

    registration = register(event=event, person=person("anna@example.se")).registration
    client.force_login(staff_factory("organiser"))

    page = client.get(f"/backoffice/{ORG}/evenemang/{event.pk}/anmalningar/{registration.pk}/")

    current = [line for line in page.content.decode().splitlines() if 'aria-current="page"' in line]
    assert len(current) == 1
    assert ">Anmälningar<" in current[0]


def test_door_staff_see_only_the_door_list_in_the_menus(client, staff_factory, event):
    client.force_login(staff_factory("door", events=[event]))

    page = client.get(f"/backoffice/{ORG}/evenemang/{event.pk}/entrelista/").content.decode()

    assert page.count('class="bo-nav"') == 0  # no organisation menu entry a door member may open
    assert "Anmälningar" not in page
    assert "Entrélista" in page


def test_a_page_not_for_ones_role_explains_itself_in_swedish(client, staff_factory, event):
    client.force_login(staff_factory("door", events=[event]))

    response = client.get(f"/backoffice/{ORG}/evenemang/{event.pk}/anmalningar/")

    assert response.status_code == 403
    assert "<h1>Inte för din roll</h1>" in response.content.decode()
