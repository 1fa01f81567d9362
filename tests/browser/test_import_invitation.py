"""An organiser pastes the seed invitation, checks the filled form, saves, and sees the event page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frukost.events.models import Event
from tests.browser.conftest import sign_in

SEED = Path(__file__).resolve().parents[2] / "src/frukost/importer/data/chefsfrukost-leda-med-tillit.txt"


def field(page, label: str):
    """The form field with exactly this label (optional fields add "(frivilligt)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(frivilligt\))?$"))


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_creates_the_event_by_pasting_the_invitation(page, staff_factory, time_machine):
    time_machine.move_to("2026-11-26 12:00:00+01:00", tick=True)
    staff_factory("organiser", "arrangor@example.se")

    sign_in(page, "arrangor@example.se")
    page.get_by_role("link", name="Nytt evenemang från inbjudan").click()
    page.get_by_label("Inbjudans text").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_label("Antal platser").fill("60")
    page.get_by_role("button", name="Läs in inbjudan").click()

    assert field(page, "Rubrik").input_value() == "Chefsfrukost: Leda med tillit"
    assert field(page, "Samtalsledare").input_value() == "Hanna Broberg"
    assert field(page, "Börjar").input_value() == "2029-05-16T08:00"
    assert field(page, "Slutar").input_value() == "2029-05-16T09:30"
    assert field(page, "Frukost serveras från").input_value() == "2029-05-16T07:30"
    assert field(page, "Lokal").input_value() == "Scandic Sundsvall City"
    assert field(page, "Gatuadress").input_value() == "Trädgårdsgatan 31-33"
    assert field(page, "Sista anmälningsdag").input_value() == "2029-05-01"
    assert field(page, "Kontaktperson").input_value() == "Julia Wålbrink"
    assert field(page, "E-post till kontaktperson").input_value() == "julia.walbrink@akademssr.se"
    page.get_by_role("button", name="Spara evenemanget").click()
    page.get_by_role("button", name="Publicera").click()

    event = Event.objects.get(title="Chefsfrukost: Leda med tillit")
    page.goto(event.get_absolute_url())
    main = page.get_by_role("main")
    for fact in [
        "Chefsfrukost: Leda med tillit",
        "Hanna Broberg",
        "kl. 08.00–09.30",
        "Frukost serveras från kl. 07.30",
        "Scandic Sundsvall City",
        "Trädgårdsgatan 31-33",
        "tisdag 1 maj 2029",
        "julia.walbrink@akademssr.se",
    ]:
        expect(main.get_by_text(fact, exact=False).first, fact).to_be_visible()
