"""Door staff at phone size add someone who never registered: a few fields, one tap, checked in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frukost.checkin.models import CheckIn
from frukost.registrations.services import register
from tests.browser.conftest import sign_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def test_door_staff_add_a_walk_in_on_a_phone_and_are_refused_when_full(page, staff_factory, event_factory):
    event = event_factory(capacity=2)
    register(event=event, person=make_person("bo@example.se", first_name="Bo", last_name="Ek"))
    staff_factory("door", "door@example.se", events=[event], two_factor=False)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "door@example.se", two_factor=False)
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/entrelista/")

    page.get_by_role("link", name="Lägg till på plats").click()
    expect(page.get_by_label("Förnamn")).to_be_focused()  # ready to type at once
    expect(page.get_by_text("1 plats är ledig.")).to_be_visible()
    page.get_by_label("Förnamn").fill("Åsa")
    page.get_by_label("Efternamn").fill("Lindqvist-Öhman")
    page.get_by_label("Arbetsplats").fill("Region Västernorrland")
    _shot(page, "door-walk-in-form-phone.png")
    page.get_by_role("button", name="Lägg till och checka in").click()

    expect(page.locator(".bo-messages")).to_contain_text("Åsa Lindqvist-Öhman tillagd och incheckad kl.")
    expect(page.locator(".bo-door-counts")).to_contain_text("Tillagda på plats1")
    expect(page.locator(".bo-door-counts")).to_contain_text("Har kommit1 / 2")
    row = page.locator(".bo-door-rows tr", has_text="Lindqvist-Öhman")
    expect(row).to_contain_text("På plats")
    expect(row).to_contain_text("Incheckad")
    _shot(page, "door-walk-in-done-phone.png")
    assert CheckIn.objects.get().walk_in

    page.get_by_role("link", name="Lägg till på plats").click()
    page.get_by_label("Förnamn").fill("Cilla")
    page.get_by_label("Efternamn").fill("Berg")
    page.get_by_role("button", name="Lägg till och checka in").click()

    expect(page.get_by_role("alert")).to_contain_text("Fullt – be en arrangör avgöra.")
    expect(page.get_by_role("button", name="Ge en plats utöver antalet platser")).to_have_count(0)
    expect(page.get_by_label("Efternamn")).to_have_value("Berg")  # nothing typed is lost
    _shot(page, "door-walk-in-full-phone.png")
    assert CheckIn.objects.count() == 1


def test_an_organiser_gives_a_seat_beyond_capacity_at_desktop_width(page, staff_factory, event_factory):
    event = event_factory(capacity=1)
    register(event=event, person=make_person("bo@example.se", first_name="Bo", last_name="Ek"))
    staff_factory("organiser", "julia@example.se")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "julia@example.se")
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/entrelista/pa-plats/")

    expect(page.get_by_text("Alla platser är tagna.")).to_be_visible()
    page.get_by_label("Förnamn").fill("Cilla")
    page.get_by_label("Efternamn").fill("Berg")
    page.get_by_label("E-post").fill("cilla@example.se")
    _shot(page, "door-walk-in-organiser-desktop.png")
    page.get_by_role("button", name="Ge en plats utöver antalet platser").click()

    expect(page.locator(".bo-messages")).to_contain_text("Cilla Berg tillagd och incheckad kl.")
    expect(page.locator(".bo-door-counts")).to_contain_text("Har kommit1 / 2")
    assert CheckIn.objects.get().registration.email == "cilla@example.se"
