"""Overbooking in the back office: the form's field, hint and messages; the overview says it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from frukost.core.models import AuditLog
from frukost.events.models import Event
from tests.backoffice.test_events import form_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(staff_factory, client):
    user = staff_factory("organiser")
    client.force_login(user)
    return user


def test_the_event_form_offers_overbooking_with_the_hint_and_the_reminder_setting(client, organiser, event):
    page = client.get(url("event-edit", event)).content.decode()

    assert 'name="overbooking"' in page
    assert "Att sänka den senare avanmäler ingen" in page
    assert "Inget förslag: lägg evenemanget i en serie" in page
    assert 'name="reminder_days_before"' in page and 'value="2"' in page


def test_the_event_form_refuses_too_much_overbooking_by_the_field(client, organiser, event):
    response = client.post(url("event-edit", event), form_data(event, overbooking="31"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Överboka med högst hälften av platserna: 30 av 60." in page
    assert Event.objects.get(pk=event.pk).overbooking == 0


def test_the_event_form_saves_overbooking_and_audits_it(client, organiser, event):
    response = client.post(
        url("event-edit", event), form_data(event, overbooking="4", reminder_days_before="3")
    )

    event.refresh_from_db()
    assert response.status_code == 302
    assert (event.overbooking, event.reminder_days_before) == (4, 3)
    entry = AuditLog.objects.get(action="event.overbooking_changed")
    assert (entry.actor, entry.data) == (
        organiser,
        {"overbooking_before": 0, "overbooking": 4, "capacity": 60},
    )


def test_the_overview_and_statistics_say_the_event_is_overbooked(client, organiser, event_factory):
    event = event_factory(capacity=60, overbooking=4)

    overview = client.get(url("event", event)).content.decode()
    statistics = client.get(
        reverse("backoffice:event-statistics", args=["akademikerforbundet-ssr", event.pk])
    )

    line = "Överbokat med 4 platser (av 60) (ingen historik i serien)"
    assert line in overview
    assert "0 av 64 platser tagna" in overview
    assert line in statistics.content.decode()


def test_the_overview_of_an_event_without_overbooking_says_nothing_of_it(client, organiser, event):
    assert "Överbokat" not in client.get(url("event", event)).content.decode()


def test_the_event_list_and_the_waiting_list_count_against_the_seat_limit(client, organiser, event_factory):
    from frukost.registrations.services import PersonData, register

    event = event_factory(capacity=2, overbooking=1)
    for number in range(4):
        register(event=event, person=PersonData(first_name="P", last_name="S", email=f"p{number}@example.se"))

    events = client.get(url("events")).content.decode()
    waiting = client.get(url("event-waiting-list", event)).content.decode()

    assert '3 / 2 <span class="bo-muted">+ 1 överbokade</span>' in events
    assert "3 av 3 platser är tagna; 0 platser är lediga." in waiting
