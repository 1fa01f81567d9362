"""Reading a member register's export: decode, sniff, map columns, classify every row.

Nothing here writes: `read_table` turns the bytes of a CSV or XLSX file into a header and rows
(with the line numbers the organiser sees in their spreadsheet: the header is line 1),
`guess_mapping` proposes which column is which from Swedish and English headers, `people_from`
applies a mapping, and `classify` says for every row what an import would do with it, in a fixed
number of queries (the addresses are looked up in chunks of CHUNK, never one by one).

Every failure to read is an UnreadableFile (or NoEmailColumn) with a sentence for the organiser:
arbitrary bytes raise nothing else (tests/invitations/test_import_reading.py has a hypothesis test).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frukost.contacts.models import Suppression
from frukost.core.emails import normalise_email
from frukost.events.models import Event, Series
from frukost.invitations.exceptions import NoEmailColumn, UnreadableFile
from frukost.invitations.models import Invitee
from frukost.registrations.enums import ACTIVE_STATUSES, Membership
from frukost.registrations.models import Registration

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
# Addresses per lookup query: a 5,000-row file is one query per kind of lookup.
CHUNK = 5_000

DELIMITERS = {";": _("semicolon (;)"), ",": _("comma (,)"), "\t": _("tab")}
ENCODINGS = {
    "utf-8-sig": _("UTF-8 with BOM"),
    "utf-8": "UTF-8",
    "cp1252": _("Windows-1252 (older Excel)"),
    "utf-16": "UTF-16",
}


class Field(models.TextChoices):
    EMAIL = "email", _("E-mail")
    FIRST_NAME = "first_name", _("First name")
    LAST_NAME = "last_name", _("Last name")
    # A single "Namn" column, split into first and last name when those are not mapped.
    NAME = "name", _("Full name (split into first and last)")
    WORKPLACE = "workplace", _("Workplace")
    JOB_TITLE = "job_title", _("Job title")
    REGION = "region", _("Region")
    # Special-category data (GDPR art. 9): offered only to roles with VIEW_SPECIAL_CATEGORY.
    MEMBERSHIP = "membership", _("Membership")


class RowKind(models.TextChoices):
    NEW = "new", pgettext_lazy("import row", "New")
    ALREADY_INVITED = "invited", _("Already invited")
    ALREADY_REGISTERED = "registered", _("Already registered")
    INVALID = "invalid", _("Address does not work")
    DUPLICATE = "duplicate", _("Twice in the file")
    SUPPRESSED = "suppressed", _("On the do-not-mail list")


# Normalised header -> field. Headers are compared lower-cased, without accents' combining marks
# kept apart (å ä ö stay), spaces, dashes, dots and underscores removed.
_HEADERS = {
    Field.EMAIL: "epost epostadress email emailadress emailaddress mail mailadress epostadr",
    Field.FIRST_NAME: "förnamn fornamn firstname givenname tilltalsnamn",
    Field.LAST_NAME: "efternamn lastname surname familyname",
    Field.NAME: "namn name fullname fulltnamn kontaktperson",
    Field.WORKPLACE: "arbetsplats arbetsgivare organisation organization företag foretag employer "
    "workplace company myndighet förvaltning forvaltning",
    Field.JOB_TITLE: "titel befattning yrke roll jobtitle title position tjänst tjanst",
    Field.MEMBERSHIP: "medlem medlemsstatus medlemskap member membership membershipstatus",
    Field.REGION: "region ort avdelning län lan distrikt kommun stad city district branch",
}
HEADER_GUESSES = {word: f for f, words in _HEADERS.items() for word in words.split()}

_MEMBER = {"ja", "j", "yes", "y", "x", "1", "true", "sant", "medlem", "member", "aktiv", "aktiv medlem"}
_NOT_MEMBER = {
    "nej", "n", "no", "0", "false", "falskt", "ej medlem", "icke medlem", "inte medlem", "ickemedlem",
    "not member", "non-member", "nonmember", "utträdd", "avslutad",
}  # fmt: skip

# Invitee's field lengths: longer values are cut rather than refused.
_MAX_LENGTH = {"first_name": 100, "last_name": 100, "workplace": 200, "job_title": 200, "region": 100}


@dataclass(frozen=True)
class Table:
    headers: list[str]
    # (line number in the file, cells as text, as many as there are headers)
    rows: list[tuple[int, list[str]]]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    sheets: tuple[str, ...] = ()
    sheet: str = ""

    @property
    def encoding_label(self) -> str:
        return str(ENCODINGS.get(self.encoding, self.encoding))

    @property
    def delimiter_label(self) -> str:
        return str(DELIMITERS.get(self.delimiter, self.delimiter))


@dataclass
class Person:
    line: int | None
    email: str  # as written in the file (normalised by classify)
    first_name: str = ""
    last_name: str = ""
    workplace: str = ""
    job_title: str = ""
    region: str = ""
    membership: str = ""
    language: str = "sv"


@dataclass
class Row:
    person: Person
    email: str  # normalised
    kind: str
    reason: str = ""  # why an address does not work, or which do-not-mail reason
    first_line: int | None = None  # for a duplicate: where the address first appeared

    @property
    def label(self) -> str:
        return str(RowKind(self.kind).label)


@dataclass
class Preview:
    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def new_rows(self) -> list[Row]:
        return [row for row in self.rows if row.kind == RowKind.NEW]


# --- reading -------------------------------------------------------------------------------------


def read_table(data: bytes, *, delimiter: str = "", sheet: str = "") -> Table:
    """The header and rows of a CSV or XLSX file. Raises UnreadableFile with the reason."""
    if not data or not data.strip():
        raise UnreadableFile(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_BYTES // 2**20}
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, sheet=sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(_("This is an old Excel file (.xls). Save it as .xlsx or as CSV and try again."))
    text, encoding = decode(data)
    return _read_csv(text, encoding=encoding, delimiter=delimiter)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM decides; else strict UTF-8; else Windows-1252 (older Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]  # Excel's "Unicode text"
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or _looks_binary(text):
            break
        return text, encoding
    raise UnreadableFile(
        _("This does not look like a CSV or Excel file. Save the list as CSV (UTF-8) or Excel (.xlsx).")
    )


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\r\n\t")
    return controls > max(2, len(sample) // 100)


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first non-blank line outside quotes: semicolon, comma or tab."""
    for line in text.splitlines()[:20]:
        if not line.strip():
            continue
        unquoted = re.sub(r'"[^"]*"', "", line)
        counts = {d: unquoted.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: (counts[d], d == ";"))
        return best if counts[best] else ";"
    return ";"


