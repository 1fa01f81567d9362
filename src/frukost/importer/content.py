"""Reading the place, the people and the running text of an invitation into a draft."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from frukost.importer import layout
from frukost.importer.dates import find_dates, find_times
from frukost.importer.draft import EventDraft
from frukost.importer.facts import blank, has_fact, is_fact_line
from frukost.importer.layout import CLOSING, CONTACT, PLACE, WHEN_PLACE, Line
from frukost.importer.people import (
    EMAIL_RE,
    NAME_LINE_RE,
    PHONE_LABEL_RE,
    URL_RE,
    contact_name_by_keyword,
    find_host,
    find_phone,
    name_near_email,
)
from frukost.importer.places import (
    ONLINE_STRONG_RE,
    POSTAL_RE,
    STREET_RE,
    Place,
    find_meeting_url,
    find_place_in_prose,
    parse_place,
    town_in,
)
from frukost.importer.questions import find_gift, find_questions

_CONTACT_WORD_RE = re.compile(
    r"\b(?:kontakt\w*|frågor|questions?|contact\w*|upplysningar|vänd\s+dig|reach\s+out)\b", re.IGNORECASE
)


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
    return bool(find_dates(text) or find_times(blank(text)))


def read_place(lines: list[Line], title_index: int | None, draft: EventDraft) -> None:
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


def read_people(lines: list[Line], title_index: int | None, draft: EventDraft) -> None:
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
        if NAME_LINE_RE.match(line.text) and not has_fact(line.text):
            return line
        if line.paragraph != lines[title_index].paragraph:
            return None
    return None


def _is_body(line: Line) -> bool:
    return line.section is None and not line.heading and line.label is None


def read_text(lines: list[Line], title_index: int | None, draft: EventDraft) -> None:
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
        if all(is_fact_line(line) for line in group) and len(text) < 300:
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
