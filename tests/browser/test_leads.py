"""The union's local representative signs in, lands on the leads, marks one contacted and exports CSV."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frukost.contacts.models import Lead
from frukost.contacts.services import record_lead
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set FRUKOST_SCREENSHOTS=/some/dir to keep phone and desktop screenshots of the pages.
SHOTS = os.environ.get("FRUKOST_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{label}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def yes(event, email, first_name, last_name, workplace, job_title, kind, answers):
    return record_lead(
        organisation=event.organisation,
        event=event,
        registration_id=None,
        first_name=first_name,
        last_name=last_name,
        email=email,
        workplace=workplace,
        job_title=job_title,
        language="sv",
        kind=kind,
        answers=answers,
        consent_text="Ja, Akademikerförbundet SSR:s lokalombud får kontakta mig om medlemskap.",
    )


def test_the_representative_marks_a_lead_contacted_and_exports_csv(new_context, staff_factory, event):
    staff_factory("representative", "ombud@example.se")
    answers = {"rating": 5, "most_useful": "Samtalet om tillit i grupper", "comment": "Gärna fler frukostar!"}
    yes(event, "asa.ostlund@example.se", "Åsa", "Östlund", "Sundsvalls kommun", "Enhetschef", "not_member",
        answers)  # fmt: skip
    yes(event, "bo.ek@example.se", "Bo", "Ek", "Region Västernorrland", "Avdelningschef", "colleague",
        {"rating": 4, "most_useful": "", "comment": ""})  # fmt: skip
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()

    sign_in(page, "ombud@example.se")

    assert page.get_by_role("heading", level=1).inner_text() == "Intresserade"
    assert page.url.endswith(f"/backoffice/{event.organisation.slug}/intresserade/")
    assert page.get_by_role("link", name="asa.ostlund@example.se", exact=True).get_attribute("href") == (
        "mailto:asa.ostlund@example.se"
    )
    shoot(page, "leads")
    row = page.get_by_role("row").filter(has_text="Åsa Östlund")
    row.get_by_label("Anteckning (frivillig)").fill("Ringde, vill ha ett möte i juni")
    row.get_by_role("button", name="Markera som kontaktad").click()

    assert "Åsa Östlund är markerad som kontaktad." in page.get_by_role("status").inner_text()
    row = page.get_by_role("row").filter(has_text="Åsa Östlund")
    assert "Ringde, vill ha ett möte i juni" in row.inner_text()
    assert Lead.objects.get(email="asa.ostlund@example.se").contacted_at is not None
    page.get_by_label("Kontaktad").select_option(label="Inte kontaktade än")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.get_by_role("row").filter(has_text="Åsa Östlund")).to_have_count(0)
    page.get_by_role("link", name="Visa alla").click()
    shoot(page, "leads-contacted")

    page.get_by_role("button", name="Exportera som CSV").click()
    # The file is personal data: the password again (as for the registrations' export).
    page.get_by_label("Lösenord").fill("ett-langt-losenord")
    with page.expect_download() as info:
        page.get_by_role("button", name="Verifiera").click()
    download = info.value

    lines = Path(download.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert download.suggested_filename.startswith(f"intresserade-{event.organisation.slug}-")
    assert lines[0].startswith("Förnamn;Efternamn;E-post;Arbetsplats;Befattning;Evenemang")
    assert sorted(line.split(";")[0] for line in lines[1:]) == ["Bo", "Åsa"]


def test_an_organiser_opens_an_events_leads_from_its_overview(page, staff_factory, event):
    staff_factory("organiser", "arrangor@example.se")
    yes(event, "asa.ostlund@example.se", "Åsa", "Östlund", "Sundsvalls kommun", "Enhetschef", "not_member",
        {"rating": 5, "most_useful": "Samtalet", "comment": ""})  # fmt: skip

    sign_in(page, "arrangor@example.se")
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/")
    page.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Intresserade").click()

    assert page.get_by_role("heading", level=2).first.inner_text() == "Intresserade"
    expect(page.get_by_role("row").filter(has_text="Åsa Östlund")).to_have_count(1)
    shoot(page, "event-leads")
