"""Dates and clock times as Swedish and English invitations write them.

Finding is separate from resolving: `find_dates` reports what the text says (a day, a month,
perhaps a year and a weekday), and the caller decides which year a yearless date means.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Three-letter prefixes are unique across both languages (mån/mon, tis/tue, ons/wed …).
_WEEKDAY_PREFIX = {
    "mån": 0, "tis": 1, "ons": 2, "tor": 3, "fre": 4, "lör": 5, "sön": 6,
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
_MONTH_PREFIX = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "may": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

WEEKDAY = (
    r"(?:(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en|ar)?|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|mån|tis|ons|tors?|fre|lör|sön|mon|tues?|wed|thur?s?|fri|sat|sun)\.?"
)
MONTH = (
    r"(?:januari|january|jan|februari|february|feb|mars|march|mar|april|apr|maj|may|juni|june|jun"
    r"|juli|july|jul|augusti|august|aug|september|sept|sep|oktober|october|okt|oct|november|nov"
    r"|december|dec)\b\.?"
)
_YEAR = r"(?:19|20)\d\d"
_WD = rf"(?:\b(?P<wd>{WEEKDAY})[,.]?\s+(?:den\s+|the\s+)?)?"

DATE_RE = re.compile(
    rf"{_WD}(?:den\s+|the\s+)?(?:"
    # 2027-05-16
    rf"\b(?P<iso_y>{_YEAR})-(?P<iso_m>[01]?\d)-(?P<iso_d>[0-3]?\d)\b"
    # 16 maj 2029, 16th of May, 1:a maj
    rf"|\b(?P<d>[0-3]?\d)(?::e|:a|st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<m>{MONTH})(?:,?\s+(?P<y>{_YEAR})\b)?"
    # May 16, 2027
    rf"|\b(?P<us_m>{MONTH})\s+(?P<us_d>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<us_y>{_YEAR})\b)?"
    # 16/5, 16/5 2027, 16/5/27
    rf"|(?<![\d/.])\b(?P<n_d>[0-3]?\d)/(?P<n_m>[01]?\d)\b(?![.,]\d)"
    rf"(?:/(?P<n_y>{_YEAR}|\d\d)\b|\s+(?P<n_y2>{_YEAR})\b)?(?!/)"
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """A date as written: `year` and `weekday` (0 = Monday) are None when not written."""

    day: int
    month: int
    year: int | None
    weekday: int | None
    start: int
    end: int
    text: str


def _weekday_number(word: str | None) -> int | None:
    return _WEEKDAY_PREFIX.get(word.lower()[:3]) if word else None


def find_dates(line: str) -> list[DateMention]:
    """Every date written in one line, in order. Impossible days (31 april) are still reported."""
    found = []
    for match in DATE_RE.finditer(line):
        groups = match.groupdict()
        if groups["iso_y"]:
            year, month, day = int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"])
        elif groups["m"]:
            day, month = int(groups["d"]), _MONTH_PREFIX[groups["m"].lower()[:3]]
            year = int(groups["y"]) if groups["y"] else None
        elif groups["us_m"]:
            day, month = int(groups["us_d"]), _MONTH_PREFIX[groups["us_m"].lower()[:3]]
            year = int(groups["us_y"]) if groups["us_y"] else None
        else:
            day, month = int(groups["n_d"]), int(groups["n_m"])
            short = groups["n_y"] or groups["n_y2"]
            year = None if not short else int(short) + (2000 if len(short) == 2 else 0)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        found.append(
            DateMention(
                day=day,
                month=month,
                year=year,
                weekday=_weekday_number(groups["wd"]),
                start=match.start(),
                end=match.end(),
                text=match.group(0).strip(),
            )
        )
    return found


def make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def next_occurrence(
    month: int, day: int, *, on_or_after: dt.date, weekday: int | None = None
) -> dt.date | None:
    """The first date with this month and day on or after a date (and this weekday, if given)."""
    # Weekdays repeat every 28 years (400 for 29 February); 60 years covers both with room.
    for year in range(on_or_after.year, on_or_after.year + 60):
        candidate = make_date(year, month, day)
        if candidate is None or candidate < on_or_after:
            continue
        if weekday is None or candidate.weekday() == weekday:
            return candidate
    return None


def latest_occurrence(month: int, day: int, *, not_after: dt.date) -> dt.date | None:
    """The last date with this month and day on or before a date."""
    for year in range(not_after.year, not_after.year - 8, -1):
        candidate = make_date(year, month, day)
        if candidate is not None and candidate <= not_after:
            return candidate
    return None


# --- Clock times ------------------------------------------------------------------------------

_AMPM = r"(?P<{n}>[ap]\.?\s?m\b\.?)"
_CLOCK = r"(?<![\d:,/])(?<!\d\.)(?P<{h}>[012]?\d)(?:[.:](?P<{mi}>[0-5]\d))?(?![\d/])(?:\s?" + _AMPM + r")?"
_KL = r"(?P<{k}>\b(?:kl|klockan|klo|at|from|från|fr\.\s?o\.\s?m\.?|between|mellan|time|tid)\b\.?:?\s*)?"
TIME_RE = re.compile(
    _KL.format(k="kl")
    + _CLOCK.format(h="h1", mi="m1", n="ap1")
    + r"(?:\s*(?P<sep>-|till|to|until|och|and)\s*(?:kl\.?\s*)?"
    + _CLOCK.format(h="h2", mi="m2", n="ap2")
    + r")?(?!\s*(?:kr\b|sek\b|%|:-|€|\$|procent|percent|personer|people|deltagare|min\b|minuter|minutes"
    r"|timmar|hours|tim\b|år\b|years|st\b|platser|seats|dagar|days|veckor|weeks))",
    re.IGNORECASE,
)
_STRONG_WORDS = {"kl", "klockan", "klo", "tid", "time"}


@dataclass(frozen=True)
class TimeMention:
    """A clock time or a time range in one clause of a line."""

    start: dt.time
    end: dt.time | None
    position: int


def _hour(hour: int, ampm: str | None) -> int | None:
    if ampm:
        if not 1 <= hour <= 12:
            return None
        return (hour % 12) + (12 if ampm.lower().startswith("p") else 0)
    return hour if hour <= 23 else None


def find_times(clause: str, *, lenient: bool = False) -> list[TimeMention]:
    """Clock times in a clause whose dates, phone numbers and addresses are already blanked.

    A bare number ("8") counts only after "kl", next to a time with minutes ("8–9.30"), with
    am/pm, or when `lenient` (the line is labelled as a time, "Tid: 8–10").
    """
    found = []
    for match in TIME_RE.finditer(clause):
        g = match.groupdict()
        word = (g["kl"] or "").strip(" .:").lower()
        has_second = g["h2"] is not None
        if has_second and g["sep"].lower() in {"och", "and"}:
            # "och" joins a range only after "mellan": "kl. 8 och 10 personer" is no range.
            after_between = re.search(r"(?:mellan|between)\s*$", clause[: match.start()], re.IGNORECASE)
            has_second = word in {"mellan", "between"} or after_between is not None
        ap1, ap2 = g["ap1"], g["ap2"]
        if has_second and not ap1 and ap2:
            ap1 = _shared_ampm(int(g["h1"]), int(g["m1"] or 0), int(g["h2"]), ap2, int(g["m2"] or 0))
        strong = bool(g["m1"] or g["m2"] or ap1 or ap2 or lenient or word in _STRONG_WORDS)
        if not strong:
            continue
        first_hour = _hour(int(g["h1"]), ap1)
        if first_hour is None:
            continue
        end = None
        if has_second:
            second_hour = _hour(int(g["h2"]), ap2)
            if second_hour is not None:
                end = dt.time(second_hour, int(g["m2"] or 0))
        found.append(
            TimeMention(start=dt.time(first_hour, int(g["m1"] or 0)), end=end, position=match.start())
        )
    return found


def _shared_ampm(h1: int, m1: int, h2: int, ap2: str, m2: int) -> str | None:
    """In "11–1 pm" or "8:00-9:30 am", which half of the day the unmarked start belongs to."""
    end = _hour(h2, ap2)
    same = _hour(h1, ap2)
    if end is None or same is None:
        return None
    if (same, m1) < (end, m2):
        return ap2
    return "am" if ap2.lower().startswith("p") else None
