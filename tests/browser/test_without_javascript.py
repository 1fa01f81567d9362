"""Registration is plain HTML: it works with JavaScript switched off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from tests.browser.test_newcomer import fill_registration
from tests.browser.texts import TEXTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registration_works_without_javascript(new_context, event):
    texts = TEXTS["sv"]
    page = new_context(java_script_enabled=False).new_page()
    page.goto(event.get_absolute_url())

    page.get_by_role("button", name=texts["register"], exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(texts["error_summary"])
    fill_registration(page, texts, first="Anna", last="Svensson", email="anna@example.se")
    page.get_by_role("button", name=texts["register"], exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(texts["thank_you"])
    assert Registration.objects.get(email="anna@example.se").status == Status.REGISTERED
