"""An owner looks at an event's statistics, writes to its attendees and reads the audit log.

Set FRUKOST_SCREENSHOTS=/some/dir to keep screenshots of each page (phone and desktop).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.messaging.models import Announcement
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.browser.conftest import sign_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FRUKOST_SCREENSHOTS", "")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def busy_event(event_factory, colleague):
    now = timezone.now()
    event = event_factory(
        capacity=12,
        max_colleagues=1,
        starts_at=now + dt.timedelta(days=16),
        ends_at=now + dt.timedelta(days=16, hours=2),
        registration_deadline=timezone.localdate() + dt.timedelta(days=9),
    )
    memberships = ["member", "not_member", "member", "undisclosed", "member"]
    for number in range(14):
        register(
            event=event,
            person=make_person(f"p{number}@example.se", first_name=f"Person{number}",
                               membership=memberships[number % 5], language="sv" if number % 4 else "en"),
            colleagues=[colleague(f"c{number}@example.se")] if number % 5 == 0 else (),
        )  # fmt: skip
    for index, registration in enumerate(Registration.objects.filter(event=event).order_by("id")):
        Registration.objects.filter(pk=registration.pk).update(
            created_at=now - dt.timedelta(days=max(0, 10 - index // 2), hours=index)
        )
    return event


def test_owner_reads_statistics_sends_a_message_and_reads_the_audit_log(page, staff_factory, busy_event):
    staff_factory("owner", "agnes@example.se")
    sign_in(page, "agnes@example.se")
    base = f"/backoffice/{busy_event.organisation.slug}/evenemang/{busy_event.pk}"

    page.goto(f"{base}/statistik/")
    expect(page.get_by_role("img", name="Anmälningar hittills, per dag")).to_be_visible()
    expect(page.get_by_role("img", name="Medlemmar bland dem som har plats")).to_be_visible()
    shoot(page, "statistics")

    page.goto(f"{base}/utskick/")
    page.get_by_role("link", name="Skriv ett utskick").click()
    page.get_by_label("De som har en plats").check()
    page.get_by_label("Ämne", exact=True).fill("Ny lokal: Sal B")
    page.get_by_label("Meddelande", exact=True).fill(
        "Vi har flyttat till Sal B på plan 2.\n\nVarmt välkommen!"
    )
    shoot(page, "message-new")
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="På engelska")).to_be_visible()
    shoot(page, "message-preview")
    page.get_by_role("button", name="Skicka till 12 personer").click()

    expect(page.get_by_text("Ditt utskick är på väg till 12 personer.")).to_be_visible()
    assert OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT).count() == 12
    # The text went through the preview's hidden fields with its paragraphs intact.
    assert Announcement.objects.get().body == "Vi har flyttat till Sal B på plan 2.\n\nVarmt välkommen!"
    shoot(page, "message-detail")
    page.goto(f"{base}/utskick/")
    shoot(page, "messages")

    page.goto(f"/backoffice/{busy_event.organisation.slug}/handelselogg/")
    expect(page.get_by_role("cell", name="Utskick till deltagarna")).to_be_visible()
    shoot(page, "audit-log")
