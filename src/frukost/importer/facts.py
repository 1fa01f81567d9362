"""What counts as a fact in a line (a date, a clock time, an address, a phone number), and a
line's text with those blanked out so that their digits are never read as clock times."""

from __future__ import annotations

import re

from frukost.importer.dates import find_dates, find_times
from frukost.importer.layout import Line
from frukost.importer.people import EMAIL_RE, URL_RE, phone_spans
from frukost.importer.places import ONLINE_STRONG_RE, STREET_WORD_RE

DEADLINE_RE = re.compile(
    r"\b(?:senast|sista\s+anmälningsdag(?:en)?|sista\s+anmälningsdatum|sista\s+dag(?:en)?\s+(?:för|att)\s+\w+"
    r"|anmälan\s+stänger|anmälningen\s+stänger|osa|o\.s\.a\b\.?|rsvp|r\.s\.v\.p\b\.?|deadline|no\s+later\s+than"
    r"|at\s+the\s+latest|register\s+by|registration\s+closes|sign\s+up\s+by|book\s+by|respond\s+by"
    r"|reply\s+by|anmäl\s+dig\s+(?:före|innan)|anmälan\s+(?:före|innan)|register\s+before|sign\s+up\s+before)\b",
    re.IGNORECASE,
)


def has_fact(text: str) -> bool:
    return bool(
        find_dates(text)
        or find_times(blank(text))
        or EMAIL_RE.search(text)
        or URL_RE.search(text)
        or STREET_WORD_RE.search(text)
        or phone_spans(text)
    )


def is_fact_line(line: Line) -> bool:
    """A short line that only states a fact or gives an instruction about registering."""
    return len(line.text) <= 120 and bool(
        has_fact(line.text) or DEADLINE_RE.search(line.text) or ONLINE_STRONG_RE.search(line.text)
    )


def blank(text: str, spans: list[tuple[int, int]] | None = None) -> str:
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
