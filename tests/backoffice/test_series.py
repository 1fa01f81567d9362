"""The series pages: a series' events side by side, one query however many events."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.events.models import Organisation, Series
from frukost.events.services import Place, clone_event
from frukost.registrations.services import register
from tests.conftest import stockholm

pytestmark = pytest.mark.django_db

ORG = "akademikerforbundet-ssr"


@pytest.fixture
def organiser(staff_factory, client):
    user = staff_factory("organiser")
    client.force_login(user)
    return user


@pytest.fixture
def series(event, person):
    """Sundsvall (2 registered) and Umeå (empty), both in one series."""
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("bo@example.se"))
    clone_event(source=event, starts_at=stockholm(2029, 9, 12, 8, 0), place=Place(city="Umeå"))
    event.refresh_from_db()
    return event.series


def series_url(series) -> str:
    return reverse("backoffice:series", args=[ORG, series.pk])


def test_series_page_compares_its_events(client, organiser, series):
    response = client.get(series_url(series))

    rows = [(e.city, e.status, e.seats_taken, e.capacity, e.waiting) for e in response.context["events"]]
    assert rows == [("Sundsvall", "published", 2, 60, 0), ("Umeå", "draft", 0, 60, 0)]
    assert response.context["totals"] == {"capacity": 120, "seats_taken": 2, "waiting": 0}
    page = response.content.decode()
    assert "Chefsfrukost: Leda med tillit" in page
    assert "3 %" in page  # 2 of 60 seats
    comparison = response.context["comparison"]
    assert [(row.event.city, row.event.pk) for row in comparison.rows] == [
        (e.city, e.pk) for e in response.context["events"]
    ]
    assert comparison.include_membership is True  # an organiser may see membership counts


def test_series_list_shows_each_series_with_its_event_count(client, organiser, series):
    response = client.get(reverse("backoffice:series-list", args=[ORG]))

    assert [(s.name, s.event_count) for s in response.context["series_list"]] == [
        ("Chefsfrukost: Leda med tillit", 2)
    ]
    assert series_url(series) in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_series_page_query_count_is_flat(client, organiser, event, person):
    clone_event(source=event, starts_at=stockholm(2029, 9, 12, 8, 0), place=Place(city="Umeå"))
    event.refresh_from_db()
    series = event.series
    event.series = None
    event.save()
    client.get(series_url(series))  # the first request after signing in writes the session
    one = _queries(client, series_url(series))
    event.series = series
    event.save()
    clone_event(source=event, starts_at=stockholm(2029, 10, 3, 8, 0), place=Place(city="Luleå"))
    register(event=event, person=person("anna@example.se"))

    three = _queries(client, series_url(series))

    assert series.events.count() == 3
    assert three == one


def test_series_list_query_count_is_flat(client, organiser, organisation):
    list_url = reverse("backoffice:series-list", args=[ORG])
    Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    client.get(list_url)
    one = _queries(client, list_url)
    Series.objects.create(organisation=organisation, name="Medarbetarfrukost", slug="medarbetarfrukost")
    Series.objects.create(organisation=organisation, name="Lönefrukost", slug="lonefrukost")

    assert _queries(client, list_url) == one


def test_series_of_another_organisation_answers_404(client, organiser):
    other = Organisation.objects.create(name="Vision", slug="vision")
    theirs = Series.objects.create(organisation=other, name="Visions frukost", slug="visions-frukost")

    assert client.get(series_url(theirs)).status_code == 404
    assert client.get(reverse("backoffice:series", args=["vision", theirs.pk])).status_code == 404


def test_series_pages_are_refused_to_door_staff(client, staff_factory, series):
    client.force_login(staff_factory("door"))

    assert client.get(series_url(series)).status_code == 403
    assert client.get(reverse("backoffice:series-list", args=[ORG])).status_code == 403
