"""Where an event is: venue, street address, postal code and city, or an online meeting."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frukost.importer.people import URL_RE

POSTAL_RE = re.compile(r"^(?:SE-?\s?)?(?P<a>\d{3})\s?(?P<b>\d{2})(?:\s+(?P<city>[^\d,]{2,60}))?$")
POSTAL_IN_TEXT_RE = re.compile(
    r"(?<![\d-])(?:SE-?\s?)?(?P<a>\d{3})\s(?P<b>\d{2})\s+(?P<city>[A-ZÅÄÖ][a-zåäö]+(?:\s[A-ZÅÄÖ][a-zåäö]+)?)"
)
_NOT_STREET = r"(?:plan|våning|vån|floor|rum|room|sal|salen|hus|house|lokal|box|kl|klockan|tid|pris|kostnad)"
# In a place line: any words followed by a house number ("Storgatan 40", "Trädgårdsgatan 31-33").
STREET_RE = re.compile(
    rf"^(?!{_NOT_STREET}\b)(?P<street>[^\d,:]{{2,60}}?\s\d{{1,4}}\s?[A-Za-z]?(?:\s?-\s?\d{{1,4}}\s?[A-Za-z]?)?)$",
    re.IGNORECASE,
)
# In running text only a recognisable street word counts.
_STREET_SUFFIX = (
    r"(?:gatan|gata|vägen|väg|torget|torg|gränd|gränden|backe|backen|plan|allén|allé|leden|stigen|platsen|kajen"
    r"|bron|hamnen|parken|esplanaden|street|road|avenue|square|lane)"
)
STREET_WORD_RE = re.compile(
    rf"(?<![\w-])(?P<street>(?:(?:[A-ZÅÄÖ][\wåäöé:-]*\s){{1,2}}(?=[a-zåäö])[\wåäöé-]*?|[A-ZÅÄÖ][\wåäöé:-]*?)"
    rf"{_STREET_SUFFIX}\s\d{{1,4}}(?:\s?[A-Z]|[a-z])?(?:\s?-\s?\d{{1,4}}[A-Za-z]?)?)(?![\w/.:])"
)
ONLINE_RE = re.compile(
    r"\b(?:digital(?:t|a)?|online|webbinari\w*|webinar\w*|teams|zoom|google meet|webex|distans|virtuell\w*"
    r"|virtual|livesänd\w*|livestream\w*)\b",
    re.IGNORECASE,
)
# Outside a place line, only phrases that say the whole event is online.
ONLINE_STRONG_RE = re.compile(
    r"\b(?:webbinari\w*|webinar\w*|(?:via|i|på|in|on|över|microsoft)\s+(?:teams|zoom)|zoom-?möte|teams-?möte"
    r"|google meet|digital(?:t|a)?\s+(?:via|på|i|möte|frukost\w*|seminari\w*|event|träff|evenemang)"
    r"|online(?:\s|-)(?:event|seminar|meeting|breakfast|session|möte|seminari\w*|frukost\w*)|(?:helt|endast)"
    r"\s+digital\w*|(?:held|takes place|hålls|sker|äger rum)\s+(?:online|digitalt))\b",
    re.IGNORECASE,
)
MEETING_URL_RE = re.compile(
    r"(?:teams\.microsoft|teams\.live|zoom\.us|meet\.google|webex\.com|whereby\.com|meet\.jit\.si)",
    re.IGNORECASE,
)


# Towns a venue's name often carries ("Scandic Sundsvall City"): the larger Swedish towns.
TOWNS = frozenset(
    [
        "Stockholm",
        "Göteborg",
        "Malmö",
        "Uppsala",
        "Västerås",
        "Örebro",
        "Linköping",
        "Helsingborg",
        "Jönköping",
        "Norrköping",
        "Lund",
        "Umeå",
        "Gävle",
        "Borås",
        "Södertälje",
        "Eskilstuna",
        "Halmstad",
        "Växjö",
        "Karlstad",
        "Sundsvall",
        "Östersund",
        "Trollhättan",
        "Luleå",
        "Borlänge",
        "Falun",
        "Kalmar",
        "Skövde",
        "Kristianstad",
        "Karlskrona",
        "Skellefteå",
        "Uddevalla",
        "Varberg",
        "Örnsköldsvik",
        "Nyköping",
        "Motala",
        "Trelleborg",
        "Landskrona",
        "Visby",
        "Kiruna",
        "Piteå",
        "Hudiksvall",
        "Sandviken",
        "Enköping",
        "Ängelholm",
        "Lidköping",
        "Härnösand",
        "Kungsbacka",
        "Alingsås",
        "Katrineholm",
        "Västervik",
        "Mora",
        "Ystad",
        "Arvika",
        "Norrtälje",
        "Sollentuna",
        "Solna",
        "Nacka",
        "Huddinge",
        "Täby",
        "Lidingö",
        "Märsta",
        "Kramfors",
        "Gällivare",
        "Haparanda",
        "Åre",
        "Ludvika",
        "Vänersborg",
        "Oskarshamn",
        "Hässleholm",
        "Värnamo",
        "Mariestad",
        "Köping",
        "Strängnäs",
        "Sala",
        "Avesta",
        "Bollnäs",
        "Söderhamn",
        "Ljusdal",
        "Sollefteå",
        "Lycksele",
        "Boden",
        "Kalix",
    ]
)


def town_in(name: str) -> str | None:
    """A town named as a word in a venue's name, if exactly one is."""
    towns = {word for word in re.findall(r"[\wåäöÅÄÖ]+", name) if word in TOWNS}
    return towns.pop() if len(towns) == 1 else None


