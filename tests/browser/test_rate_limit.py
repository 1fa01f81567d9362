"""A burst of registrations from one client gets the kind "wait a few minutes" page, never an
error, while a person elsewhere registers as usual."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from frukost.registrations.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = "Just nu kommer väldigt många anmälningar. Vänta några minuter och skicka formuläret igen."


def register_once(page, url: str, number: int):
    page.goto(url)
    page.get_by_label("Förnamn", exact=True).fill("Person")
    page.get_by_label("Efternamn", exact=True).fill(f"Nummer {chr(65 + number)}")
    page.get_by_label("E-post", exact=True).fill(f"person{number}@example.se")
    page.get_by_label("Jag vill inte svara", exact=True).check()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Anmäl dig", exact=True).click()
    return navigation.value


def test_a_burst_from_one_client_is_asked_to_wait_while_another_registers(
    browser, site, settings, event_factory, tmp_path
):
    # The live server stands where a proxy would: it appends the client's address.
    settings.FRUKOST_BEHIND_PROXY = True
    settings.FRUKOST_RATELIMIT_PER_IP = 3
    event = event_factory(capacity=60)
    url = site + event.get_absolute_url()
    burst = browser.new_context(locale="sv-SE", extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    other = browser.new_context(locale="sv-SE", extra_http_headers={"X-Forwarded-For": "198.51.100.4"})
    try:
        page = burst.new_page()
        statuses = [register_once(page, url, n).status for n in range(5)]

        assert statuses == [200, 200, 200, 429, 429]  # thank-you pages (after the redirect), then "wait"
        expect(page.get_by_role("alert")).to_contain_text(WAIT)
        expect(page.get_by_label("E-post", exact=True)).to_have_value("person4@example.se")
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.locator("#error-summary").scroll_into_view_if_needed()
            page.screenshot(path=tmp_path / f"rate-limited-{width}.png")

        elsewhere = other.new_page()
        register_once(elsewhere, url, 20)
        expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Tack för din anmälan!")
    finally:
        burst.close()
        other.close()

    assert Registration.objects.filter(event=event).count() == 4


def test_a_burst_of_data_requests_from_one_client_is_asked_to_wait(browser, site, settings, tmp_path):
    settings.FRUKOST_BEHIND_PROXY = True
    settings.FRUKOST_RATELIMIT_DATA_REQUESTS_PER_IP = 2
    burst = browser.new_context(locale="sv-SE", extra_http_headers={"X-Forwarded-For": "203.0.113.9"})
    try:
        page = burst.new_page()
        statuses = []
        for n in range(3):
            page.goto(site + "/mina-uppgifter/")
            page.get_by_label("Din e-postadress", exact=True).fill(f"person{n}@example.se")
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name="Skicka länken till mig", exact=True).click()
            statuses.append(navigation.value.status)

        assert statuses == [200, 200, 429]
        expect(page.get_by_role("alert")).to_contain_text("Vänta några minuter och skicka formuläret igen.")
        expect(page.get_by_label("Din e-postadress", exact=True)).to_have_value("person2@example.se")
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=tmp_path / f"data-request-wait-{width}.png", full_page=True)
    finally:
        burst.close()