def _read_csv(text: str, *, encoding: str, delimiter: str) -> Table:
    delimiter = delimiter if delimiter in DELIMITERS else sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for record in reader:
            line, last = last + 1, reader.line_num
            cells = [c.strip() for c in record[: MAX_COLUMNS * 2]]
            if not any(cells):
                continue
            if headers is None:
                headers = _trim(cells)
                continue
            _append(rows, line, cells, len(headers))
    except csv.Error as exc:
        # csv's own words are English and technical: say what the organiser can fix.
        if "field larger than field limit" in str(exc):
            message = _("Line %(line)s of the file has a cell that is too long to be a name or an address.")
        else:
            message = _(
                "Line %(line)s of the file cannot be read: check that every quotation mark is closed."
            )
        raise UnreadableFile(message % {"line": last + 1}) from exc
    return _table(headers, rows, kind="csv", encoding=encoding, delimiter=delimiter)


def _read_xlsx(data: bytes, *, sheet: str) -> Table:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a broken zip, a Word document, an encrypted workbook, …
        raise UnreadableFile(
            _("The Excel file cannot be opened. Save it again as .xlsx (or CSV) and try again.")
        ) from exc
    try:
        names = tuple(workbook.sheetnames)
        if not names:
            raise UnreadableFile(_("The Excel file has no sheets."))
        worksheet = workbook[sheet if sheet in names else names[0]]
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if number > 2 * MAX_ROWS:  # a sheet of empty rows (its XML can unpack to far more than 10 MB)
                raise _too_many_rows()
            cells = [_cell_text(v) for v in values]
            if not any(cells):
                continue
            if headers is None:
                headers = _trim(cells)
                continue
            _append(rows, number, cells, len(headers))
        return _table(headers, rows, kind="xlsx", sheets=names, sheet=worksheet.title)
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(
            _("The Excel file cannot be read. Save it again as .xlsx (or CSV) and try again.")
        ) from exc
    finally:
        workbook.close()


