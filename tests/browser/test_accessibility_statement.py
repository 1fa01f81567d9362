"""The accessibility statement reflows on a narrow phone like every other public page (WCAG 1.4.10)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_accessibility_statement_needs_no_sideways_scrolling(new_context, site, settings, width):
    settings.FRUKOST_ACCESSIBILITY_CONTACT = "tillganglighet@example.se"
    page = new_context(viewport={"width": width, "height": 800}).new_page()

    page.goto(site + "/tillganglighet/")

    # A soft hyphen lets the long Swedish word break where a reader expects it.
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.replace("\u00ad", "").startswith("Tillgänglighetsredogörelse för")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
