"""Member-register files as unions export them, for the import's tests and the browser test.

`member_register_csv()` is the acceptance file of issue 9: 50 people, UTF-8 with a BOM,
semicolon separated, with two addresses that do not work (lines 8 and 21) and one address twice
(line 34 repeats line 5): importing it into an empty event adds 47 people.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

HEADERS = [
    "Medlemsnr",
    "Förnamn",
    "Efternamn",
    "E-postadress",
    "Arbetsplats",
    "Befattning",
    "Medlem",
    "Avdelning",
]

_FIRST = [
    "Anna", "Bo", "Cecilia", "David", "Elin", "Fredrik", "Gunilla", "Hampus", "Ingrid", "Johan",
    "Karin", "Lars", "Maria", "Niklas", "Olga", "Per", "Rebecka", "Sven", "Tove", "Ulf",
    "Vera", "Wilhelm", "Ylva", "Åsa", "Örjan",
]  # fmt: skip
_LAST = ["Lindqvist", "Öberg", "Sjöström", "Nyström", "Åkesson", "Hägglund", "Forsberg", "Sundén"]
_PLACES = ["Sundsvalls kommun", "Region Västernorrland", "Härnösands kommun", "Mittuniversitetet"]
_TITLES = ["Enhetschef", "Verksamhetschef", "Avdelningschef", "Socialsekreterare"]
_REGIONS = ["Sundsvall", "Härnösand"]

# Data lines (the header is line 1) whose address does not work, and the duplicate.
INVALID_LINES = {8: "anna.lindqvist.sundsvall.se", 21: "bo oberg@harnosand.se"}
DUPLICATE_LINE, FIRST_LINE = 34, 5


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def member_rows(count: int = 50) -> list[list[str]]:
    """`count` members (the acceptance file's when count is 50), without the header."""
    rows = []
    for i in range(count):
        line = i + 2
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i // len(_FIRST) + i) % len(_LAST)]
        email = _ascii(f"{first}.{last}.{i}@example.se".lower())
        rows.append([
            str(10_000 + i), first, last, email, _PLACES[i % 4], _TITLES[i % 4],
            "Ja" if i % 3 else "Nej", _REGIONS[i % 2],
        ])  # fmt: skip
    for line, address in INVALID_LINES.items():
        if line - 2 < count:
            rows[line - 2][3] = address
    if count > DUPLICATE_LINE - 2:
        rows[DUPLICATE_LINE - 2][3] = rows[FIRST_LINE - 2][3].upper()  # the same address, other case
    return rows


def csv_bytes(
    rows: list[list[str]],
    *,
    headers=HEADERS,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    newline="\r\n",
) -> bytes:
    """A CSV as Excel writes it: every field quoted when needed, CRLF line ends."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def member_register_csv(path: Path | str | None = None, *, count: int = 50) -> bytes:
    """The acceptance file (BOM, semicolons, two invalid addresses, one duplicate); written to
    `path` too when given. Returns its bytes."""
    data = csv_bytes(member_rows(count))
    if path is not None:
        Path(path).write_bytes(data)
    return data


def xlsx_bytes(
    rows: list[list[object]], *, headers=HEADERS, sheets: dict[str, list[list[object]]] | None = None
) -> bytes:
    """An .xlsx workbook with the rows on its first sheet (and `sheets` after it)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Medlemmar"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for name, extra in (sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in extra:
            other.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
