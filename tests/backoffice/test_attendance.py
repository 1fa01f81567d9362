"""The back office's attendance: who came, the no-shows, corrections, closing and reopening, and
the figures on the statistics, series and registration pages."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.checkin import attendance
from frukost.checkin.models import AttendanceClosing, CheckIn
from frukost.checkin.services import check_in
from frukost.core.models import AuditLog
from frukost.events.enums import EventStatus
from frukost.events.models import Series
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _url(name, event, registration=None) -> str:
    args = [event.organisation.slug, event.pk] + ([registration.pk] if registration else [])
    return reverse(f"backoffice:{name}", args=args)


def _seat(event, address, first_name, last_name, **kwargs):
    return register(
        event=event, person=make_person(address, first_name=first_name, last_name=last_name, **kwargs)
    ).registration


def _door(registration, hour=7, minute=42):
    check_in(
        registration=registration,
        actor=None,
        client_id=uuid.uuid4(),
        at=stockholm(2029, 5, 16, hour, minute),
    )


def _text(response) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


@pytest.fixture
def organiser(staff_factory, client):
    user = staff_factory("organiser", "julia@example.se")
    client.force_login(user)
    return user


@pytest.fixture
def breakfast(event_factory):
    """Four with a seat (Anna and Bo came through the door at 07.42), Erik on the waiting list."""
    event = event_factory(capacity=4)
    people = {
        "anna": _seat(event, "anna@example.se", "Anna", "Öberg", workplace="Socialtjänsten"),
        "bo": _seat(event, "bo@example.se", "Bo", "Ek"),
        "cecilia": _seat(event, "cecilia@example.se", "Cecilia", "Ahl", workplace="Region Västernorrland"),
        "david": _seat(event, "david@example.se", "David", "Berg"),
        "erik": _seat(event, "erik@example.se", "Erik", "Falk"),
    }
    _door(people["anna"])
    _door(people["bo"], 7, 55)
    event.people = people
    return event


def _ten_oclock(frozen, client, organiser):
    """Ten o'clock on the event's day, signed in (a session does not survive years of clock travel)."""
    moment = frozen("2029-05-16 10:00")
    client.force_login(organiser)
    return moment


@pytest.fixture
def after(frozen, client, organiser):
    return _ten_oclock(frozen, client, organiser)


# --- The attendance page -----------------------------------------------------------------------


def test_attendance_page_lists_who_came_and_the_no_shows_once_closed(client, organiser, breakfast, after):
    attendance.close_attendance(breakfast)

    response = client.get(_url("event-attendance", breakfast))

    assert response.status_code == 200
    assert [(r["name"], r["checked_in_at"]) for r in response.context["arrived"]] == [
        ("Ek, Bo", "07.55"),
        ("Öberg, Anna", "07.42"),
    ]
    assert [(r["name"], r["workplace"]) for r in response.context["missing"]] == [
        ("Ahl, Cecilia", "Region Västernorrland"),
        ("Berg, David", ""),
    ]
    text = _text(response)
    assert "Uteblivna (2)" in text and "Har kommit" not in text
    assert "Stängdes automatiskt 16 maj 2029 kl. 10.00." in text  # the worker's closing has no actor
    assert text.count("Kom ändå") == 2 and text.count("Kom inte") == 2


def test_came_after_all_checks_in_at_the_events_start_and_the_figures_follow(
    client, organiser, breakfast, after
):
    attendance.close_attendance(breakfast)
    cecilia = breakfast.people["cecilia"]

    response = client.post(_url("event-attendance-arrived", breakfast, cecilia), follow=True)

    assert "Cecilia Ahl är markerad som kommen." in _text(response)
    row = CheckIn.objects.get(registration=cecilia)
    assert (row.checked_in_at, row.checked_in_by) == (breakfast.starts_at, organiser)
    assert AuditLog.objects.filter(registration_id=cecilia.pk).latest("pk").action == "checkin.corrected"
    assert [r["name"] for r in response.context["missing"]] == ["Berg, David"]
    statistics = _text(client.get(_url("event-statistics", breakfast)))
    assert f"Uteblev: 1 av 4 (25{NBSP}%)" in statistics


def test_did_not_come_takes_the_check_in_back_and_makes_a_no_show(client, organiser, breakfast, after):
    attendance.close_attendance(breakfast)
    bo = breakfast.people["bo"]

    response = client.post(_url("event-attendance-absent", breakfast, bo), follow=True)

    assert "Bo Ek är markerad som inte kommen." in _text(response)
    assert not CheckIn.objects.filter(registration=bo).exists()
    assert AuditLog.objects.filter(registration_id=bo.pk).latest("pk").action == "checkin.corrected_absent"
    assert attendance.attendance(breakfast).no_shows == 3
    history = _text(client.get(_url("registration", breakfast, bo)))
    assert "Markerad som inte kommen i efterhand (närvaron rättad) av julia@example.se" in history


def test_ticking_from_the_paper_list_while_open_then_closing(client, organiser, event_factory, frozen):
    """A door without phones: nobody checked in; the organiser ticks who came, then closes."""
    event = event_factory()
    anna = _seat(event, "anna@example.se", "Anna", "Öberg")
    _seat(event, "bo@example.se", "Bo", "Ek")
    _ten_oclock(frozen, client, organiser)

    page = _text(client.get(_url("event-attendance", event)))
    assert "Inte incheckade (2)" in page and "Öppen" in page
    client.post(_url("event-attendance-arrived", event, anna))
    response = client.post(_url("event-attendance-close", event), follow=True)

    assert "Närvaron är stängd: 1 utebliven." in _text(response)
    assert [r.first_name for r in attendance.no_shows(event)] == ["Bo"]


def test_a_waitlisted_person_cannot_come_after_all(client, organiser, breakfast, after):
    erik = breakfast.people["erik"]

    response = client.post(_url("event-attendance-arrived", breakfast, erik), follow=True)

    assert "Erik Falk står på väntelistan och har ingen plats." in _text(response)
    assert not CheckIn.objects.filter(registration=erik).exists()


def test_did_not_come_for_someone_not_checked_in_says_so(client, organiser, breakfast, after):
    response = client.post(_url("event-attendance-absent", breakfast, breakfast.people["david"]), follow=True)

    assert "David Berg är inte incheckad." in _text(response)


def test_a_registration_of_another_event_is_404(client, organiser, breakfast, event_factory, frozen):
    other = event_factory()
    stranger = _seat(other, "fia@example.se", "Fia", "Grön")
    _ten_oclock(frozen, client, organiser)

    for name in ("event-attendance-arrived", "event-attendance-absent"):
        assert client.post(_url(name, breakfast, stranger)).status_code == 404
    assert not CheckIn.objects.filter(registration=stranger).exists()


def test_corrections_are_post_only(client, organiser, breakfast, after):
    cecilia = breakfast.people["cecilia"]

    assert client.get(_url("event-attendance-arrived", breakfast, cecilia)).status_code == 405
    assert client.get(_url("event-attendance-reopen", breakfast)).status_code == 405
    assert not CheckIn.objects.filter(registration=cecilia).exists()


def test_before_the_event_nothing_can_be_ticked(client, organiser, breakfast, frozen):
    frozen("2029-05-16 07:59")
    client.force_login(organiser)

    page = _text(client.get(_url("event-attendance", breakfast)))
    response = client.post(
        _url("event-attendance-arrived", breakfast, breakfast.people["cecilia"]), follow=True
    )

    assert "Vilka som kom visas här när evenemanget har börjat." in page
    assert "Närvaron kan registreras när evenemanget har börjat." in _text(response)
    assert not CheckIn.objects.filter(registration=breakfast.people["cecilia"]).exists()


def test_a_cancelled_event_keeps_no_attendance(client, organiser, breakfast, after):
    breakfast.status = EventStatus.CANCELLED
    breakfast.save()

    response = client.post(_url("event-attendance-close", breakfast), follow=True)

    assert "Evenemanget ställdes in: ingen närvaro sparas." in _text(response)
    assert not AttendanceClosing.objects.exists()


def test_the_attendance_is_for_organisers_not_door_staff(client, staff_factory, breakfast, after):
    client.force_login(staff_factory("door", events=[breakfast]))

    assert client.get(_url("event-attendance", breakfast)).status_code == 403
    assert client.post(_url("event-attendance-close", breakfast)).status_code == 403
    assert (
        client.post(_url("event-attendance-arrived", breakfast, breakfast.people["cecilia"])).status_code
        == 403
    )
    assert not AttendanceClosing.objects.exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_attendance_page_query_count_is_flat(client, organiser, event_factory, frozen):
    def crowd(size):
        event = event_factory(capacity=size)
        people = [_seat(event, f"p{n}-{size}@example.se", f"Namn{n}", "Efternamn") for n in range(size)]
        for person in people[: size // 2]:
            _door(person)
        people[-1].invited_by = people[0]
        people[-1].save()
        attendance.close_attendance(event)
        return event

    small, large = crowd(5), crowd(50)
    frozen("2029-05-16 10:00")
    client.force_login(organiser)
    client.get(_url("event-attendance", small))

    assert _queries(client, _url("event-attendance", small)) == _queries(
        client, _url("event-attendance", large)
    )


# --- Closing and reopening -----------------------------------------------------------------------


def test_overview_after_the_event_closes_at_once_when_someone_was_checked_in(
    client, organiser, breakfast, after
):
    overview = _text(client.get(_url("event", breakfast)))
    assert "Närvaro Öppen Ingen räknas som utebliven förrän närvaron stängs." in overview

    response = client.post(_url("event-attendance-close", breakfast), {"next": "overview"}, follow=True)

    assert response.redirect_chain[-1][0] == _url("event", breakfast)
    text = _text(response)
    assert "Närvaron är stängd: 2 uteblivna." in text
    assert "Stängdes 16 maj 2029 kl. 10.00 av julia@example.se." in text
    assert "Öppna närvaron igen" in text
    assert AttendanceClosing.objects.get(event=breakfast).closed_by == organiser


def test_closing_an_event_nobody_was_checked_in_at_asks_first(client, organiser, event_factory, frozen):
    event = event_factory()
    _seat(event, "anna@example.se", "Anna", "Öberg")
    _seat(event, "bo@example.se", "Bo", "Ek")
    _ten_oclock(frozen, client, organiser)

    asked = client.post(_url("event-attendance-close", event), {"next": "overview"})

    assert asked.status_code == 200
    text = _text(asked)
    assert "Stänga närvaron för ”Chefsfrukost: Leda med tillit”?" in text
    assert "Ingen checkades in på det här evenemanget." in text
    assert "2 personer med bekräftad plats som inte checkades in räknas som uteblivna." in text
    assert not AttendanceClosing.objects.exists()

    done = client.post(_url("event-attendance-close", event), {"next": "overview", "confirm": "yes"})

    assert done["Location"] == _url("event", event)
    assert attendance.attendance(event).no_shows == 2


def test_reopening_makes_nobody_a_no_show(client, organiser, breakfast, after):
    attendance.close_attendance(breakfast, actor=organiser)

    response = client.post(_url("event-attendance-reopen", breakfast), {"next": "overview"}, follow=True)

    assert "Närvaron är öppen igen" in _text(response)
    assert attendance.attendance(breakfast).no_shows is None
    assert "Stäng närvaron" in _text(response)


def test_attendance_cannot_be_closed_before_the_event_has_ended(client, organiser, breakfast, frozen):
    frozen("2029-05-16 09:00")
    client.force_login(organiser)

    overview = _text(client.get(_url("event", breakfast)))
    response = client.post(_url("event-attendance-close", breakfast), follow=True)

    assert "Stäng närvaron" not in overview  # the overview shows attendance once the event is over
    assert "Närvaron kan stängas när evenemanget är slut." in _text(response)
    assert not AttendanceClosing.objects.exists()


# --- Statistics, series, registrations --------------------------------------------------------


def test_statistics_show_the_funnel_and_no_shows_only_once_closed(client, organiser, breakfast, after):
    page = client.get(_url("event-statistics", breakfast)).content.decode()
    assert 'id="chart-attendance-title"' in page
    assert "Närvaron är inte stängd än." in _text(client.get(_url("event-statistics", breakfast)))

    attendance.close_attendance(breakfast)
    text = _text(client.get(_url("event-statistics", breakfast)))

    assert "Anmälda 5 Bekräftade 4 Kom 2" in text
    assert f"Uteblev: 2 av 4 (50{NBSP}%)" in text


def _series_event(event_factory, series, day, *, seats, came, city="Sundsvall", closed=True):
    event = event_factory(
        series=series,
        capacity=seats,
        city=city,
        starts_at=stockholm(2029, 3, day, 8),
        ends_at=stockholm(2029, 3, day, 9, 30),
        registration_deadline=None,
    )
    people = [_seat(event, f"p{n}-{day}@example.se", "Namn", "Efternamn") for n in range(seats)]
    for person in people[:came]:
        check_in(registration=person, actor=None, client_id=uuid.uuid4())
    if closed:
        attendance.close_attendance(event)
    return event


def test_series_page_shows_attendance_per_event_and_the_rate_over_closed_events(
    client, organiser, organisation, event_factory, frozen
):
    series = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    _series_event(event_factory, series, 2, seats=10, came=9)
    _series_event(event_factory, series, 3, seats=20, came=19, city="Umeå")
    _series_event(event_factory, series, 4, seats=10, came=8, city="Luleå", closed=False)
    event_factory(series=series, city="Kiruna", starts_at=stockholm(2029, 5, 16, 8))  # still to come
    frozen("2029-04-01 09:00")
    client.force_login(organiser)

    response = client.get(reverse("backoffice:series", args=[organisation.slug, series.pk]))

    rows = [
        (row["event"].city, f.registered, f.confirmed, f.arrived, f.no_shows)
        for row in response.context["attendance_rows"]
        for f in [row["figures"]]
    ]
    assert rows == [
        ("Sundsvall", 10, 10, 9, 1),
        ("Umeå", 20, 20, 19, 1),
        ("Luleå", 10, 10, 8, None),
        ("Kiruna", 0, 0, 0, None),
    ]
    text = _text(response)
    assert f"Andel uteblivna: 7{NBSP}% (2 av 30 väntade, över 2 stängda evenemang)." in text
    assert f"10{NBSP}%" in text and f"5{NBSP}%" in text
    assert text.count("inte stängd") == 1  # Luleå is over but open; Kiruna is still to come
    assert 'id="chart-no-shows-title"' in response.content.decode()


def test_series_attendance_query_count_is_flat(client, organiser, organisation, event_factory):
    series = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")
    url = reverse("backoffice:series", args=[organisation.slug, series.pk])
    for day in range(1, 4):
        _series_event(event_factory, series, day, seats=2, came=1)
    client.get(url)
    three = _queries(client, url)
    for day in range(4, 13):
        _series_event(event_factory, series, day, seats=2, came=day % 3)

    assert _queries(client, url) == three


def test_registration_table_shows_and_filters_attendance_once_closed(client, organiser, breakfast, after):
    url = _url("event-registrations", breakfast)
    before = client.get(url)
    assert "attendance" not in before.context["form"].fields  # no filter while open
    assert "Kom 07.42" in _text(before)

    attendance.close_attendance(breakfast)
    table = client.get(url)
    no_shows = client.get(url + "?attendance=no_show")
    came = client.get(url + "?attendance=arrived")

    cells = {row["email"]: row["attendance"] for row in table.context["rows"]}
    assert cells == {
        "anna@example.se": "Kom 07.42",
        "bo@example.se": "Kom 07.55",
        "cecilia@example.se": "Uteblev",
        "david@example.se": "Uteblev",
        "erik@example.se": "",
    }
    assert sorted(r["email"] for r in no_shows.context["rows"]) == ["cecilia@example.se", "david@example.se"]
    assert sorted(r["email"] for r in came.context["rows"]) == ["anna@example.se", "bo@example.se"]


def test_registration_page_says_when_the_person_came_or_that_they_did_not(
    client, organiser, breakfast, after
):
    attendance.close_attendance(breakfast)

    anna = _text(client.get(_url("registration", breakfast, breakfast.people["anna"])))
    cecilia = _text(client.get(_url("registration", breakfast, breakfast.people["cecilia"])))
    client.post(
        _url("event-attendance-arrived", breakfast, breakfast.people["cecilia"]), {"next": "registration"}
    )
    corrected = client.get(_url("registration", breakfast, breakfast.people["cecilia"]))

    assert "Närvaro Incheckad kl. 07.42" in anna
    assert "Närvaro Uteblev Kom ändå" in cecilia
    assert "Närvaro Incheckad kl. 08.00" in _text(corrected)
    assert "Markerad som kommen i efterhand (närvaron rättad) av julia@example.se" in _text(corrected)


def test_the_export_has_an_attended_column(breakfast, staff_factory):
    import csv
    import io

    from frukost.accounts.models import OrganisationMember
    from frukost.registrations.exports import columns_for, export_registrations

    member = OrganisationMember.objects.select_related("organisation", "user").get(user=staff_factory())

    def attended():
        export = export_registrations(
            event=breakfast,
            columns=["email", "attended"],
            format="csv",
            actor=member.user,
            member=member,
        )
        rows = list(csv.reader(io.StringIO(b"".join(export.chunks).decode("utf-8-sig")), delimiter=";"))
        return rows

    assert "attended" in [column.key for column in columns_for(member)]
    assert attended()[1:] == [
        ["anna@example.se", "Ja"],
        ["bo@example.se", "Ja"],
        ["cecilia@example.se", ""],  # open: nobody is a no-show yet
        ["david@example.se", ""],
        ["erik@example.se", ""],
    ]
    attendance.close_attendance(breakfast)

    rows = attended()

    assert rows[0] == ["E-post", "Kom"]
    assert [row[1] for row in rows[1:]] == ["Ja", "Ja", "Nej", "Nej", ""]  # Erik is on the waiting list
