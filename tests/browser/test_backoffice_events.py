"""An organiser creates a blank event, publishes it, two people register, the organiser moves the
start (seeing first who will be told), and then cancels: everyone's calendar follows."""

from __future__ import annotations

import re

import icalendar
import pytest
from playwright.sync_api import Page, expect

from frukost.events.models import Event
from tests.browser.conftest import deliver_mail, mail_to, sign_in
from tests.browser.texts import TEXTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ATTENDEES = ["anna@example.se", "bo@example.se"]


def field(page: Page, label: str):
    """The form field with exactly this label (optional fields add "(frivilligt)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(frivilligt\))?$"))


def calendar(message) -> tuple[str, icalendar.Event]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    parsed = icalendar.Calendar.from_ical(part.get_content())
    [entry] = parsed.walk("VEVENT")
    assert part.get_param("method") == str(parsed["method"])
    return str(parsed["method"]), entry


def register_through_the_public_page(new_context, url: str, first: str, email: str) -> None:
    texts = TEXTS["sv"]
    page = new_context().new_page()
    page.goto(url)
    page.get_by_label(texts["first_name"], exact=True).fill(first)
    page.get_by_label(texts["last_name"], exact=True).fill("Svensson")
    page.get_by_label(texts["email"], exact=True).fill(email)
    page.get_by_label(texts["member"], exact=True).check()
    page.get_by_role("button", name=texts["register"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["thank_you"])


def test_organiser_creates_publishes_moves_and_cancels_an_event(page, new_context, staff_factory, mail_dir):
    staff_factory("organiser", "arrangor@example.se")
    sign_in(page, "arrangor@example.se")

    page.get_by_role("link", name="Nytt tomt evenemang").click()
    field(page, "Rubrik").fill("Chefsfrukost: Leda med tillit")
    field(page, "Webbadress").fill("chefsfrukost-sundsvall")
    field(page, "Börjar").fill("2029-05-16T08:00")
    field(page, "Slutar").fill("2029-05-16T09:30")
    field(page, "Lokal").fill("Scandic Sundsvall City")
    field(page, "Ort").fill("Sundsvall")
    field(page, "Antal platser").fill("40")
    page.get_by_role("button", name="Spara som utkast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chefsfrukost: Leda med tillit")
    page.get_by_role("button", name="Publicera").click()
    expect(page.get_by_text("Evenemanget är publicerat")).to_be_visible()
    overview = page.url

    event = Event.objects.get()
    for email in ATTENDEES:
        register_through_the_public_page(new_context, event.get_absolute_url(), email.split("@")[0], email)
    confirmations = {email: mail_to(deliver_mail(mail_dir), email)[0] for email in ATTENDEES}

    page.get_by_role("link", name="Ändra", exact=True).click()
    field(page, "Börjar").fill("2029-05-16T08:30")
    field(page, "Slutar").fill("2029-05-16T10:00")
    page.get_by_role("button", name="Spara ändringar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meddela alla om ändringen?")
    expect(page.get_by_text("2 personer med plats och 0 på väntelistan får ett mejl")).to_be_visible()
    expect(page.get_by_text("Ämne:")).to_be_visible()
    page.get_by_role("button", name="Spara och meddela alla").click()
    expect(page.get_by_text("Dina ändringar är sparade.", exact=False)).to_be_visible()

    delivered = deliver_mail(mail_dir)
    for email in ATTENDEES:
        [_confirmation, update] = mail_to(delivered, email)
        assert update["Subject"] == "Ny tid: Chefsfrukost: Leda med tillit"
        _method, before = calendar(confirmations[email])
        method, after = calendar(update)
        assert method == "PUBLISH"
        assert str(after["uid"]) == str(before["uid"])
        assert after["sequence"] > before["sequence"]

    page.goto(overview)
    page.get_by_role("link", name="Ställ in evenemanget").click()
    expect(page.get_by_text("Alla 2 anmälda och 0 på väntelistan får besked via mejl")).to_be_visible()
    page.get_by_role("button", name="Ställ in och meddela alla").click()
    expect(page.get_by_text("Evenemanget är inställt.", exact=False)).to_be_visible()

    delivered = deliver_mail(mail_dir)
    for email in ATTENDEES:
        *_, cancellation = mail_to(delivered, email)
        method, entry = calendar(cancellation)
        assert (method, str(entry["status"])) == ("CANCEL", "CANCELLED")
        assert entry["sequence"] > calendar(confirmations[email])[1]["sequence"]
    public = new_context().new_page()
    public.goto(event.get_absolute_url())
    expect(public.get_by_text("Inställt", exact=True).first).to_be_visible()
