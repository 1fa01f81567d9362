"""Calendar files (RFC 5545) for events.

One stable UID per event and a SEQUENCE raised whenever its facts change, so a calendar
client updates the entry it already has instead of adding another. Times carry
TZID=Europe/Stockholm with a VTIMEZONE written with yearly rules (valid for every year,
unlike a list of dates).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frukost.core import formats
from frukost.core.formats import STOCKHOLM
from frukost.mail.frames import model_facts

if TYPE_CHECKING:
    from icalendar import Timezone

# icalendar (6.8 MiB imported alone, about 3 MiB more in a web worker) is imported inside the
# functions that build a file: a web worker that serves no calendar download never loads it.

PRODID = "-//frukost//frukost event registration//SV"


def _stockholm_vtimezone() -> Timezone:
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", "Europe/Stockholm")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", dt.datetime(1970, 3, 29, 2, 0, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    summer.add("tzoffsetfrom", dt.timedelta(hours=1))
    summer.add("tzoffsetto", dt.timedelta(hours=2))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", dt.datetime(1970, 10, 25, 3, 0, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    winter.add("tzoffsetfrom", dt.timedelta(hours=2))
    winter.add("tzoffsetto", dt.timedelta(hours=1))
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def event_uid(event) -> str:
    host = settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "frukost"
    return f"{event.ical_uid}@{host}"


# The calendar files built lately, by everything that goes into them except DTSTAMP and SEQUENCE
# (the only per-message parts): every attendee of an event gets the same file with those two
# lines filled in. The key holds the facts themselves, so a changed event (or organisation
# name, language, setting) is a new key and never served stale; old keys fall out (LRU).
_CACHE_SIZE = 64
_built: OrderedDict[tuple, tuple[bytes, bytes, bytes]] = OrderedDict()
_built_lock = threading.Lock()  # the worker's two loops may both compose
# Written where DTSTAMP and SEQUENCE go when a file is built for the cache, then replaced.
_STAMP_MARK = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SEQUENCE_MARK = 987654321


def event_calendar(event, *, cancelled: bool = False, earlier_registrations: int = 0) -> bytes:
    """The .ics file for one event; `cancelled` for a person's own cancellation receipt.

    A cancelled event gives METHOD:CANCEL with STATUS:CANCELLED (RFC 5546 3.2.5), which removes
    the entry from the recipient's calendar; its SEQUENCE was raised when it was cancelled.

    `earlier_registrations` counts the recipient's earlier, ended registrations for this event:
    someone who cancels and registers again already holds a cancelled entry with this UID, and
    only a higher SEQUENCE makes their calendar take the new one.
    """
    # A cancellation must outrank the confirmation the client already holds.
    sequence = event.ical_sequence + 2 * earlier_registrations + (1 if cancelled else 0)
    # Every stored fact of the event and its organisation, and the public URL by what it is
    # reversed from (the slugs among those facts, the script prefix, BASE_URL): reversing it for
    # every message cost as much as the rest of the key.
    key = (
        model_facts(event, event.organisation),
        get_script_prefix(),
        settings.BASE_URL,
        settings.DEFAULT_FROM_EMAIL,
        translation.get_language(),
        cancelled,
    )
    with _built_lock:
        parts = _built.get(key)
        if parts is not None:
            _built.move_to_end(key)
    if parts is None:
        public_url = settings.BASE_URL + event.get_absolute_url()
        parts = _parts(_build(event, cancelled=cancelled, public_url=public_url))
        with _built_lock:
            _built[key] = parts
            if len(_built) > _CACHE_SIZE:
                _built.popitem(last=False)
    head, middle, tail = parts
    now = timezone.now().astimezone(dt.UTC)
    return head + _stamp_line(now) + middle + _sequence_line(sequence) + tail


def _parts(marked: bytes) -> tuple[bytes, bytes, bytes]:
    """A file built with the marks, cut where DTSTAMP's and SEQUENCE's lines go. Each line starts
    after a CRLF (content lines hold none: icalendar escapes newlines), so no text can fake one."""
    head, rest = marked.split(_stamp_line(_STAMP_MARK))
    middle, tail = rest.split(_sequence_line(_SEQUENCE_MARK))
    return head, middle, tail


def _stamp_line(moment: dt.datetime) -> bytes:
    """What icalendar's vDatetime writes for a moment in UTC (tests/mail/test_ical.py), without
    building its property object for every message."""
    return moment.strftime("\r\nDTSTAMP:%Y%m%dT%H%M%SZ\r\n").encode("ascii")


def _sequence_line(sequence: int) -> bytes:
    return b"\r\nSEQUENCE:%d\r\n" % sequence


def _build(
    event,
    *,
    cancelled: bool,
    public_url: str,
    stamp: dt.datetime = _STAMP_MARK,
    sequence: int = _SEQUENCE_MARK,
) -> bytes:
    from icalendar import Calendar, vCalAddress, vText
    from icalendar import Event as CalendarEvent

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    method = "CANCEL" if event.is_cancelled else "PUBLISH"
    calendar.add("method", method)
    calendar.add_component(_stockholm_vtimezone())

    entry = CalendarEvent()
    entry.add("uid", event_uid(event))
    entry.add("dtstamp", stamp)
    entry.add("last-modified", event.updated_at.astimezone(dt.UTC))
    entry.add("sequence", sequence)
    entry.add("dtstart", event.starts_at.astimezone(STOCKHOLM))
    entry.add("dtend", event.ends_at.astimezone(STOCKHOLM))
    entry.add("summary", event.title)
    location = "Online" if event.online else ", ".join(p for p in (event.venue_name, event.address_line) if p)
    if location:
        entry.add("location", location)
    entry.add("url", public_url)
    lines = []
    if event.doors_at:
        # In the active language (the registrant's, for e-mail): the same sentence as the mail body.
        lines.append(_("Breakfast is served from %(doors)s.") % {"doors": formats.clock(event.doors_at)})
    if event.host_name:
        lines.append(" – ".join(p for p in (event.host_name, event.host_role) if p))
    # The public page, never a personal link: calendars sync, share and publish their entries.
    lines.append(public_url)
    entry.add("description", "\n".join(lines))
    if method == "CANCEL":
        # RFC 5546 requires the organiser on a CANCEL: the event's contact, else the site's sender.
        address = event.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        organizer = vCalAddress(f"mailto:{address}")
        organizer.params["cn"] = vText(event.organisation.name)
        entry.add("organizer", organizer)
    is_cancelled = cancelled or event.is_cancelled
    entry.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
    entry.add("transp", "TRANSPARENT" if is_cancelled else "OPAQUE")
    calendar.add_component(entry)
    return calendar.to_ical()
