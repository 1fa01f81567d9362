"""Turn an invitation text into an event draft: plain rules, no network, no language model."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from frukost.importer import layout
from frukost.importer.content import read_people, read_place, read_text
from frukost.importer.dates import (
    DateMention,
    TimeMention,
    find_dates,
    find_times,
    latest_occurrence,
    make_date,
    next_occurrence,
)
from frukost.importer.draft import EventDraft
from frukost.importer.facts import DEADLINE_RE, blank, has_fact
from frukost.importer.layout import REGISTRATION, WHEN, WHEN_PLACE, Line

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_WEAK_DEADLINE_RE = re.compile(r"\b(?:by|före|innan|before|until|till|fram\s+till)\b", re.IGNORECASE)
_REGISTER_WORD_RE = re.compile(
    r"\b(?:anmäl\w*|regist\w*|sign\s+up|book\w*|osa|rsvp|biljett\w*)\b", re.IGNORECASE
)
_EXCLUSIVE_RE = re.compile(r"\b(?:före|innan|before)\s+(?:den\s+|the\s+)?$", re.IGNORECASE)
_OPENS_RE = re.compile(r"\b(?:öppnar|öppnas|opens?)\b", re.IGNORECASE)
_DAYS_BEFORE_RE = re.compile(
    r"\b(?P<n>\d{1,2}|en|ett|två|tre|fyra|fem|sex|sju|one|two|three|four|five|six|seven|the|dagen|day)?\s*"
    r"(?P<unit>dagen|dagar|dag|days?|veckan|veckor|vecka|weeks?)\s+(?:innan|före|before)\b",
    re.IGNORECASE,
)
_NUMBERS = dict.fromkeys(("en", "ett", "one", "the", "dagen", "day"), 1) | {
    "två": 2, "two": 2, "tre": 3, "three": 3, "fyra": 4, "four": 4, "fem": 5, "five": 5,
    "sex": 6, "six": 6, "sju": 7, "seven": 7,
}  # fmt: skip
_DOORS_RE = re.compile(
    r"\b(?:frukost(?:en)?|breakfast|(?:lätt\s+)?lunch(?:en)?|kaffe(?:t)?|coffee|fika(?:t)?|morgonfika|smörgås\w*"
    r"|mingel|mingle|dörrarna|doors|insläpp|registrering(?:en)?|incheckning(?:en)?|check-in|servering(?:en)?"
    r"|brunch|registration\s+(?:opens|from|and)|arrival|ankomst)\b",
    re.IGNORECASE,
)
_END_RE = re.compile(r"\b(?:slut|avslut\w*|slutar|ends?|ending|closes?|closing|finish\w*)\b", re.IGNORECASE)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")
_CLAUSE_SPLIT_RE = re.compile(r"[(),;]|(?<=[.!?])\s+(?=[A-ZÅÄÖ])|\s-\s(?=[^\d\s])")
_WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass
class _Found:
    line: int
    mention: DateMention


@dataclass
class _Deadline:
    found: _Found | None = None
    days_before: int | None = None  # "senast dagen innan": 1
    exclusive: bool = False  # "före den 3 mars": the last day is 2 March


def parse_invitation(text: str, *, today: dt.date) -> EventDraft:
    """Read an invitation (Swedish or English) into an EventDraft.

    `today` anchors yearless dates. What cannot be found is left empty and explained in
    `warnings`; nothing is guessed. Contradictions (a weekday that does not match the date,
    a deadline after the event) are reported as warnings and left as written.
    """
    draft = EventDraft()
    lines = layout.split_lines(text)
    title_index = layout.find_title(lines)
    if title_index is not None:
        title = layout.title_text(lines[title_index])
        if len(title) <= 200:
            draft.title = title
    layout.classify(lines, has_fact=has_fact)
    if title_index is not None:
        lines[title_index].section = "title"
        for line in lines[:title_index]:
            line.section = layout.OPENER

    dates = [_Found(i, m) for i, line in enumerate(lines) for m in find_dates(line.text)]
    deadline, deadline_ids = _find_deadline(lines, dates)
    event_found = _pick_event_date(lines, [f for f in dates if id(f) not in deadline_ids])
    event_date = _resolve_event_date(event_found.mention, today, draft) if event_found else None
    _read_times(lines, event_found, event_date, deadline_ids, dates, draft)
    _resolve_deadline(deadline, event_date, today, draft)
    read_place(lines, title_index, draft)
    read_people(lines, title_index, draft)
    read_text(lines, title_index, draft)
    _final_warnings(draft, today)
    return draft


# --- Dates -----------------------------------------------------------------------------------


def _find_deadline(lines: list[Line], dates: list[_Found]) -> tuple[_Deadline, set[int]]:
    """The registration deadline as written, and the ids of every date mention that belongs to
    registration rather than to the event."""
    deadline = _Deadline()
    used: set[int] = set()
    by_line: dict[int, list[_Found]] = {}
    for found in dates:
        by_line.setdefault(found.line, []).append(found)
    for index, line in enumerate(lines):
        in_registration = line.section == REGISTRATION or line.label == REGISTRATION
        offset = 0
        for sentence in _SENTENCE_SPLIT_RE.split(line.text):
            start = line.text.find(sentence, offset)
            offset = start + len(sentence)
            keyword = DEADLINE_RE.search(sentence)
            if keyword is None and _REGISTER_WORD_RE.search(sentence):
                keyword = _WEAK_DEADLINE_RE.search(sentence)
            if keyword is None and (not in_registration or _OPENS_RE.search(sentence)):
                continue
            after = start + (keyword.end() if keyword else 0)
            in_sentence = [f for f in by_line.get(index, []) if start <= f.mention.start < offset]
            used.update(id(found) for found in in_sentence)
            if deadline.found is not None or deadline.days_before is not None:
                continue
            following = [f for f in in_sentence if f.mention.start >= after]
            if following or in_sentence:
                deadline.found = (following or in_sentence)[0]
                deadline.exclusive = bool(_EXCLUSIVE_RE.search(line.text[: deadline.found.mention.start]))
                continue
            days = _DAYS_BEFORE_RE.search(sentence)
            if days and keyword is not None:
                word = (days.group("n") or "1").lower()
                count = _NUMBERS[word] if word in _NUMBERS else int(word)
                week = days.group("unit").lower().startswith(("vec", "week"))
                deadline.days_before = count * (7 if week else 1)
    return deadline, used


def _pick_event_date(lines: list[Line], candidates: list[_Found]) -> _Found | None:
    def score(found: _Found) -> int:
        line = lines[found.line]
        points = 0
        if line.section in (WHEN, WHEN_PLACE) or line.label in (WHEN, WHEN_PLACE):
            points += 4
        if found.mention.weekday is not None:
            points += 2
        if found.mention.year is not None:
            points += 1
        nearby = [line.text] + [other.text for other in lines[found.line + 1 : found.line + 2]]
        if any(find_times(blank(text)) for text in nearby):
            points += 2
        if len(line.text) > 160:
            points -= 3
        return points

    # max() keeps the first of equals: on a tie the earliest date wins.
    return max(candidates, key=score, default=None)


def _weekday_name(number: int) -> str:
    return _(_WEEKDAY_NAMES[number])


def _weekday_warning(written: int, date: dt.date) -> str:
    return _("The invitation says %(written)s, but %(date)s is a %(actual)s. Check the date.") % {
        "written": _weekday_name(written),
        "date": date.isoformat(),
        "actual": _weekday_name(date.weekday()),
    }


def _resolve_event_date(mention: DateMention, today: dt.date, draft: EventDraft) -> dt.date | None:
    if mention.year is not None:
        date = make_date(mention.year, mention.month, mention.day)
        if date is None:
            draft.warnings.append(_("“%(text)s” is not a valid date.") % {"text": mention.text})
            return None
        if mention.weekday is not None and date.weekday() != mention.weekday:
            draft.warnings.append(_weekday_warning(mention.weekday, date))
        return date
    date = next_occurrence(mention.month, mention.day, on_or_after=today, weekday=mention.weekday)
    if date is None:
        date = next_occurrence(mention.month, mention.day, on_or_after=today)
        if date is None:
            draft.warnings.append(_("“%(text)s” is not a valid date.") % {"text": mention.text})
            return None
        draft.warnings.append(_weekday_warning(mention.weekday, date))
        return date
    draft.warnings.append(
        _("The invitation gives no year for the event; %(date)s was assumed. Check the year.")
        % {"date": date.isoformat()}
    )
    return date


def _resolve_deadline(
    deadline: _Deadline, event_date: dt.date | None, today: dt.date, draft: EventDraft
) -> None:
    if deadline.found is None:
        if deadline.days_before is not None and event_date is not None:
            draft.registration_deadline = event_date - dt.timedelta(days=deadline.days_before)
        elif deadline.days_before is not None:
            draft.warnings.append(
                _("The registration deadline is given relative to the event, whose date is missing.")
            )
        return
    mention = deadline.found.mention
    if mention.year is not None:
        date = make_date(mention.year, mention.month, mention.day)
    elif event_date is not None:
        date = latest_occurrence(mention.month, mention.day, not_after=event_date)
    else:
        date = next_occurrence(mention.month, mention.day, on_or_after=today)
    if date is None:
        draft.warnings.append(_("“%(text)s” is not a valid date.") % {"text": mention.text})
        return
    if mention.weekday is not None and date.weekday() != mention.weekday:
        draft.warnings.append(_weekday_warning(mention.weekday, date))
    draft.registration_deadline = date - dt.timedelta(days=1) if deadline.exclusive else date


def _read_times(
    lines: list[Line],
    event_found: _Found | None,
    event_date: dt.date | None,
    deadline_ids: set[int],
    dates: list[_Found],
    draft: EventDraft,
) -> None:
    event_line = event_found.line if event_found else None
    found: list[tuple[int, int, TimeMention, bool, bool]] = []
    order = 0
    for index, line in enumerate(lines):
        if line.section == REGISTRATION or line.label == REGISTRATION:
            continue
        near_event = event_line is not None and (
            index == event_line
            or (index == event_line + 1 and lines[index].paragraph == lines[event_line].paragraph)
        )
        in_when = line.section in (WHEN, WHEN_PLACE) or line.label in (WHEN, WHEN_PLACE)
        rank = 0 if (near_event or in_when) else 1
        for sentence in _SENTENCE_SPLIT_RE.split(line.text):
            if DEADLINE_RE.search(sentence) or (
                _REGISTER_WORD_RE.search(sentence) and _WEAK_DEADLINE_RE.search(sentence)
            ):
                continue
            for clause in _CLAUSE_SPLIT_RE.split(blank(sentence)):
                lenient = line.label == WHEN or (in_when and len(clause.strip()) <= 20)
                for mention in find_times(clause, lenient=lenient):
                    is_doors = bool(_DOORS_RE.search(clause))
                    is_end = bool(_END_RE.search(clause))
                    found.append((rank, order, mention, is_doors, is_end))
                    order += 1
    found.sort(key=lambda item: (item[0], item[1]))
    ranges = [item for item in found if item[2].end is not None and not item[3]]
    singles = [item for item in found if item[2].end is None and not item[3] and not item[4]]
    doors = [item for item in found if item[3]]
    start = end = doors_time = None
    if ranges:
        start, end = ranges[0][2].start, ranges[0][2].end
    elif singles:
        start = singles[0][2].start
        ends = [item[2].start for item in found if item[4] and item[2].end is None and item[2].start > start]
        end = ends[0] if ends else None
    elif doors and doors[0][2].end is not None:
        # "Frukost och föreläsning kl. 7.30–9.00": the only range is the event itself.
        start, end = doors[0][2].start, doors[0][2].end
        doors = []
    if doors:
        doors_time = doors[0][2].start
    if event_date is None:
        if found:
            draft.warnings.append(_("Times were found, but no date for the event."))
        else:
            draft.warnings.append(_("No date or time found for the event."))
        return
    if start is None:
        draft.warnings.append(_("No start time found."))
        return
    draft.starts_at = dt.datetime.combine(event_date, start, tzinfo=STOCKHOLM)
    if end is None:
        draft.warnings.append(_("No end time found."))
    elif end <= start:
        draft.warnings.append(
            _("The end time %(end)s is not after the start time %(start)s; the end was left empty.")
            % {"end": end.strftime("%H:%M"), "start": start.strftime("%H:%M")}
        )
    else:
        draft.ends_at = dt.datetime.combine(event_date, end, tzinfo=STOCKHOLM)
    if doors_time is not None:
        draft.doors_at = dt.datetime.combine(event_date, doors_time, tzinfo=STOCKHOLM)
        if doors_time > start:
            draft.warnings.append(
                _("Breakfast is served from %(doors)s, after the start at %(start)s. Check the times.")
                % {"doors": doors_time.strftime("%H:%M"), "start": start.strftime("%H:%M")}
            )


def _final_warnings(draft: EventDraft, today: dt.date) -> None:
    missing = []
    if not draft.title:
        missing.append(_("No title found."))
    if not draft.host_name:
        missing.append(_("No host (who leads the conversation) found."))
    if not draft.online:
        if not draft.venue_name:
            missing.append(_("No venue found."))
        if not draft.street_address:
            missing.append(_("No street address found."))
        if not draft.city:
            missing.append(_("No city found."))
    elif not draft.online_url:
        missing.append(_("Online event without a meeting link: add it before the event."))
    if draft.registration_deadline is None:
        missing.append(_("No registration deadline found."))
    if not draft.contact_name:
        missing.append(_("No contact person found."))
    if not draft.contact_email:
        missing.append(_("No contact e-mail found."))
    draft.warnings.extend(missing)
    event_day = draft.starts_at.date() if draft.starts_at else None
    deadline = draft.registration_deadline
    if deadline and event_day and deadline > event_day:
        draft.warnings.append(
            _("The registration deadline %(deadline)s is after the event (%(event)s).")
            % {"deadline": deadline.isoformat(), "event": event_day.isoformat()}
        )
    if event_day and event_day < today:
        draft.warnings.append(
            _("The event date %(date)s has already passed.") % {"date": event_day.isoformat()}
        )
    elif deadline and deadline < today:
        draft.warnings.append(
            _("The registration deadline %(deadline)s has already passed.")
            % {"deadline": deadline.isoformat()}
        )
