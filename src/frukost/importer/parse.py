"""Turn an invitation text into an event draft: plain rules, no network, no language model."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from frukost.importer import layout
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
from frukost.importer.layout import CLOSING, CONTACT, PLACE, REGISTRATION, WHEN, WHEN_PLACE, Line
from frukost.importer.people import (
    EMAIL_RE,
    NAME_LINE_RE,
    PHONE_LABEL_RE,
    URL_RE,
    contact_name_by_keyword,
    find_host,
    find_phone,
    name_near_email,
    phone_spans,
)
from frukost.importer.places import (
    ONLINE_STRONG_RE,
    POSTAL_RE,
    STREET_RE,
    STREET_WORD_RE,
    Place,
    find_meeting_url,
    find_place_in_prose,
    parse_place,
    town_in,
)
from frukost.importer.questions import find_gift, find_questions

STOCKHOLM = ZoneInfo("Europe/Stockholm")

_DEADLINE_RE = re.compile(
    r"\b(?:senast|sista\s+anmälningsdag(?:en)?|sista\s+anmälningsdatum|sista\s+dag(?:en)?\s+(?:för|att)\s+\w+"
    r"|anmälan\s+stänger|anmälningen\s+stänger|osa|o\.s\.a\b\.?|rsvp|r\.s\.v\.p\b\.?|deadline|no\s+later\s+than"
    r"|at\s+the\s+latest|register\s+by|registration\s+closes|sign\s+up\s+by|book\s+by|respond\s+by"
    r"|reply\s+by|anmäl\s+dig\s+(?:före|innan)|anmälan\s+(?:före|innan)|register\s+before|sign\s+up\s+before)\b",
    re.IGNORECASE,
)
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
_CONTACT_WORD_RE = re.compile(
    r"\b(?:kontakt\w*|frågor|questions?|contact\w*|upplysningar|vänd\s+dig|reach\s+out)\b", re.IGNORECASE
)
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


def _has_fact(text: str) -> bool:
    return bool(
        find_dates(text)
        or find_times(_blank(text))
        or EMAIL_RE.search(text)
        or URL_RE.search(text)
        or STREET_WORD_RE.search(text)
        or phone_spans(text)
    )


def _is_fact_line(line: Line) -> bool:
    """A short line that only states a fact or gives an instruction about registering."""
    return len(line.text) <= 120 and bool(
        _has_fact(line.text) or _DEADLINE_RE.search(line.text) or ONLINE_STRONG_RE.search(line.text)
    )


def _blank(text: str, spans: list[tuple[int, int]] | None = None) -> str:
    """The text with dates, e-mail addresses, links and phone numbers replaced by spaces, so
    that their digits are never read as clock times."""
    chars = list(text)
    ranges = list(spans or [])
    for pattern in (EMAIL_RE, URL_RE):
        ranges += [m.span() for m in pattern.finditer(text)]
    ranges += phone_spans(text)
    ranges += [(m.start, m.end) for m in find_dates(text)]
    for start, end in ranges:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


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
    layout.classify(lines, has_fact=_has_fact)
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
    _read_place(lines, title_index, draft)
    _read_people(lines, title_index, draft)
    _read_text(lines, title_index, draft)
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
            keyword = _DEADLINE_RE.search(sentence)
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
        if any(find_times(_blank(text)) for text in nearby):
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
            if _DEADLINE_RE.search(sentence) or (
                _REGISTER_WORD_RE.search(sentence) and _WEAK_DEADLINE_RE.search(sentence)
            ):
                continue
            for clause in _CLAUSE_SPLIT_RE.split(_blank(sentence)):
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


# --- Place, people, text ---------------------------------------------------------------------


def _place_block(lines: list[Line]) -> str | None:
    """The lines that say where: a "Plats: …" label (with the address lines under it) or the
    lines under a "Plats" heading, up to the next blank line."""
    for index, line in enumerate(lines):
        labelled = line.label in (PLACE, WHEN_PLACE) and line.value
        under_heading = not line.heading and line.label is None and line.section in (PLACE, WHEN_PLACE)
        if not (labelled or under_heading):
            continue
        if under_heading and line.section == WHEN_PLACE and _is_when_line(line.text):
            continue
        block = [line.value if labelled else line.text]
        for following in lines[index + 1 : index + 4]:
            if following.paragraph != line.paragraph or following.heading or following.label:
                break
            if labelled and not (STREET_RE.match(following.text) or POSTAL_RE.match(following.text)):
                break
            if (
                _is_when_line(following.text)
                or EMAIL_RE.search(following.text)
                or URL_RE.search(following.text)
            ):
                break
            block.append(following.text)
        return "\n".join(block)
    return None


def _is_when_line(text: str) -> bool:
    return bool(find_dates(text) or find_times(_blank(text)))


def _read_place(lines: list[Line], title_index: int | None, draft: EventDraft) -> None:
    block = _place_block(lines)
    place = parse_place(block) if block else None
    if place is None or not (place.venue_name or place.street_address or place.online):
        prose = None
        for index, line in enumerate(lines):
            if index != title_index and line.section not in (CONTACT, CLOSING):
                prose = find_place_in_prose(line.text)
                if prose:
                    break
        place = prose or place or Place()
    whole = "\n".join(line.text for line in lines)
    if not place.online and not place.street_address and not place.venue_name:
        place.online = bool(ONLINE_STRONG_RE.search(whole))
    if place.city is None and place.venue_name and (town := town_in(place.venue_name)):
        place.city = town
        draft.warnings.append(_("The city %(city)s was read from the venue's name.") % {"city": town})
    draft.venue_name = place.venue_name
    draft.street_address = place.street_address
    draft.postal_code = place.postal_code
    draft.city = place.city
    draft.online = place.online
    if place.online:
        draft.online_url = find_meeting_url(whole)


def _read_people(lines: list[Line], title_index: int | None, draft: EventDraft) -> None:
    name_line = _host_name_line(lines, title_index)
    whole = "\n".join(line.text for index, line in enumerate(lines) if index != title_index)
    draft.host_name, draft.host_role = find_host(whole, name_line.text if name_line else None)

    def is_contact(line: Line) -> bool:
        return (
            line.section in (CONTACT, CLOSING)
            or line.label == CONTACT
            or bool(_CONTACT_WORD_RE.search(line.text))
        )

    contact_lines = [line for line in lines if is_contact(line)]
    emails = [(i, m) for i, line in enumerate(lines) for m in EMAIL_RE.finditer(line.text)]
    chosen = next(((i, m) for i, m in emails if is_contact(lines[i])), emails[0] if emails else None)
    if chosen is not None:
        index, match = chosen
        draft.contact_email = match.group(0)
        previous = [
            line.text for line in lines[max(0, index - 3) : index] if line.paragraph == lines[index].paragraph
        ]
        draft.contact_name = name_near_email(lines[index].text, match.start(), previous)
    if draft.contact_name is None:
        draft.contact_name = contact_name_by_keyword([line.text for line in contact_lines])
    if draft.contact_name and draft.contact_name == draft.host_name and chosen is None:
        draft.contact_name = None
    phone_lines = [lines[chosen[0]].text] if chosen is not None else []
    phone_lines += [line.text for line in contact_lines]
    phone_lines += [line.text for line in lines if PHONE_LABEL_RE.search(line.text)]
    draft.contact_phone = find_phone(phone_lines)


def _host_name_line(lines: list[Line], title_index: int | None) -> Line | None:
    """A line with only a name right under the title: the seed's "Hanna Broberg"."""
    if title_index is None:
        return None
    for line in lines[title_index + 1 : title_index + 3]:
        if line.heading or line.label:
            return None
        if NAME_LINE_RE.match(line.text) and not _has_fact(line.text):
            return line
        if line.paragraph != lines[title_index].paragraph:
            return None
    return None


