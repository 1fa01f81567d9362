"""Errors a person can find and fix with a keyboard or a screen reader (WCAG 2.1 AA: 3.3.1, 3.3.3, 2.4.7)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.texts import TEXTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What assistive technology reads as a control's description: its own aria-describedby, or
# that of the fieldset it sits in (radio groups carry their error on the fieldset).
DESCRIPTION = """element => {
    const holder = element.hasAttribute("aria-describedby")
        ? element : element.closest("fieldset[aria-describedby]");
    if (!holder) return "";
    return holder.getAttribute("aria-describedby").split(" ")
        .map(id => document.getElementById(id)?.textContent.trim() ?? `missing #${id}`).join(" ");
}"""


def test_empty_form_shows_an_error_summary_tied_to_each_field(page, event):
    texts = TEXTS["sv"]
    page.goto(event.get_absolute_url())

    page.get_by_role("button", name=texts["register"], exact=True).click()

    assert page.title().startswith(texts["error_title"])
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(texts["error_summary"])
    expect(summary).to_be_focused()
    first_field = page.get_by_label(texts["first_name"], exact=True)
    above = "(s, f) => s.getBoundingClientRect().bottom <= f.getBoundingClientRect().top"
    assert summary.evaluate(above, first_field.element_handle())

    links = summary.get_by_role("link")
    assert links.count() == 4  # first name, last name, e-mail, membership
    for link in links.all():
        target = page.locator(link.get_attribute("href"))
        expect(target).to_have_attribute("aria-invalid", "true")
        described_as = target.evaluate(DESCRIPTION)  # "Fel: Detta fält måste fyllas i."
        assert described_as.startswith(texts["error_title"])
        assert link.inner_text().endswith(described_as.removeprefix(texts["error_title"]))

    links.first.click()
    expect(first_field).to_be_focused()


def test_keyboard_focus_is_visible(page, event):
    page.goto(event.get_absolute_url())

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.get_by_label(TEXTS["sv"]["first_name"], exact=True).focus()
    page.keyboard.press("Tab")

    last_name = page.get_by_label(TEXTS["sv"]["last_name"], exact=True)
    expect(last_name).to_be_focused()
    outline = last_name.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline
