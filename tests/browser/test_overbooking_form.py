"""The event form's overbooking suggestion: text without JavaScript, a button that fills it with."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from frukost.checkin import attendance
from frukost.checkin.services import check_in
from frukost.events.models import Series
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(context, site, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": site}])


@pytest.mark.parametrize("javascript", [True, False])
def test_the_suggestion_fills_the_field_and_is_plain_text_without_javascript(
    new_context, site, event_factory, organisation, staff_factory, javascript
):
    series = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    past = event_factory(
        series=series, capacity=20, starts_at=stockholm(2029, 3, 2, 8), ends_at=stockholm(2029, 3, 2, 9)
    )
    people = [register(event=past, person=make_person(f"p{n}@example.se")).registration for n in range(20)]
    for registration in people[:18]:  # 2 of 20 did not come: 10 %
        check_in(registration=registration, actor=None, client_id=uuid.uuid4())
    attendance.close_attendance(past)
    event = event_factory(series=series, capacity=60)
    context = new_context(java_script_enabled=javascript)
    _signed_in(context, site, staff_factory("organiser"))
    page = context.new_page()

    page.goto(f"/backoffice/{organisation.slug}/evenemang/{event.pk}/andra/")

    hint = "Förslag: 6 extra platser – utifrån att 10 % uteblev förra gången i serien"
    expect(page.get_by_text(hint)).to_be_visible()
    button = page.get_by_role("button", name="Använd förslaget")
    if not javascript:
        expect(button).to_be_hidden()
        return
    button.click()
    expect(page.get_by_label("Överbokning (extra platser)")).to_have_value("6")
    page.get_by_role("button", name="Spara ändringar").click()
    expect(
        page.get_by_text("Överbokat med 6 platser (av 60) – utifrån att 10 % uteblev förra gången")
    ).to_be_visible()
