"""Calendar files against RFC 5545: structure, time zone rules, UID, SEQUENCE, folding, CRLF."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from frukost.mail.enums import MailKind
from frukost.mail.ical import event_calendar
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, register
from tests.conftest import stockholm, worker_keeps_up
from tests.mail.conftest import messages

UTC = dt.UTC


def _parse(ics: str | bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(ics)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


def _lines(ics: str | bytes) -> list[str]:
    text = ics.decode() if isinstance(ics, bytes) else ics
    return text.split("\r\n")


def _property_line(ics: str | bytes, name: str) -> str:
    """The raw line of one VEVENT property (the VTIMEZONE has a DTSTART of its own)."""
    lines = _lines(ics)
    event = lines[lines.index("BEGIN:VEVENT") : lines.index("END:VEVENT")]
    [line] = [line for line in event if line.split(":", 1)[0].split(";", 1)[0] == name]
    return line


def _vtimezone_rules(calendar: icalendar.Calendar) -> dt.tzinfo:
    """A tzinfo built from the file's own VTIMEZONE rules, not from the system's zone database."""
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Stockholm"
    return zone.to_tz(lookup_tzid=False)


def test_event_calendar_has_calendar_and_event_properties(event):
    calendar, entry = _parse(event_calendar(event))

    assert str(calendar["PRODID"]) == "-//frukost//frukost event registration//SV"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(entry["UID"]) == f"{event.ical_uid}@testserver"
    assert entry["DTSTAMP"].dt.tzinfo is not None
    assert entry["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)
    assert int(entry["SEQUENCE"]) == 0
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert str(entry["SUMMARY"]) == "Chefsfrukost: Leda med tillit"
    assert str(entry["LOCATION"]) == "Scandic Sundsvall City, Trädgårdsgatan 31-33, Sundsvall"


def test_event_calendar_times_carry_stockholm_tzid(event):
    ics = event_calendar(event)

    assert _property_line(ics, "DTSTART") == "DTSTART;TZID=Europe/Stockholm:20290516T080000"
    assert _property_line(ics, "DTEND") == "DTEND;TZID=Europe/Stockholm:20290516T093000"
    assert _property_line(ics, "DTSTAMP").endswith("Z")


def test_event_calendar_vtimezone_gives_summer_and_winter_offsets(event):
    calendar, _entry = _parse(event_calendar(event))
    zone = _vtimezone_rules(calendar)

    assert dt.datetime(2029, 5, 16, 8, 0, tzinfo=zone).utcoffset() == dt.timedelta(hours=2)
    assert dt.datetime(2029, 1, 16, 8, 0, tzinfo=zone).utcoffset() == dt.timedelta(hours=1)
    assert dt.datetime(2035, 7, 1, 12, 0, tzinfo=zone).utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("day", "local", "utc"),
    [
        # Summer time ends on Sunday 28 October 2029, begins on Sunday 25 March 2029.
        (dt.date(2029, 10, 26), "20291026T080000", dt.datetime(2029, 10, 26, 6, 0, tzinfo=UTC)),
        (dt.date(2029, 10, 29), "20291029T080000", dt.datetime(2029, 10, 29, 7, 0, tzinfo=UTC)),
        (dt.date(2029, 3, 23), "20290323T080000", dt.datetime(2029, 3, 23, 7, 0, tzinfo=UTC)),
        (dt.date(2029, 3, 26), "20290326T080000", dt.datetime(2029, 3, 26, 6, 0, tzinfo=UTC)),
    ],
)
def test_event_calendar_keeps_local_time_around_daylight_saving_change(event_factory, day, local, utc):
    event = event_factory(
        starts_at=stockholm(day.year, day.month, day.day, 8, 0),
        ends_at=stockholm(day.year, day.month, day.day, 9, 30),
        doors_at=None,
        registration_deadline=day - dt.timedelta(days=7),
    )

    ics = event_calendar(event)

    assert _property_line(ics, "DTSTART") == f"DTSTART;TZID=Europe/Stockholm:{local}"
    calendar, entry = _parse(ics)
    start = entry["DTSTART"].dt.replace(tzinfo=_vtimezone_rules(calendar))
    assert start.astimezone(UTC) == utc
    assert entry["DTSTART"].dt.astimezone(UTC) == utc


def test_event_calendar_lines_are_folded_at_75_octets_with_crlf(event_factory):
    title = "Chefsfrukost: Åtta övningar för ärlig återkoppling – så leder du med tillit i vardagen på jobbet"
    event = event_factory(
        title=title, host_role="chefsstrateg på Akademikerförbundet SSR, Sundsvall och Härnösand"
    )

    ics = event_calendar(event)

    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert b"\r" not in ics.replace(b"\r\n", b"")
    lines = _lines(ics)[:-1]
    assert max(len(line.encode()) for line in lines) <= 75
    assert any(line.startswith(" ") for line in lines)  # long lines were actually folded
    _calendar, entry = _parse(ics)
    assert str(entry["SUMMARY"]) == title


def test_event_calendar_uid_is_stable_across_mails_and_differs_between_events(
    event_factory, person, colleague
):
    event = event_factory()
    other = event_factory()
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    register(event=other, person=person("anna@example.se"))

    uids = [(m.registration.event_id, str(_parse(m.ics)[1]["UID"])) for m in messages()]

    assert uids == [
        (event.pk, f"{event.ical_uid}@testserver"),
        (event.pk, f"{event.ical_uid}@testserver"),
        (other.pk, f"{other.ical_uid}@testserver"),
    ]
    assert event.ical_uid != other.ical_uid


def test_event_calendar_carries_the_events_current_sequence_and_facts(event, person):
    # That a change raises the event's SEQUENCE is the event service's to show; this shows that
    # each calendar file carries the sequence and facts at the moment it is composed.
    register(event=event, person=person("anna@example.se"))
    [before] = messages(to="anna@example.se")  # composed (as the worker would) before the change
    event.venue_name = "Hotell Knaust"
    event.ical_sequence += 1
    event.save()
    register(event=event, person=person("bo@example.se"))

    [after] = messages(to="bo@example.se")
    assert int(_parse(before.ics)[1]["SEQUENCE"]) == 0
    assert int(_parse(after.ics)[1]["SEQUENCE"]) == 1
    assert str(_parse(after.ics)[1]["LOCATION"]).startswith("Hotell Knaust")


def test_cancellation_calendar_is_cancelled_with_higher_sequence(event, person):
    register(event=event, person=person("anna@example.se"))
    worker_keeps_up()
    cancel_registration(registration=Registration.objects.get(email="anna@example.se"))

    confirmation, cancellation = messages(to="anna@example.se")
    assert (confirmation.kind, cancellation.kind) == (MailKind.CONFIRMATION, MailKind.CANCELLATION)
    _calendar, before = _parse(confirmation.ics)
    _calendar, after = _parse(cancellation.ics)
    assert str(before["STATUS"]) == "CONFIRMED"
    assert str(after["STATUS"]) == "CANCELLED"
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


@pytest.mark.parametrize(
    ("language", "doors"),
    [("sv", "Frukost serveras från kl. 07.30."), ("en", "Breakfast is served from 07:30.")],
)
def test_event_calendar_description_in_active_language(event, language, doors):
    with translation.override(language):
        _calendar, entry = _parse(event_calendar(event))

    assert str(entry["DESCRIPTION"]) == (
        f"{doors}\nHanna Broberg – chefsstrateg på Akademikerförbundet SSR\n"
        f"http://testserver{event.get_absolute_url()}"
    )


def test_calendar_after_registering_again_outranks_earlier_cancellation(event, person):
    register(event=event, person=person("anna@example.se"))
    worker_keeps_up()
    cancel_registration(registration=Registration.objects.get(email="anna@example.se"))
    worker_keeps_up()
    register(event=event, person=person("anna@example.se"))
    worker_keeps_up()
    again = Registration.objects.get(email="anna@example.se", cancelled_at__isnull=True)
    cancel_registration(registration=again)

    sequence = [(m.kind, int(_parse(m.ics)[1]["SEQUENCE"])) for m in messages(to="anna@example.se")]

    # The same UID throughout, so each file must carry a higher SEQUENCE than the one before,
    # or the calendar keeps showing the entry as cancelled.
    assert sequence == [
        (MailKind.CONFIRMATION, 0),
        (MailKind.CANCELLATION, 1),
        (MailKind.CONFIRMATION, 2),
        (MailKind.CANCELLATION, 3),
    ]


def _fresh(event, *, cancelled=False, sequence=0, stamp) -> bytes:
    """The file built from scratch by icalendar, without the cache of per-event parts."""
    from frukost.mail import ical

    public_url = "http://testserver" + event.get_absolute_url()
    return ical._build(event, cancelled=cancelled, public_url=public_url, stamp=stamp, sequence=sequence)


@pytest.mark.parametrize("cancelled", [False, True])
def test_event_calendar_from_the_cached_parts_equals_one_built_afresh(event_factory, frozen, cancelled):
    frozen("2029-05-02 10:00")
    event = event_factory(doors_at=stockholm(2029, 5, 16, 7, 30), ical_sequence=3)
    for language in ("sv", "en"):
        with translation.override(language):
            first = event_calendar(event, cancelled=cancelled, earlier_registrations=1)
            second = event_calendar(event, cancelled=cancelled, earlier_registrations=2)  # from the cache
            stamp = dt.datetime(2029, 5, 2, 8, 0, tzinfo=UTC)
            sequence = 3 + (1 if cancelled else 0)
            assert first == _fresh(event, cancelled=cancelled, sequence=sequence + 2, stamp=stamp)
            assert second == _fresh(event, cancelled=cancelled, sequence=sequence + 4, stamp=stamp)


def test_event_calendar_is_never_served_stale_after_a_change(event_factory, frozen):
    frozen("2029-05-02 10:00")
    event = event_factory()
    event_calendar(event)
    stamp = dt.datetime(2029, 5, 2, 8, 0, tzinfo=UTC)

    # A change saved with the same updated_at (an UPDATE that bypasses save()) still shows.
    event.venue_name = "Hotell Knaust"
    assert str(_parse(event_calendar(event))[1]["LOCATION"]).startswith("Hotell Knaust")
    event.status = "cancelled"
    cancelled = event_calendar(event)
    assert cancelled == _fresh(event, stamp=stamp)
    assert str(_parse(cancelled)[0]["METHOD"]) == "CANCEL"
    event.organisation.name = "Fackförbundet Nytt Namn"
    assert 'CN="Fackförbundet Nytt Namn"' in event_calendar(event).decode()


def test_event_calendar_title_cannot_fake_the_lines_filled_in_per_person(event_factory):
    event = event_factory(title="x\r\nDTSTAMP:19700101T000000Z\r\nSEQUENCE:987654321\r\n")

    calendar, entry = _parse(event_calendar(event))

    assert int(entry["SEQUENCE"]) == 0
    assert entry["DTSTAMP"].dt.year > 2000


def test_event_calendar_after_a_new_address_for_the_event_page_links_the_new_one(event_factory):
    event = event_factory()
    event_calendar(event)

    event.slug = "ny-adress"
    event.organisation.slug = "nytt-forbund"

    description = str(_parse(event_calendar(event))[1]["DESCRIPTION"])
    assert description.endswith("http://testserver/nytt-forbund/ny-adress/")


@given(
    moment=st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 12, 31)),
    sequence=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_the_lines_written_per_message_are_icalendars_own(moment, sequence):
    from frukost.mail import ical

    moment = moment.replace(tzinfo=UTC)
    assert ical._stamp_line(moment) == b"\r\nDTSTAMP:" + icalendar.vDatetime(moment).to_ical() + b"\r\n"
    assert ical._sequence_line(sequence) == b"\r\nSEQUENCE:" + icalendar.vInt(sequence).to_ical() + b"\r\n"