@dataclass
class Place:
    venue_name: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    city: str | None = None
    online: bool = False


def _looks_like_city(part: str) -> bool:
    return bool(re.fullmatch(r"[A-ZÅÄÖ][a-zåäöé]+(?:[\s-][A-ZÅÄÖ]?[a-zåäöé]+)?", part))


def parse_place(block: str) -> Place:
    """Read a labelled place: "Hotel X, Storgatan 3, 852 30 Sundsvall" (commas or lines)."""
    place = Place()
    without_urls = URL_RE.sub(" ", block)
    place.online = bool(ONLINE_RE.search(without_urls))
    parts = [p.strip(" .\t") for p in re.split(r"[,\n]|\s+-\s+", without_urls)]
    parts = [p for p in parts if p]
    street_index = next((i for i, part in enumerate(parts) if STREET_RE.match(part)), None)
    rest: list[str]
    if street_index is not None:
        place.street_address = STREET_RE.match(parts[street_index]).group("street")
        before, rest = parts[:street_index], parts[street_index + 1 :]
    else:
        before, rest = [], parts
        postal_index = next((i for i, part in enumerate(parts) if POSTAL_RE.match(part)), None)
        if postal_index is not None:
            before, rest = parts[:postal_index], parts[postal_index:]
        elif len(parts) >= 2 and _looks_like_city(parts[-1]):
            before, rest = parts[:-1], parts[-1:]
        else:
            before, rest = parts, []
    extra = []
    for part in rest:
        postal = POSTAL_RE.match(part)
        if postal and place.postal_code is None:
            place.postal_code = f"{postal.group('a')} {postal.group('b')}"
            if postal.group("city"):
                place.city = postal.group("city").strip()
        elif place.city is None and _looks_like_city(part):
            place.city = part
        else:
            extra.append(part)
    venue_parts = [p for p in before + extra if not (place.online and ONLINE_RE.search(p))]
    if venue_parts:
        place.venue_name = ", ".join(venue_parts)
    if place.online and place.street_address is None:
        place.venue_name = None
    return place


def find_place_in_prose(line: str) -> Place | None:
    """An address in running text: "… på Scandic Grand, Kungsgatan 70 i Stockholm."."""
    match = STREET_WORD_RE.search(line)
    if match is None:
        return None
    place = Place(street_address=match.group("street"))
    head = line[: match.start()].rstrip(" ,")
    head = re.split(r"[.!?:]\s+|\b(?:på|at|hos|i|in|till|to)\s+(?=[A-ZÅÄÖ])", head)[-1].strip(" ,")
    if head and head[0].isupper() and len(head) <= 80:
        place.venue_name = head
    tail = line[match.end() :]
    postal = POSTAL_IN_TEXT_RE.match(tail.lstrip(" ,"))
    if postal:
        place.postal_code = f"{postal.group('a')} {postal.group('b')}"
        place.city = postal.group("city")
    else:
        city = re.match(r"^\s*(?:,|\bi\b|\bin\b)\s*(?P<city>[A-ZÅÄÖ][a-zåäöé]+)\b", tail)
        if city:
            place.city = city.group("city")
    return place


def find_meeting_url(text: str) -> str | None:
    for match in URL_RE.finditer(text):
        if MEETING_URL_RE.search(match.group(0)):
            return match.group(0)
    return None
