"""The back-office statistics page: SVG charts with the same numbers in tables, privacy, access."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.accounts import access
from frukost.accounts.enums import Permission, Role
from frukost.events.models import Organisation
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def url(event) -> str:
    return f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/statistik/"


@pytest.fixture
def filled(event_factory, person, frozen):
    frozen("2029-04-02 09:00")
    event = event_factory(capacity=2)
    register(event=event, person=person("anna@example.se", membership="member"))
    frozen("2029-04-04 10:00")
    register(event=event, person=person("bo@example.se", membership="not_member"))
    register(event=event, person=person("cia@example.se", membership="member"))
    frozen("2029-04-05 12:00")
    return event


def charts(page: str) -> dict[str, ET.Element]:
    """Every inline SVG on the page, parsed as XML (it must be well-formed), by its id prefix."""
    found = {}
    for markup in re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL):
        svg = ET.fromstring(markup)  # noqa: S314 - our own page, parsed to prove it is well-formed
        title = svg.find(f"{SVG}title")
        found[title.get("id").removesuffix("-title")] = svg
    return found


def table_numbers(page: str, table_id: str) -> list[tuple[str, str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, flags=re.DOTALL).group(0)
    rows = re.findall(r"<th scope=\"row\">(.*?)</th>\s*<td class=\"num\">(.*?)</td>", table, flags=re.DOTALL)
    return [(re.sub(r"<.*?>", "", label).strip(), value.strip()) for label, value in rows]


def bar_numbers(svg: ET.Element) -> list[tuple[str, str]]:
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "bo-chart__label"]
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "bo-chart__value"]
    return list(zip(labels, values, strict=True))


def test_event_statistics_page_draws_well_formed_svg_charts_with_titles(client, staff_factory, filled):
    client.force_login(staff_factory("organiser"))

    page = client.get(url(filled)).content.decode()

    found = charts(page)
    assert sorted(found) == [
        "chart-attendance",
        "chart-colleagues",
        "chart-ended",
        "chart-fill",
        "chart-membership",
        "chart-per-day",
    ]
    per_day = found["chart-per-day"]
    assert per_day.get("role") == "img"
    assert per_day.get("aria-labelledby") == "chart-per-day-title chart-per-day-desc"
    assert per_day.find(f"{SVG}title").text == "Anmälningar hittills, per dag"
    assert per_day.find(f"{SVG}desc").text == (
        "3 anmälningar från 2 april 2029 till 5 april 2029, mot 2 platser. "
        "Sista anmälningsdag: tisdag 1 maj 2029."
    )
    assert ' style="' not in page  # the CSP forbids inline styles
    for svg in found.values():  # coordinates are numbers, never localised ("226,0")
        for element in svg.iter():
            for name in ("x", "y", "x1", "x2", "y1", "y2", "width", "height"):
                if element.get(name) is not None:
                    float(element.get(name))


def test_event_statistics_page_tables_hold_the_numbers_the_charts_show(client, staff_factory, filled):
    client.force_login(staff_factory("organiser"))

    page = client.get(url(filled)).content.decode()

    found = charts(page)
    assert table_numbers(page, "table-fill") == [("Tagna platser", "2 av 2"), ("På väntelistan", "1")]
    assert bar_numbers(found["chart-fill"]) == table_numbers(page, "table-fill")
    assert table_numbers(page, "table-membership") == [
        ("Medlemmar", "1 av 2"),
        ("Inte medlemmar", "1 av 2"),
        ("Vill inte uppge", "0 av 2"),
        ("Har inte svarat än", "0 av 2"),
    ]
    assert bar_numbers(found["chart-membership"]) == table_numbers(page, "table-membership")
    assert table_numbers(page, "table-per-day") == [
        ("måndag 2 april 2029", "1"),
        ("tisdag 3 april 2029", "0"),
        ("onsdag 4 april 2029", "2"),
        ("torsdag 5 april 2029", "0"),
    ]


def test_event_statistics_page_hides_membership_without_the_special_category_permission(
    client, staff_factory, filled, monkeypatch
):
    monkeypatch.setitem(
        access.PERMISSIONS,
        Role.ORGANISER,
        access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY},
    )
    client.force_login(staff_factory("organiser"))

    page = client.get(url(filled)).content.decode()

    assert "chart-membership" not in charts(page)
    assert "Medlemmar" not in page
    assert 'id="table-membership"' not in page


def test_event_statistics_page_without_registrations_says_so(client, staff_factory, event):
    client.force_login(staff_factory("organiser"))

    response = client.get(url(event))

    assert response.status_code == 200
    assert "chart-per-day" not in charts(response.content.decode())
    assert "Inga anmälningar än." in response.content.decode()


def test_event_statistics_page_is_closed_to_door_staff_and_other_organisations(client, staff_factory, filled):
    other = Organisation.objects.create(name="Vision", slug="vision")
    door = staff_factory("door", events=[filled])
    outsider = staff_factory("owner", of=other)

    client.force_login(door)
    door_status = client.get(url(filled)).status_code
    client.force_login(outsider)
    outsider_status = client.get(url(filled)).status_code
    other_event_status = client.get(f"/backoffice/vision/evenemang/{filled.pk}/statistik/").status_code

    assert (door_status, outsider_status, other_event_status) == (403, 404, 404)


@pytest.mark.parametrize("spread_over_days", [False, True])
def test_event_statistics_page_query_count_is_flat(
    client, staff_factory, event_factory, person, frozen, spread_over_days
):
    organiser = staff_factory("organiser")
    counts = []
    for size in (1, 3):
        event = event_factory()
        for number in range(size):
            frozen(f"2029-04-0{1 + number if spread_over_days else 1} 09:00")
            register(event=event, person=person(f"p{number}@example.se"))
        frozen("2029-04-05 09:00")
        client.force_login(organiser)  # after moving the clock: the session has an idle limit
        client.get(url(event))  # the first request after signing in also stamps the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(event)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("include_membership", [False, True])
def test_series_comparison_partial_compares_the_events(event_factory, person, frozen, include_membership):
    from django.template.loader import render_to_string

    from frukost.registrations.statistics import compare_events

    frozen("2029-04-02 09:00")
    first, second = event_factory(capacity=2), event_factory(capacity=4, title="Andra frukosten")
    register(event=first, person=person("anna@example.se", membership="member"))
    register(event=first, person=person("bo@example.se", membership="not_member"))
    register(event=first, person=person("cia@example.se"))
    register(event=second, person=person("anna@example.se"))

    page = render_to_string(
        "backoffice/_series_comparison.html",
        {"comparison": compare_events([second, first], include_membership=include_membership)},
    )

    svg = charts(page)["chart-comparison"]
    assert bar_numbers(svg) == [
        ("Chefsfrukost: Leda med tillit, 16 maj 2029", "2 av 2"),
        ("Andra frukosten, 16 maj 2029", "1 av 4"),
    ]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, flags=re.DOTALL)
    cells = [re.findall(r'<td class="num">(.*?)</td>', row) for row in rows]
    membership = [["1", "1"], ["1", "0"]] if include_membership else [[], []]
    assert cells == [
        ["2 av 2", "100 %", "1", "0", "0", "0", *membership[0]],
        ["1 av 4", "25 %", "0", "0", "0", "0", *membership[1]],
    ]
    assert ("Inte medlemmar" in page) is include_membership