def _cell_text(value) -> str:
    """A cell as text: a date as 2029-05-16, a whole number without ".0", formulas as their value."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()  # trailing empty columns
    return cells[:MAX_COLUMNS]


def _too_many_rows() -> UnreadableFile:
    rows = f"{MAX_ROWS:,}".replace(",", " ")
    return UnreadableFile(
        _("The file has more than %(rows)s rows. Split it into smaller files.") % {"rows": rows}
    )


def _append(rows: list, line: int, cells: list[str], width: int) -> None:
    if len(rows) >= MAX_ROWS:
        raise _too_many_rows()
    rows.append((line, (cells + [""] * width)[:width]))


def _table(headers, rows, **kwargs) -> Table:
    if not headers:
        raise UnreadableFile(_("The file has no rows."))
    if not rows:
        raise UnreadableFile(_("The file has a header but no people."))
    return Table(headers=headers, rows=rows, **kwargs)


# --- mapping -------------------------------------------------------------------------------------


def _header_key(header: str) -> str:
    return re.sub(r"[\s\-_.:/()]+", "", header.strip().lower())


def guess_mapping(headers: Sequence[str], *, include_membership: bool = True) -> dict[str, int]:
    """{field: column index} guessed from the headers (the first column for each field wins)."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        found = HEADER_GUESSES.get(_header_key(header))
        if found is None or found in mapping:
            continue
        if found == Field.MEMBERSHIP and not include_membership:
            continue
        mapping[found] = index
    if Field.FIRST_NAME in mapping and Field.LAST_NAME in mapping:
        mapping.pop(Field.NAME, None)
    return mapping


def initial_mapping(table: Table, *, include_membership: bool) -> dict[str, int]:
    """The mapping the preview starts with: from the headers, and for e-mail from the values too."""
    mapping = guess_mapping(table.headers, include_membership=include_membership)
    if Field.EMAIL not in mapping:
        column = guess_email_column(table)
        if column is not None:
            mapping[Field.EMAIL] = column
    return mapping


def guess_email_column(table: Table) -> int | None:
    """The column where most of the first rows hold an "@" (for a header we did not recognise)."""
    sample = table.rows[:50]
    best, best_count = None, 0
    for index in range(len(table.headers)):
        count = sum(1 for _line, cells in sample if "@" in cells[index])
        if count > best_count:
            best, best_count = index, count
    return best if best_count * 2 >= len(sample) else None


def people_from(table: Table, mapping: dict[str, int], *, include_membership: bool) -> list[Person]:
    """Each row as a Person under the mapping. Membership only when the caller may import it."""
    width = len(table.headers)
    columns = {f: i for f, i in mapping.items() if isinstance(i, int) and 0 <= i < width}
    if not include_membership:
        columns.pop(Field.MEMBERSHIP, None)
    if Field.EMAIL not in columns:
        raise NoEmailColumn()
    people = []
    for line, cells in table.rows:
        values = {f: cells[i] for f, i in columns.items()}
        first, last = values.get(Field.FIRST_NAME, ""), values.get(Field.LAST_NAME, "")
        if not first and not last and values.get(Field.NAME):
            first, last = split_name(values[Field.NAME])
        person = Person(
            line=line,
            email=values[Field.EMAIL],
            first_name=first,
            last_name=last,
            workplace=values.get(Field.WORKPLACE, ""),
            job_title=values.get(Field.JOB_TITLE, ""),
            region=values.get(Field.REGION, ""),
            membership=membership_value(values.get(Field.MEMBERSHIP, "")),
        )
        for name, limit in _MAX_LENGTH.items():
            # A quoted field may hold a line break: names and workplaces are one line.
            setattr(person, name, " ".join(getattr(person, name).split())[:limit])
        people.append(person)
    return people


