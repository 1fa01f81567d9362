"""The shape of an invitation: its lines, paragraphs, headings ("Datum och tid") and labels
("Plats: …"), and which lines are running text (lead and body) rather than facts."""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENER = "opener"
WHEN, PLACE, WHEN_PLACE, REGISTRATION, CONTACT, HOST, CLOSING = (
    "when",
    "place",
    "when_place",
    "registration",
    "contact",
    "host",
    "closing",
)

_KINDS = [
    (
        WHEN_PLACE,
        r"(?:datum|tid|när),?\s+(?:tid\s+)?(?:och|&)\s+(?:plats|var)|datum,\s*tid\s+och\s+plats|tid och plats"
        r"|when\s+(?:and|&)\s+where|(?:date,?\s+)?time\s+(?:and|&)\s+(?:place|venue|location)",
    ),
    (
        WHEN,
        r"datum(?:\s+och\s+tid)?|tid(?:\s+och\s+datum)?|tidpunkt|när|dag|date(?:\s+(?:and|&)\s+time)?|time|when"
        r"|datum\s*&\s*tid",
    ),
    (
        PLACE,
        r"plats|plats\s+och\s+adress|adress|lokal|var|venue|location|place|where|address|hitta\s+hit"
        r"|vägbeskrivning|getting\s+there|mötesplats",
    ),
    (
        REGISTRATION,
        r"anmälan|anmäl\s+dig(?:\s+här)?|anmälan\s+och\s+avanmälan|osa|o\.s\.a\.?|rsvp|sista\s+anmälningsdag(?:en)?"
        r"|anmälan\s+senast|anmäl\s+dig\s+senast|registration(?:\s+deadline)?|register|sign\s+up|deadline"
        r"|how\s+to\s+register|anmälan\s+och\s+frågor|anmälningsinformation|biljetter|tickets",
    ),
    (
        CONTACT,
        r"kontakt|kontaktperson|kontaktuppgifter|frågor|har\s+du\s+frågor(?:\s+om\s+[\w\s]{1,40})?|vid\s+frågor"
        r"|frågor\s+om\s+[\w\s]{1,40}|questions|any\s+questions|contact(?:\s+person)?|kontakta\s+oss|arrangör"
        r"|organi[sz]er|mer\s+information|more\s+information|information",
    ),
    (
        HOST,
        r"föreläsare|talare|moderator|samtalsledare|medverkande|inledare|gäst|speakers?|hosts?|presenters?"
        r"|guests?|keynote|medverkar",
    ),
]
_KIND_RES = [(kind, re.compile(rf"(?:{pattern})", re.IGNORECASE)) for kind, pattern in _KINDS]
_CLOSING_RE = re.compile(
    r"^(?:(?:varmt|hjärtligt|mycket)\s+)?välkom(?:men|na)\s*[!.]?$|^welcome\s*[!.]?$|^(?:med\s+)?vänliga"
    r"\s+hälsningar|^hälsningar|^(?:best|kind|warm)\s+(?:regards|wishes)|^regards|^vi\s+ses|^see\s+you|^hoppas\s+vi\s+ses",
    re.IGNORECASE,
)
_LABEL_RE = re.compile(r"^(?P<label>[^:\d]{2,40}?)\s*:\s*(?P<value>.*)$")
_GENERIC_TITLE = re.compile(
    r"^(?:inbjudan|invitation|save the date|välkommen|välkomna|welcome|hej|hello|hi|kära \w+|dear \w+|nyhet"
    r"|news|pressmeddelande)[!,.:]*$",
    re.IGNORECASE,
)
_FIX_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\t": " "})
_FIX_DASHES = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-"}
)
_INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OBFUSCATED_AT_RE = re.compile(r"\s?[(\[]\s?(?:at|snabel-a)\s?[)\]]\s?", re.IGNORECASE)
_MARKDOWN_HEADING_RE = re.compile(r"^\s*#{1,6}\s+|^\*\*(?=.*\*\*$)|\*\*$")


@dataclass
class Line:
    raw: str  # as written (spaces tidied), for the body
    text: str  # dashes made ASCII, for matching
    paragraph: int
    section: str | None = None
    heading: bool = False
    label: str | None = None
    value: str = ""


