"""People in an invitation: the host who leads the conversation and the contact person."""

from __future__ import annotations

import re
from collections.abc import Sequence

_UPPER = "A-ZÅÄÖÉÈÜØÆÁÍÓÚÑ"
_LOWER = "a-zåäöéèüøæáíóúñëïç"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
# Two or three capitalised words, with the usual particles ("af", "von", "de") allowed between.
NAME = rf"{_NAME_WORD}(?:\s(?:(?:af|av|von|van|de|der|la|di|du|el)\s)?{_NAME_WORD}){{1,3}}"
NAME_RE = re.compile(NAME)
NAME_LINE_RE = re.compile(rf"^(?P<name>{NAME})(?:\s*(?:,|-|\|)\s*(?P<role>[^\n]{{3,150}}))?$")

EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?]", re.IGNORECASE)
PHONE_RE = re.compile(r"(?<![\w+:.,/-])(?:\+\s?46\s?(?:\(0\)\s?)?|0)\d{1,3}(?:[\s-]?\d{1,4}){1,4}(?![\w-])")
PHONE_LABEL_RE = re.compile(r"\b(?:tel|telefon|tfn|phone|mobil|mobile|mob|ring|call|sms)\b", re.IGNORECASE)

# Capitalised words that are not names: "Kontakta Ida Berglund", "Varmt Välkommen", "Hotel Bishops".
_NOT_NAME_WORDS = {
    "hotel", "hotell", "scandic", "clarion", "elite", "quality", "radisson", "folkets", "stadshuset", "varmt",
    "välkommen", "välkomna", "datum", "plats", "anmälan", "kontakt", "kontakta", "kontaktperson", "frågor",
    "har", "date", "venue", "registration", "questions", "welcome", "contact", "leadership", "chefsfrukost",
    "frukostmöte", "frukost", "breakfast", "sista", "tid", "time", "program", "dear", "hej", "kära", "mejla",
    "maila", "ring", "call", "email", "e-post", "tel", "telefon", "phone", "vid", "för", "om", "med", "och",
    "the", "our", "vår", "moderator", "föreläsare", "talare", "speaker", "host", "arrangör", "organiser",
    "please", "anmäl", "register", "sign", "universitet", "university", "kommun", "region",
}  # fmt: skip


# A capitalised first word that is a title, not a first name ("Förbundsjurist Maja Ek berättar").
ROLE_WORD_RE = re.compile(
    r"^(?:[\wåäö]*(?:jurist|chef|ordförande|strateg|forskare|psykolog|konsult|ombudsman|ansvarig|direktör|ekonom"
    r"|handläggare|förhandlare|sekreterare|expert|rådgivare|ledare|författare|journalist|professor|docent|läkare"
    r"|coach|specialist)|vd|professor|docent|dr|doktor|psychologist|researcher|director|manager|lawyer)$",
    re.IGNORECASE,
)


def clean_name(candidate: str) -> str | None:
    """Drop leading non-name words ("Kontakta Ida Berglund" -> "Ida Berglund"); None if no name
    of at least two words is left."""
    words = candidate.split()
    while words and (words[0].lower() in _NOT_NAME_WORDS or ROLE_WORD_RE.match(words[0])):
        words.pop(0)
    if len(words) < 2 or any(word.lower() in _NOT_NAME_WORDS for word in words):
        return None
    return " ".join(words)


_HOST_LABEL = re.compile(
    rf"^(?i:föreläsare|talare|moderator|samtalsledare|medverkande|inledare|gäst|värd|speaker|host|presenter"
    rf"|guest|keynote|moderated by)\s*:\s*(?:[a-zåäö]+\.?\s){{0,2}}(?P<name>{NAME})",
    re.MULTILINE,
)
_HOST_LED_BY = re.compile(
    rf"(?i:\b(?:leds|modereras|hålls|ges|presenteras|inleds|led|hosted|moderated|presented|given|facilitated"
    rf"|held|delivered)\s+(?:av|by)(?:\s+(?:vår|our))?)\s+(?:[a-zåäö]+\s){{0,3}}(?P<name>{NAME})"
)
_HOST_WITH = re.compile(
    rf"(?i:\b(?:samtal|frukostsamtal|conversation|talk|lecture|föreläsning|seminari?um|seminar|breakfast|frukost)"
    rf"\s+(?:med|with)\s+(?:(?:dr|professor|prof|docent|forskaren|researcher)\.?\s+)?)(?P<name>{NAME})"
)
_HOST_NAMED = re.compile(
    rf"(?i:\b(?:föreläsare|talare|moderator|samtalsledare|inledare|gäst|speaker|host|presenter|guest)"
    rf"(?:\s+(?:är|is|blir|will\s+be|idag|today))?\s+)(?:[a-zåäö]+\.?\s){{0,2}}(?P<name>{NAME})"
)
_HOST_MEET = re.compile(
    rf"(?i:\b(?:möt|meet|lyssna på|listen to|träffa|gäst är|guest is)\s+)(?P<name>{NAME})"
)
_HOST_VERB = re.compile(
    rf"(?P<name>{NAME})\s+(?i:berättar|delar|föreläser|pratar|talar|samtalar|leder|inleder|presenterar"
    rf"|guidar|resonerar|går\s+igenom|visar|ger|tipsar|shares|talks|speaks|presents|discusses|explains|leads|reflects|will\s+(?:talk|share"
    rf"|speak|present|discuss|lead))\b"
)
_ROLE_AFTER = [
    # "leg. psykolog", "fil. dr": a full stop before a lower-case word is an abbreviation.
    re.compile(r"^\s*,\s*(?!och\b|and\b)(?P<role>(?:[^,.;:!?\n()@]|\.(?=\s?[a-zåäö])){3,150})"),
    re.compile(
        r"^\s+som\s+(?:är|arbetar som|jobbar som)\s+(?P<role>[^,.;:!?\n]{3,150}?)(?=\s+och\s|[,.;:!?\n]|$)"
    ),
    re.compile(r"^\s*,?\s+who\s+is\s+(?P<role>[^,.;:!?\n]{3,150}?)(?=\s+and\s|[,.;:!?\n]|$)"),
    re.compile(r"^\s*\((?P<role>[^)\n@]{3,150})\)"),
    re.compile(r"^\s+-\s+(?P<role>[^,.;:!?\n]{3,150})"),
]