def split_name(name: str) -> tuple[str, str]:
    """("Anna Maria", "Svensson") from "Anna Maria Svensson" or "Svensson, Anna Maria"."""
    name = " ".join(name.split())
    if "," in name:
        last, _comma, first = name.partition(",")
        return first.strip(), last.strip()
    first, _space, last = name.rpartition(" ")
    return (first, last) if first else (name, "")


def membership_value(text: str) -> str:
    key = " ".join(text.strip().lower().split())
    if key in _MEMBER:
        return Membership.MEMBER
    if key in _NOT_MEMBER:
        return Membership.NOT_MEMBER
    return ""


# --- classifying ---------------------------------------------------------------------------------


def address_problem(raw: str) -> str:
    """Why an address cannot be mailed, in a few words for the organiser; "" when it can."""
    address = raw.strip()
    if not address:
        return str(_("no address"))
    if any(c.isspace() for c in address):
        return str(_("contains a space"))
    if "@" not in address:
        return str(_("@ is missing"))
    if address.count("@") > 1:
        return str(_("more than one @"))
    local, _at, domain = address.partition("@")
    if not local:
        return str(_("nothing before the @"))
    if not domain:
        return str(_("no domain after the @"))
    if "." not in domain.strip("."):
        return str(_("the domain has no dot (like example.se)"))
    if len(address) > 254 or len(local) > 64:
        return str(_("too long"))
    try:
        validate_email(normalise_email(address))
    except ValidationError:
        return str(_("not a valid e-mail address"))
    return ""


def events_of(target: Event | Series) -> models.QuerySet:
    if isinstance(target, Series):
        return Event.objects.filter(series=target)
    return Event.objects.filter(pk=target.pk)


def _lists_filter(target: Event | Series) -> models.Q:
    """The invitation lists someone on this one would already be invited by."""
    if isinstance(target, Series):
        return models.Q(invitation_list__series=target) | models.Q(invitation_list__event__series=target)
    q = models.Q(invitation_list__event=target)
    if target.series_id:
        q |= models.Q(invitation_list__series_id=target.series_id)
    return q


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def classify(people: Sequence[Person], *, organisation_id: int, target: Event | Series) -> Preview:
    """What an import would do with each person: new, already invited, already registered, address
    does not work, twice in the file, on the do-not-mail list (in that order of precedence).

    Three queries per CHUNK addresses (do-not-mail list, active registrations, invitees of the
    target's lists): a 5,000-row file is three queries.
    """
    rows: list[Row] = []
    first_seen: dict[str, int | None] = {}
    valid: list[str] = []
    for person in people:
        problem = address_problem(person.email)
        email = normalise_email(person.email)
        if problem:
            rows.append(Row(person, email, RowKind.INVALID, reason=problem))
        elif email in first_seen:
            rows.append(Row(person, email, RowKind.DUPLICATE, first_line=first_seen[email]))
        else:
            first_seen[email] = person.line
            valid.append(email)
            rows.append(Row(person, email, RowKind.NEW))

    suppressed: dict[str, str] = {}
    registered: set[str] = set()
    invited: set[str] = set()
    events = events_of(target).values("pk")
    lists = _lists_filter(target)
    for chunk in _chunks(valid):
        suppressed.update(
            Suppression.objects.filter(organisation_id=organisation_id, email__in=chunk).values_list(
                "email", "reason"
            )
        )
        registered.update(
            Registration.objects.filter(
                event__in=events, status__in=ACTIVE_STATUSES, email__in=chunk
            ).values_list("email", flat=True)
        )
        invited.update(Invitee.objects.filter(lists, email__in=chunk).values_list("email", flat=True))

    for row in rows:
        if row.kind != RowKind.NEW:
            continue
        if row.email in suppressed:
            row.kind, row.reason = RowKind.SUPPRESSED, suppressed[row.email]
        elif row.email in registered:
            row.kind = RowKind.ALREADY_REGISTERED
        elif row.email in invited:
            row.kind = RowKind.ALREADY_INVITED
    counts = {kind: 0 for kind in RowKind.values}
    for row in rows:
        counts[row.kind] += 1
    return Preview(rows=rows, counts=counts)
