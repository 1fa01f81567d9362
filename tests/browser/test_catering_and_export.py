"""An organiser sets the venue contact, sends the catering list, prints it and exports registrations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frukost.catering.models import CateringList
from frukost.registrations.services import register
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set FRUKOST_SCREENSHOTS=/some/dir to keep phone and desktop screenshots of the pages.
SHOTS = os.environ.get("FRUKOST_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width, label in ((390, "phone"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{label}.png", full_page=True)


def test_organiser_sends_catering_list_and_exports(
    page, staff_factory, event, person, colleague, time_machine
):
    time_machine.move_to("2029-04-20 10:00:00+02:00", tick=True)
    staff_factory("organiser", "arrangor@example.se")
    register(
        event=event,
        person=person(
            "anna@example.se", first_name="Anna", diets=["vegetarian", "gluten"], diet_other="Laktosfri"
        ),
        colleagues=[colleague("bo@example.se")],
    )
    register(event=event, person=person("cilla@example.se", first_name="Cilla", diets=["vegan"]))

    sign_in(page, "arrangor@example.se")
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/")
    page.get_by_role("link", name="Förtäring").click()
    page.get_by_label("E-post till kontaktpersonen på lokalen").fill("kok@scandic.example")
    page.get_by_label("Extra böcker").fill("5")
    page.get_by_role("button", name="Spara").click()
    shoot(page, "catering")
    page.get_by_role("link", name="Skicka till lokalen").click()
    shoot(page, "catering-send")
    page.get_by_role("button", name="Skicka till lokalen").click()

    assert "Listan för förtäring är på väg till kok@scandic.example." in page.content()
    assert CateringList.objects.get().headcount == 3
    page.get_by_role("link", name="Utskriftsvänlig lista").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Förtäring: Chefsfrukost: Leda med tillit"
    assert "Anna" not in page.content()
    shoot(page, "catering-print")

    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/")
    page.get_by_role("link", name="Export", exact=True).click()
    page.get_by_label("CSV (semikolonseparerad, för Excel)").check()
    shoot(page, "export")
    page.get_by_role("button", name="Ladda ned").click()
    page.get_by_label("Lösenord").fill("ett-langt-losenord")
    with page.expect_download() as info:
        page.get_by_role("button", name="Verifiera").click()
    download = info.value

    content = Path(download.path()).read_bytes().decode("utf-8-sig")
    assert download.suggested_filename.startswith(f"anmalningar-{event.slug}-")
    assert content.splitlines()[0] == "Förnamn;Efternamn;E-post;Arbetsplats;Befattning;Status"
