"""Dates and times the way Swedish (and English) invitations write them.

Swedish follows the public-sector web guidelines: "onsdag 16 maj 2029", "kl. 08.00–09.30"
(full stop between hours and minutes, an en dash without spaces). Written out here rather than
taken from Django's locale data so that the format is fixed and tested.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import translation

STOCKHOLM = ZoneInfo("Europe/Stockholm")

_SV_WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
_SV_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
_EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _language(language: str | None) -> str:
    return (language or translation.get_language() or "sv")[:2]


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(STOCKHOLM)


def long_date(value: dt.date | dt.datetime, language: str | None = None) -> str:
    """'onsdag 16 maj 2029' / 'Wednesday 16 May 2029'."""
    day = local(value).date() if isinstance(value, dt.datetime) else value
    if _language(language) == "sv":
        return f"{_SV_WEEKDAYS[day.weekday()]} {day.day} {_SV_MONTHS[day.month - 1]} {day.year}"
    return f"{_EN_WEEKDAYS[day.weekday()]} {day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def short_date(value: dt.date | dt.datetime, language: str | None = None) -> str:
    """'16 maj 2029' / '16 May 2029'."""
    day = local(value).date() if isinstance(value, dt.datetime) else value
    months = _SV_MONTHS if _language(language) == "sv" else _EN_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def clock(value: dt.datetime | dt.time, language: str | None = None) -> str:
    """'08.00' in Swedish, '08:00' in English."""
    moment = local(value).time() if isinstance(value, dt.datetime) else value
    separator = "." if _language(language) == "sv" else ":"
    return f"{moment.hour:02d}{separator}{moment.minute:02d}"


def time_range(start: dt.datetime, end: dt.datetime, language: str | None = None) -> str:
    """'kl. 08.00–09.30' / '08:00–09:30'."""
    text = f"{clock(start, language)}–{clock(end, language)}"
    return f"kl. {text}" if _language(language) == "sv" else text


def percent(share: float, language: str | None = None) -> str:
    """A share (0–1) as a whole percentage: '7 %' in Swedish (a non-breaking space before the
    sign, as Swedish writes it), '7%' in English."""
    number = round(100 * share)
    return f"{number}\u00a0%" if _language(language) == "sv" else f"{number}%"
