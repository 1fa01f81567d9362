"""An organiser finds a registration, reads its history and cancels it on the person's behalf;
door staff look a name up on the door list."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.browser.conftest import sign_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# FRUKOST_SCREENSHOTS=/some/dir keeps a phone and a desktop picture of each page walked.
SCREENSHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def _picture(page, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width, label in ((390, "phone"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{label}.png"), full_page=True)


@pytest.fixture
def full_event(event_factory, colleague):
    event = event_factory(capacity=3, custom_question="Vad vill du fråga Hanna?")
    register(
        event=event,
        person=make_person(
            "anna@example.se", workplace="Sundsvalls kommun", diets=["gluten"], answer="Om tillit"
        ),
        colleagues=[colleague("bo@example.se")],
    )
    register(event=event, person=make_person("asa@example.se", first_name="Åsa", last_name="Öberg"))
    register(event=event, person=make_person("cilla@example.se", first_name="Cilla", last_name="Berg"))
    return event


def test_organiser_cancels_a_registration_on_behalf_and_the_queue_moves_up(page, staff_factory, full_event):
    staff_factory("organiser", "julia@example.se")
    sign_in(page, "julia@example.se")

    base = f"/backoffice/{full_event.organisation.slug}/evenemang/{full_event.pk}"
    page.goto(f"{base}/vantelista/")
    expect(page.locator("tbody tr")).to_have_count(1)
    _picture(page, "waiting-list")
    page.goto(f"{base}/anmalningar/ny/")
    _picture(page, "registration-add")
    page.goto(f"{base}/anmalningar/")
    _picture(page, "registration-table")
    page.get_by_label("Sök på namn, e-post eller arbetsplats").fill("Öberg")
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Visar 1–1 av 1")
    page.get_by_role("link", name="Öberg, Åsa").click()
    _picture(page, "registration-detail")
    page.get_by_role("link", name="Avanmäl").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Avanmäla Åsa Öberg?")
    _picture(page, "registration-cancel")
    page.get_by_role("button", name="Avanmäl").click()

    expect(page.get_by_text("Åsa Öberg är avanmäld.")).to_be_visible()
    expect(page.locator(".bo-timeline")).to_contain_text("av julia@example.se")
    _picture(page, "registration-after-cancel")
    assert Registration.objects.get(email="asa@example.se").status == Status.CANCELLED
    assert Registration.objects.get(email="cilla@example.se").has_open_offer  # offered the seat


def test_door_staff_find_a_name_without_its_accents(page, staff_factory, full_event):
    staff_factory("door", "door@example.se", events=[full_event], two_factor=False)
    sign_in(page, "door@example.se", two_factor=False)

    page.goto(f"/backoffice/{full_event.organisation.slug}/evenemang/{full_event.pk}/entrelista/")
    _picture(page, "door-list")
    page.get_by_label("Sök ett namn").fill("asa oberg")
    page.get_by_role("button", name="Sök").click()

    rows = page.locator(".bo-table--door tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Öberg, Åsa")
    expect(page.locator("body")).not_to_contain_text("Gluten")
