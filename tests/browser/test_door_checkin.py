"""Door staff at phone size: check in by name with one tap, hand out the book, undo, and check
in by typing the code as a USB scanner does (characters, then Enter). No JavaScript needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frukost.checkin import codes
from frukost.checkin.models import CheckIn
from frukost.registrations.services import register
from tests.browser.conftest import sign_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def test_door_staff_check_in_by_name_and_by_code_on_a_phone(page, staff_factory, event_factory):
    event = event_factory(capacity=3)
    asa = register(
        event=event, person=make_person("asa@example.se", first_name="Åsa", last_name="Öberg")
    ).registration
    bo = register(
        event=event, person=make_person("bo@example.se", first_name="Bo", last_name="Ek")
    ).registration
    register(event=event, person=make_person("cilla@example.se", first_name="Cilla", last_name="Berg"))
    staff_factory("door", "door@example.se", events=[event], two_factor=False)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "door@example.se", two_factor=False)
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/entrelista/")

    page.get_by_label("Sök ett namn").press_sequentially("asa ob")  # filtered as one types
    expect(page.locator(".bo-door-rows tr:visible")).to_have_count(1)
    expect(page.locator(".bo-door-rows tr:visible")).to_contain_text("Öberg, Åsa")
    page.get_by_label("Sök ett namn").fill("asa")
    page.get_by_role("button", name="Sök").click()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Checka in", exact=True).last.click()

    expect(page.locator(".bo-messages")).to_contain_text("Åsa Öberg checkades in kl.")
    assert page.evaluate("window.stillTheSamePage === true")  # door.js swapped the list in place
    expect(page.get_by_label("Sök ett namn")).to_have_value("asa")  # the search is kept
    expect(page.locator(".bo-door-done").first).to_contain_text("Incheckad")
    page.get_by_role("button", name="Bok utlämnad").click()
    expect(page.locator(".bo-door-counts")).to_contain_text("Böcker1")

    page.get_by_label("Skriv eller skanna koden").fill(codes.issue_code(bo).lower())
    page.keyboard.press("Enter")  # what a scanner does after typing the code
    expect(page.locator(".bo-messages")).to_contain_text("Bo Ek checkades in kl.")
    expect(page.locator(".bo-door-counts")).to_contain_text("Har kommit2 / 3")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "door-checkin-phone.png"), full_page=True)

    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/entrelista/?q=ek")
    page.get_by_role("button", name="Ångra", exact=True).click()
    expect(page.locator(".bo-messages")).to_contain_text("Incheckningen av Bo Ek är ångrad.")
    assert list(CheckIn.objects.values_list("registration_id", flat=True)) == [asa.pk]


def test_the_door_list_works_without_javascript(new_context, staff_factory, event_factory):
    event = event_factory()
    register(event=event, person=make_person("bo@example.se", first_name="Bo", last_name="Ek"))
    staff_factory("door", "door@example.se", events=[event], two_factor=False)
    page = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, "door@example.se", two_factor=False)
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/entrelista/")

    page.get_by_role("button", name="Checka in", exact=True).last.click()

    expect(page.locator(".bo-messages")).to_contain_text("Bo Ek checkades in kl.")
    expect(page.locator(".bo-door-counts")).to_contain_text("Har kommit1 / 1")
    page.get_by_role("button", name="Bok utlämnad").click()
    expect(page.locator(".bo-door-counts")).to_contain_text("Böcker1")
