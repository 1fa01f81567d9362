"""The "still coming?" e-mail as a person uses it: opened from the mail directory, its button
followed, "I can't come" pressed; the seat is offered to the first on the waiting list.

Set FRUKOST_SCREENSHOTS=/some/dir to keep phone screenshots of the pages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register, send_still_coming_reminders, still_coming_send_at
from tests.browser.conftest import deliver_mail, mail_to
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_a_person_who_cannot_come_gives_the_seat_to_the_waiting_list(page, site, mail_dir, event_factory):
    event = event_factory(capacity=1)
    register(event=event, person=make_person("anna@example.se"))
    register(event=event, person=make_person("bo@example.se", first_name="Bo"))
    deliver_mail(mail_dir)
    # The worker's round at the send time (two days before, 09.00 Stockholm time).
    assert send_still_coming_reminders(now=still_coming_send_at(event)) == 1
    [reminder] = [
        m for m in mail_to(deliver_mail(mail_dir), "anna@example.se") if m["Subject"].startswith("Kommer du")
    ]
    assert reminder["Subject"] == "Kommer du fortfarande? Chefsfrukost: Leda med tillit"
    html = reminder.get_body(("html",)).get_content()

    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content(html)
    shoot(page, "still-coming-mail-390")
    page.get_by_role("link", name="Kan du inte komma? Säg till").click()

    expect(page).to_have_url(re.compile(re.escape(site) + r"/r/[^/]+/kommer-du/$"))
    expect(page.get_by_role("heading", name="Kan du inte komma?")).to_be_visible()
    expect(
        page.get_by_text("Om du inte kan komma: säg till, så går platsen till någon på väntelistan.")
    ).to_be_visible()
    shoot(page, "still-coming-page-390")
    page.get_by_role("button", name="Jag kan inte komma").click()

    expect(page.get_by_role("heading", name="Tack för att du sa till")).to_be_visible()
    shoot(page, "still-coming-done-390")
    page.reload()  # a GET of the page afterwards: nothing more happens
    expect(page.get_by_role("heading", name="Tack för att du sa till")).to_be_visible()
    statuses = dict(Registration.objects.filter(event=event).values_list("email", "status"))
    # The freed seat goes through the claim window: offered to Bo (tests/browser/test_claim_window.py).
    assert statuses == {"anna@example.se": Status.CANCELLED, "bo@example.se": Status.WAITLISTED}
    later = deliver_mail(mail_dir)
    assert [m["Subject"].strip() for m in mail_to(later, "bo@example.se")][-1] == (
        "En plats är ledig för dig: Chefsfrukost: Leda med tillit"
    )
    assert [m["Subject"].strip() for m in mail_to(later, "anna@example.se")][-1] == (
        "Avanmälan bekräftad: Chefsfrukost: Leda med tillit"
    )
