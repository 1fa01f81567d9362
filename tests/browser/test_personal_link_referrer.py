"""The personal link's URL is a secret: no request from its pages carries it as a Referer, and
its forms (change, cancel, the language switch) still work in Chromium (issue 7)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.browser.conftest import deliver_mail, mail_to, personal_link
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_personal_pages_send_no_referrer_and_their_forms_work(page, site, event, mail_dir, tmp_path):
    register(event=event, person=make_person("anna@example.se"))
    link = personal_link(mail_to(deliver_mail(mail_dir), "anna@example.se")[0], site)
    token = link.rstrip("/").rsplit("/", 1)[1]
    requests = []
    page.on("request", lambda request: requests.append(request))

    page.goto(link)
    page.get_by_label("Arbetsplats").fill("Timrå kommun")
    page.get_by_role("button", name="Spara ändringarna").click()
    expect(page.get_by_role("status")).to_have_text("Dina ändringar är sparade.")
    page.screenshot(path=str(tmp_path / "personal-1280.png"), full_page=True)
    page.get_by_role("button", name="In English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="På svenska").click()
    page.get_by_role("link", name="Avanmäl dig").click()
    page.get_by_role("button", name="Ja, avanmäl mig").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är avanmäld")

    anna = Registration.objects.get(email="anna@example.se")
    assert (anna.workplace, anna.status) == ("Timrå kommun", Status.CANCELLED)
    seen = [(request.url, request.all_headers()) for request in requests]
    static = [url for url, _headers in seen if "/static/" in url]
    posts = [headers for url, headers in seen if token in url and headers.get("origin")]
    assert static, "the pages load their stylesheet and script: those requests are checked"
    assert len(posts) == 4  # save, two language switches, cancel
    assert [url for url, headers in seen if token in headers.get("referer", "")] == []
    assert [url for url, headers in seen if "referer" in headers and site in headers["referer"]] == []
    # What made Django's CSRF check refuse these forms before they were exempted:
    assert {headers["origin"] for headers in posts} == {"null"}