def _is_body(line: Line) -> bool:
    return line.section is None and not line.heading and line.label is None


def _read_text(lines: list[Line], title_index: int | None, draft: EventDraft) -> None:
    name_line = _host_name_line(lines, title_index)
    paragraphs: dict[int, list[Line]] = {}
    for index, line in enumerate(lines):
        if index == title_index or line is name_line or not _is_body(line):
            continue
        paragraphs.setdefault(line.paragraph, []).append(line)
    kept = []
    for group in paragraphs.values():
        text = " ".join(line.text for line in group)
        # A short paragraph of facts only ("Onsdag 16 maj, kl. 8–9.30") is not running text.
        if all(_is_fact_line(line) for line in group) and len(text) < 300:
            continue
        kept.append(layout.to_markdown(group))
    # The lead is the first paragraph of prose; a programme list or a subheading stays in the body.
    prose = [
        i
        for i, text in enumerate(kept)
        if len(text) >= 60 and not text.startswith("- ") and "\n- " not in text
    ]
    if prose:
        draft.lead = kept[prose[0]]
        draft.body = "\n\n".join(text for i, text in enumerate(kept) if i != prose[0])
    else:
        draft.body = "\n\n".join(kept)
    draft.questions = find_questions(kept)
    draft.gift = find_gift(" ".join(line.text for line in lines))


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