def role_after(text: str) -> str | None:
    """The role written right after a name: ", konfliktforskare vid X" or " som är chefsstrateg på Y"."""
    for pattern in _ROLE_AFTER:
        match = pattern.match(text)
        if match:
            role = match.group("role").strip()
            role = re.sub(r"\s+(?:och|and)$", "", role)
            if role and not re.match(r"^(?:tel|e-?post|e-?mail|mejl)\b", role, re.IGNORECASE):
                return role
    return None


def _role_before(sentence_start: str) -> str | None:
    """ "Organisational psychologist Mikael Strand shares": the words before the name, if few."""
    words = sentence_start.split()
    while words and words[0].lower() in {"vår", "vårt", "våra", "our", "förbundets", "the"}:
        words.pop(0)
    if 1 <= len(words) <= 5 and not re.search(r"[,:;]", sentence_start):
        return " ".join(words)
    return None


def find_host(text: str, name_line: str | None) -> tuple[str | None, str | None]:
    """The person who leads the conversation, and their role, or (None, None)."""
    if name_line:
        match = NAME_LINE_RE.match(name_line)
        name = clean_name(match.group("name")) if match else None
        if match and name:
            role = match.group("role")
            if not role:
                for other in re.finditer(re.escape(name), text):
                    role = role_after(text[other.end() : other.end() + 200])
                    if role:
                        break
            return name, role.strip() if role else None
    for pattern in (_HOST_LABEL, _HOST_LED_BY, _HOST_NAMED, _HOST_WITH, _HOST_MEET, _HOST_VERB):
        for match in pattern.finditer(text):
            name = clean_name(match.group("name"))
            if not name:
                continue
            role = role_after(text[match.end("name") : match.end("name") + 200])
            if role is None and pattern is _HOST_VERB:
                name_start = match.start("name") + match.group("name").index(name)
                sentence_start = re.split(r"[.!?\n]\s*", text[:name_start])[-1]
                role = _role_before(sentence_start)
            return name, role
    return None, None


def phone_spans(line: str) -> list[tuple[int, int]]:
    """Where phone numbers are in a line (8–12 digits, so "08.00-09.30" never counts)."""
    return [m.span() for m in PHONE_RE.finditer(line) if 8 <= len(re.sub(r"\D", "", m.group(0))) <= 12]


def find_phone(lines: Sequence[str]) -> str | None:
    """A Swedish phone number on one of these lines, as written."""
    for line in lines:
        for start, end in phone_spans(line):
            return line[start:end].strip()
    return None


def name_near_email(line: str, email_start: int, previous_lines: Sequence[str]) -> str | None:
    """The person an e-mail address belongs to: the last name before it on its line, else a
    name alone on the line just above ("Ida Berglund\\nida.berglund@example.se")."""
    before = line[:email_start]
    candidates = [name for m in NAME_RE.finditer(before[-80:]) if (name := clean_name(m.group(0)))]
    if candidates:
        return candidates[-1]
    match = re.search(rf"\((?P<name>{NAME})\)", line[email_start:])
    if match and (name := clean_name(match.group("name"))):
        return name
    for previous in reversed(previous_lines[-2:]):
        match = NAME_LINE_RE.match(previous.strip())
        if match and (name := clean_name(match.group("name"))):
            return name
    return None


_CONTACT_NAME = re.compile(
    rf"(?i:\b(?:kontakta|kontaktperson|kontakt|contact|frågor\s+(?:till|besvaras\s+av)|questions\s+to"
    rf"|vänd dig till|reach out to|ring|call|mejla|maila|e-?mail)\b:?\s+)(?P<name>{NAME})"
)


def contact_name_by_keyword(lines: Sequence[str]) -> str | None:
    for line in lines:
        for match in _CONTACT_NAME.finditer(line):
            if name := clean_name(match.group("name")):
                return name
    return None