def heading_kind(text: str) -> str | None:
    """The kind of a whole line used as a heading ("Datum och tid", "Har du frågor?")."""
    bare = _MARKDOWN_HEADING_RE.sub("", text).strip().rstrip(":?!. ").strip()
    if not bare or len(bare) > 50:
        return None
    for kind, pattern in _KIND_RES:
        if pattern.fullmatch(bare):
            return kind
    return None


def split_lines(text: str) -> list[Line]:
    """Tidy the text and number its lines by paragraph (a blank line starts a new one)."""
    text = _INVISIBLE_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).translate(_FIX_SPACES)
    lines: list[Line] = []
    paragraph = 0
    for raw in text.split("\n"):
        raw = _OBFUSCATED_AT_RE.sub("@", raw).strip()
        if not raw:
            if lines and lines[-1].paragraph == paragraph:
                paragraph += 1
            continue
        raw = re.sub(r" {2,}", " ", raw)
        lines.append(Line(raw=raw, text=raw.translate(_FIX_DASHES), paragraph=paragraph))
    return lines


_OPENER_LINE = re.compile(
    r"^(?:inbjudan|välkommen|välkomna|welcome|invitation|you(?:'re| are) invited|du är inbjuden"
    r"|save the date)\b",
    re.IGNORECASE,
)
_TOPIC_LABEL = re.compile(r"^(?:tema|ämne|rubrik|theme|topic|title)\s*:\s*", re.IGNORECASE)


def find_title(lines: list[Line]) -> int | None:
    """Index of the title line: the first line that is not a generic opener ("Inbjudan"). After
    an opener line ("Välkommen på chefsfrukost!", "INBJUDAN TILL FRUKOSTSEMINARIUM") a short
    topic line that follows is the title ("Tema: Stress och återhämtning")."""
    for index, line in enumerate(lines[:4]):
        bare = line.text.strip("#* ")
        if _GENERIC_TITLE.match(bare):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else None
        is_opener = _OPENER_LINE.match(bare) and (bare.endswith(("!", ":")) or bare.isupper())
        if is_opener and following is not None and _could_be_title(following.text):
            return index + 1
        return index
    return None


def _could_be_title(text: str) -> bool:
    from frukost.importer.dates import find_dates
    from frukost.importer.people import NAME_LINE_RE

    bare = text.strip("#* ")
    return (
        8 <= len(bare) <= 150
        and heading_kind(bare) is None
        and not find_dates(bare)
        and not (NAME_LINE_RE.match(bare) and not _TOPIC_LABEL.match(bare))
        and not bare.endswith(".")
    )


def title_text(line: Line) -> str:
    return _TOPIC_LABEL.sub("", line.raw.strip("#* ")).strip()


def classify(lines: list[Line], *, has_fact) -> None:
    """Mark headings, labels and the section each line belongs to.

    A heading's section lasts until the next heading, a closing greeting, or a long paragraph
    of running text with no fact in it (the body can follow the facts).
    """
    section: str | None = None
    paragraphs: dict[int, list[str]] = {}
    for line in lines:
        paragraphs.setdefault(line.paragraph, []).append(line.text)
    for index, line in enumerate(lines):
        bare = line.text.strip("#* ")
        kind = heading_kind(bare)
        if kind is not None:
            line.heading, line.section, section = True, kind, kind
            continue
        if index < 3 and _GENERIC_TITLE.match(bare):
            line.section = OPENER
            continue
        if _CLOSING_RE.match(bare):
            line.section = section = CLOSING
            continue
        label = _LABEL_RE.match(bare)
        if label:
            label_kind = heading_kind(label.group("label"))
            if label_kind is not None:
                line.label, line.value = label_kind, label.group("value").strip()
        starts_paragraph = index == 0 or lines[index - 1].paragraph != line.paragraph
        if section is not None and starts_paragraph:
            paragraph = " ".join(paragraphs[line.paragraph])
            if len(paragraph) > 150 and not has_fact(paragraph):
                section = None
        line.section = section


def to_markdown(lines: list[Line]) -> str:
    """One paragraph's lines as Markdown: bullets become "- " items, other lines stay."""
    out = []
    for line in lines:
        bullet = re.match(r"^(?:[•·▪●◦‣*]|[-–—](?=\s))\s*(?P<rest>.+)$", line.raw)
        out.append(f"- {bullet.group('rest')}" if bullet else line.raw)
    return "\n".join(out)
