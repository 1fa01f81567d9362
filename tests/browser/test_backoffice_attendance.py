"""The day after: an organiser closes the attendance, corrects a no-show who came after all and
reads the figures.

Set FRUKOST_SCREENSHOTS=/some/dir to keep screenshots of the pages (phone and desktop).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frukost.checkin.services import check_in
from frukost.events.models import Event
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
def yesterdays_breakfast(event_factory):
    """Five seats; three came through the door. The event was yesterday morning."""
    now = timezone.now()
    event = event_factory(
        capacity=5,
        starts_at=now + dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=3, hours=2),
        registration_deadline=None,
    )
    names = [("Åsa", "Östlund"), ("Bo", "Ek"), ("Cecilia", "Ahl"), ("David", "Berg"), ("Elin", "Lind")]
    people = [
        register(
            event=event,
            person=make_person(f"{first.lower()}@example.se", first_name=first, last_name=last,
                               workplace="Sundsvalls kommun"),
        ).registration
        for first, last in names
    ]  # fmt: skip
    yesterday = timezone.localtime(now) - dt.timedelta(days=1)
    start = yesterday.replace(hour=8, minute=0, second=0, microsecond=0)
    for minutes, person in zip((18, 12, 5), people[:3], strict=True):
        check_in(
            registration=person, actor=None, client_id=uuid.uuid4(), at=start - dt.timedelta(minutes=minutes)
        )
    Event.objects.filter(pk=event.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=1, minutes=30)
    )
    return event


def test_organiser_closes_the_attendance_corrects_a_no_show_and_reads_the_figures(
    page, staff_factory, yesterdays_breakfast
):
    staff_factory("organiser", "julia@example.se")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "julia@example.se")
    event = yesterdays_breakfast

    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/")
    expect(page.get_by_text("Ingen räknas som utebliven förrän närvaron stängs.")).to_be_visible()
    shoot(page, "attendance-overview")
    page.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Närvaro").click()
    expect(page.get_by_role("heading", name="Inte incheckade (2)")).to_be_visible()
    page.get_by_role("button", name="Stäng närvaron").click()
    expect(page.get_by_text("Närvaron är stängd: 2 uteblivna.")).to_be_visible()
    expect(page.get_by_role("heading", name="Uteblivna (2)")).to_be_visible()

    page.get_by_role("button", name="Kom ändå Berg, David").click()

    expect(page.get_by_text("David Berg är markerad som kommen.")).to_be_visible()
    expect(page.get_by_role("heading", name="Uteblivna (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Kom (4)")).to_be_visible()
    shoot(page, "attendance")

    page.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Statistik").click()
    expect(page.get_by_text("Uteblev: 1 av 5 (20\u00a0%)")).to_be_visible()
    expect(page.get_by_role("img", name="Anmälda, bekräftade, kom")).to_be_visible()
    shoot(page, "attendance-statistics")

    page.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Anmälningar").click()
    expect(page.get_by_role("cell", name="Uteblev")).to_have_count(1)
    shoot(page, "attendance-registrations")


def test_the_attendance_works_without_javascript(new_context, staff_factory, yesterdays_breakfast):
    staff_factory("organiser", "julia@example.se")
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, "julia@example.se")
    event = yesterdays_breakfast
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/narvaro/")

    page.get_by_role("button", name="Kom ändå Lind, Elin").click()
    page.get_by_role("button", name="Kom inte Ek, Bo").click()
    page.get_by_role("button", name="Stäng närvaron").click()

    expect(page.get_by_text("Närvaron är stängd: 2 uteblivna.")).to_be_visible()
    expect(page.get_by_role("heading", name="Uteblivna (2)")).to_be_visible()


def test_organiser_reads_the_series_no_show_rate(page, staff_factory, yesterdays_breakfast, event_factory):
    from frukost.checkin.attendance import close_attendance
    from frukost.events.services import create_series

    event = yesterdays_breakfast
    series = create_series(organisation=event.organisation, name="Chefsfrukost i Norrland")
    Event.objects.filter(pk=event.pk).update(series=series)
    close_attendance(event)
    now = timezone.now()
    for days, city, seats, came in [(30, "Umeå", 8, 7), (60, "Luleå", 12, 12)]:
        earlier = event_factory(
            series=series,
            city=city,
            capacity=seats,
            starts_at=now + dt.timedelta(days=3),
            ends_at=now + dt.timedelta(days=3, hours=2),
            registration_deadline=None,
        )
        people = [
            register(event=earlier, person=make_person(f"{city}{n}@example.se")).registration
            for n in range(seats)
        ]
        for person in people[:came]:
            check_in(registration=person, actor=None, client_id=uuid.uuid4())
        Event.objects.filter(pk=earlier.pk).update(
            starts_at=now - dt.timedelta(days=days),
            ends_at=now - dt.timedelta(days=days) + dt.timedelta(hours=2),
        )
        close_attendance(earlier)
    staff_factory("organiser", "julia@example.se")
    sign_in(page, "julia@example.se")

    page.goto(f"/backoffice/{event.organisation.slug}/serier/{series.pk}/")

    expect(
        page.get_by_text("Andel uteblivna: 12\u00a0% (3 av 25 väntade, över 3 stängda evenemang).")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Andel uteblivna per evenemang")).to_be_visible()
    shoot(page, "attendance-series")


def test_a_door_without_phones_asks_before_closing_then_ticks_the_paper_list(
    page, staff_factory, yesterdays_breakfast
):
    from frukost.checkin.models import CheckIn

    event = yesterdays_breakfast
    CheckIn.objects.filter(event=event).delete()  # the door used the paper list only
    staff_factory("organiser", "julia@example.se")
    sign_in(page, "julia@example.se")
    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/")

    page.get_by_role("button", name="Stäng närvaron").click()

    expect(
        page.get_by_role("heading", name="Stänga närvaron för ”Chefsfrukost: Leda med tillit”?")
    ).to_be_visible()
    expect(
        page.get_by_text("5 personer med bekräftad plats som inte checkades in räknas som uteblivna.")
    ).to_be_visible()
    shoot(page, "attendance-confirm")
    page.get_by_role("link", name="Gå tillbaka utan att göra något").click()
    page.get_by_role("button", name="Kom ändå Östlund, Åsa").click()
    page.get_by_role("button", name="Kom ändå Ek, Bo").click()
    page.get_by_role("button", name="Stäng närvaron").click()  # someone came: no question now

    expect(page.get_by_text("Närvaron är stängd: 3 uteblivna.")).to_be_visible()
