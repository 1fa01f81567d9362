"""A person asks for future invitations, reads the organisation's privacy notice, and changes their mind;
an owner sets the retention periods and sees the invitation list."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frukost.contacts.models import Contact
from tests.browser.conftest import deliver_mail, mail_to, personal_link, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set FRUKOST_SCREENSHOTS=/some/dir to keep screenshots of the pages at 390 and 1280 px.
SHOTS = os.environ.get("FRUKOST_SCREENSHOTS")


def shoot(page, name: str) -> None:
    """The whole page, in parts of 1,200 px (readable one by one)."""
    if not SHOTS:
        return
    width = page.viewport_size["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    for part, top in enumerate(range(0, height, 1200)):
        clip = {"x": 0, "y": top, "width": width, "height": min(1200, height - top)}
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{part}.png"), full_page=True, clip=clip)


@pytest.mark.parametrize("width", [390, 1280])
def test_consent_notice_and_withdrawal_as_a_person_does_it(new_context, event, mail_dir, site, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(event.get_absolute_url())

    page.get_by_label("Förnamn", exact=True).fill("Anna")
    page.get_by_label("Efternamn", exact=True).fill("Svensson")
    page.get_by_label("E-post", exact=True).fill("anna@example.se")
    page.get_by_label("Ja, jag är medlem").check()
    box = page.get_by_label(
        "Ja, skicka mig inbjudningar till kommande evenemang från Akademikerförbundet SSR"
    )
    expect(box).not_to_be_checked()
    box.check()
    expect(page.get_by_text("Då sparar vi ditt namn, din e-postadress")).to_be_visible()
    expect(page.get_by_text("Specialkost och andra behov raderas dagen efter evenemanget")).to_be_visible()
    shoot(page, f"form-{width}")
    page.get_by_role("button", name="Anmäl dig").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Tack")
    assert list(Contact.objects.values_list("email", flat=True)) == ["anna@example.se"]

    page.goto(event.get_absolute_url())
    page.locator(".privacy-note").get_by_role("link", name="integritetspolicy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Integritetspolicy")
    expect(page.get_by_text("Raderas dagen efter evenemanget.")).to_be_visible()
    shoot(page, f"notice-{width}")

    message = mail_to(deliver_mail(mail_dir), "anna@example.se")[0]
    assert f"{site}/akademikerforbundet-ssr/integritet/" in message.get_body(("plain",)).get_content()
    page.goto(personal_link(message, site))
    box = page.get_by_label(
        "Ja, skicka mig inbjudningar till kommande evenemang från Akademikerförbundet SSR"
    )
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Spara ändringar").click()

    expect(page.get_by_text("Dina ändringar är sparade.")).to_be_visible()
    assert Contact.objects.count() == 0


def test_an_owner_sets_the_periods_and_reads_the_invitation_list(new_context, staff_factory, event):
    from frukost.contacts.services import record_consent

    staff_factory("owner", "agnes@example.se")
    record_consent(
        organisation=event.organisation, email="anna@example.se", first_name="Anna", last_name="Svensson",
        workplace="Sundsvalls kommun", text="Ja, skicka mig inbjudningar …", event=event,
    )  # fmt: skip
    page = new_context(viewport={"width": 390, "height": 900}).new_page()
    sign_in(page, "agnes@example.se")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/backoffice/akademikerforbundet-ssr/installningar/")
        page.get_by_label("Specialkost och andra behov: dagar efter evenemanget").fill("45")
        page.get_by_role("button", name="Spara lagringstiderna").click()
        expect(page.get_by_text("Skriv ett heltal från 1 till 30 (dagar).").first).to_be_visible()
        page.get_by_label("Specialkost och andra behov: dagar efter evenemanget").fill("2")
        page.get_by_role("button", name="Spara lagringstiderna").click()
        expect(page.get_by_text("Lagringstiderna är sparade.")).to_be_visible()
        shoot(page, f"settings-{width}")
        page.get_by_role("link", name="Vill ha inbjudningar").first.click()
        expect(page.locator(".bo-contacts td.bo-members__email")).to_have_text("anna@example.se")
        shoot(page, f"contacts-{width}")
