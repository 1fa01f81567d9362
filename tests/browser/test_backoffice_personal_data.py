"""An organiser opens an event's Personal data tab and reads what is left and when it goes.

Set FRUKOST_SCREENSHOTS=/some/dir to keep screenshots (phone and desktop).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frukost.events.models import Event
from frukost.privacy.retention import run_retention
from frukost.registrations.services import cancel_registration, register
from tests.browser.conftest import sign_in
from tests.browser.test_backoffice_statistics_messages import shoot
from tests.conftest import make_person, worker_keeps_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_reads_what_personal_data_is_left_after_the_event(page, staff_factory, event_factory):
    now = timezone.now()
    event = event_factory(
        starts_at=now + dt.timedelta(days=5),
        ends_at=now + dt.timedelta(days=5, hours=2),
        registration_deadline=timezone.localdate() + dt.timedelta(days=4),
    )
    for number, (membership, diets) in enumerate(
        [
            ("member", ("vegan",)),
            ("not_member", ("gluten", "milk")),
            ("member", ()),
            ("undisclosed", ("vegan",)),
        ]
    ):
        result = register(
            event=event, person=make_person(f"p{number}@example.se", membership=membership, diets=diets)
        )
    cancel_registration(registration=result.registration)
    worker_keeps_up()
    # The event took place ten days ago: diets and needs and the cancelled one have gone.
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - dt.timedelta(days=10),
        ends_at=now - dt.timedelta(days=10) + dt.timedelta(hours=2),
        registration_deadline=timezone.localdate() - dt.timedelta(days=12),
    )
    run_retention()
    staff_factory("organiser", "olle@example.se")
    sign_in(page, "olle@example.se")

    page.goto(f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/")
    page.get_by_role("navigation", name="Evenemang").get_by_role("link", name="Personuppgifter").click()

    expect(page.get_by_role("heading", name="Personuppgifter som finns kvar")).to_be_visible()
    table = page.get_by_role("table", name="Personuppgifter som finns kvar")
    needs = table.get_by_role("row", name="Specialkost och andra behov")
    assert needs.get_by_role("cell").nth(0).inner_text() == "0 anmälningar"
    assert needs.get_by_role("cell").nth(1).inner_text().startswith("Raderat ")
    names = table.get_by_role("row", name="Namn, e-postadresser, arbetsplatser och befattningar")
    assert names.get_by_role("cell").nth(0).inner_text() == "3 anmälningar"
    kept = page.get_by_role("region", name="Sparat som antal")
    assert "vegansk 1" in kept.inner_text()
    shoot(page, "personal-data")
