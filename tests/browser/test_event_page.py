"""Everything the printed invitation says is on the event page, readable on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_event_page_shows_every_fact_of_the_invitation_on_a_phone(new_context, event_factory):
    event = event_factory(
        body="Under många år har detaljregleringen ökat.",
        questions="Hur ser det ut i din verksamhet?\nKrävs det ett annat ledarskap?",
        postal_code="852 30",
    )
    page = new_context(viewport={"width": 390, "height": 844}).new_page()

    page.goto(event.get_absolute_url())

    expect(page.get_by_role("heading", level=1)).to_have_text("Chefsfrukost: Leda med tillit")
    for text in [
        "Hanna Broberg, chefsstrateg på Akademikerförbundet SSR",
        "Allt fler pratar om tillit.",
        "Under många år har detaljregleringen ökat.",
        "Hur ser det ut i din verksamhet?",
        "Krävs det ett annat ledarskap?",
        "Boken Leda med tillit",
        "onsdag 16 maj 2029",
        "kl. 08.00–09.30",
        "Frukost serveras från kl. 07.30",
        "Scandic Sundsvall City",
        "Trädgårdsgatan 31-33",
        "852 30 Sundsvall",
        "Anmäl dig senast tisdag 1 maj 2029",
        "Julia Wålbrink",
        "Anmälan är öppen",
    ]:
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Frågor att fundera på")).to_be_visible()
    expect(page.get_by_role("link", name="Visa på karta")).to_have_attribute(
        "href",
        "https://www.openstreetmap.org/search?query=Scandic+Sundsvall+City%2C+Tr%C3%A4dg%C3%A5rdsgatan+31-33%2C+852+30+Sundsvall",
    )
    expect(page.get_by_role("link", name="julia.walbrink@akademssr.se")).to_have_attribute(
        "href", "mailto:julia.walbrink@akademssr.se"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Lägg till i kalendern (.ics)").click()
    assert download.value.suggested_filename == f"{event.slug}.ics"
    assert "BEGIN:VEVENT" in download.value.path().read_text()
    # Nothing runs off the side of a phone screen, nor at 320 CSS pixels (WCAG 1.4.10, reflow).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
