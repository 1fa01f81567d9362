"""Exporting an event's registrations as CSV or XLSX, with the columns the organiser picks.

Safety rules, each with its reason:

- Formula injection: a cell that starts with = + - @ (or tab or CR) could run as a formula
  when the file is opened in a spreadsheet. XLSX: every value is written as a string cell
  (XlsxWriter with strings_to_formulas/urls/numbers off), so "+46 70 123 45 67" is exactly
  itself and never a formula. CSV has no cell types, so defusedcsv prefixes such a value
  with an apostrophe ("'+46 70 123 45 67", "'=1+1"), the OWASP-recommended marker: the cell
  opens as text, never as a formula, and every character after the marker is the value as
  stored (never stripped, which would mangle phone numbers). Some spreadsheets show the marker,
  so the XLSX export is the one to use when the exact value matters. A number such as "-5" is
  left as it is (it cannot be a formula). defusedcsv leaves a leading tab or CR alone, so
  those get the same apostrophe here.
- Special-category data (membership, diets, needs; GDPR art. 9) is exported only when the
  organiser ticks those columns and their role has VIEW_SPECIAL_CATEGORY; the service refuses
  otherwise, whatever a form sent.
- CSV is UTF-8 with a byte-order mark (without it Excel reads å ä ö as Windows-1252) and ";"
  between fields: Excel in a Swedish locale splits on the list separator, which is ";"
  because "," is the decimal comma. No "sep=;" line: Excel then ignores the BOM.
- Bounded memory: rows are read with .values_list().iterator(chunk_size=2000) and written as they
  come (CSV streamed in chunks; XLSX in XlsxWriter's constant_memory mode to a temporary
  file, then streamed).
- Every export is audited: who, which columns, which statuses, the format and how many rows
  (counted when the export starts), never a value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter

import xlsxwriter
from defusedcsv import csv as defusedcsv
from django.db import models, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.accounts.exceptions import NotAllowed
from frukost.core import formats
from frukost.core.models import audit
from frukost.events.models import Event
from frukost.registrations.enums import Diet, Language, Membership, Status
from frukost.registrations.exceptions import (
    SpecialCategoryNotAllowed,
    UnknownColumn,
    UnknownFormat,
    UnknownStatus,
)
from frukost.registrations.models import Registration

CSV_DELIMITER = ";"
CSV_ROWS_PER_CHUNK = 1000
CHUNK_SIZE = 2000
FILE_CHUNK_BYTES = 64 * 1024
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (semicolon-separated, for Excel)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Labels:
    """Choice labels resolved once per export (not once per row)."""

    status: dict[str, str]
    membership: dict[str, str]
    diet: dict[str, str]
    language: dict[str, str]
    yes: str
    no: str


@dataclass(frozen=True)
class Column:
    """One column: its key, its heading, the model fields it reads and how it turns them into text.

    `value(labels, *field_values)` makes the cell; None means the single field is text already
    (read with operator.itemgetter: this runs for every cell of 100,000 rows).
    """

    key: str
    label: object  # a lazy translation
    fields: tuple[str, ...]
    value: Callable[..., str] | None = None
    special_category: bool = False


def _moment(labels: Labels, moment: dt.datetime | None) -> str:
    return formats.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _registered_by(labels: Labels, first: str | None, last: str | None) -> str:
    return f"{first} {last}" if first or last else ""


def _choice(attribute: str) -> Callable[..., str]:
    return lambda labels, value: getattr(labels, attribute).get(value, value)


def _yes_no(labels: Labels, value) -> str:
    return labels.yes if value else labels.no


def _diets(labels: Labels, codes: list[str] | None) -> str:
    return ", ".join(labels.diet[code] for code in codes or [] if code in labels.diet)


COLUMNS: tuple[Column, ...] = (
    Column("first_name", _("First name"), ("first_name",)),
    Column("last_name", _("Last name"), ("last_name",)),
    Column("email", _("E-mail"), ("email",)),
    Column("workplace", _("Workplace"), ("workplace",)),
    Column("job_title", _("Job title"), ("job_title",)),
    Column("status", _("Status"), ("status",), _choice("status")),
    Column("confirmed", _("Confirmed"), ("is_confirmed",), _yes_no),
    Column(
        "registered_by",
        _("Registered by"),
        ("invited_by__first_name", "invited_by__last_name"),
        _registered_by,
    ),
    Column("registered_at", _("Registered on"), ("created_at",), _moment),
    Column("cancelled_at", _("Cancelled on"), ("cancelled_at",), _moment),
    Column("language", _("Language"), ("language",), _choice("language")),
    Column("answer", _("Answer to the event's question"), ("answer",)),
    Column("wants_future_invitations", _("Wants future invitations"), ("wants_future_invitations",), _yes_no),
    # Special-category data (GDPR art. 9): only by explicit choice, only for roles that may see it.
    Column("membership", _("Member"), ("membership",), _choice("membership"), special_category=True),
    Column("diets", _("Dietary needs"), ("diets",), _diets, special_category=True),
    Column("diet_other", _("Other dietary needs"), ("diet_other",), special_category=True),
    Column("other_needs", _("Other needs"), ("other_needs",), special_category=True),
)
# A registration's status in words of its own ("Cancelled" alone is the event's "Inställt" in Swedish).
STATUS_LABELS = {
    Status.REGISTERED: _("Has a seat"),
    Status.WAITLISTED: _("On the waiting list"),
    Status.CANCELLED: _("Cancelled registration"),
    Status.RELEASED: _("Seat released (colleague never confirmed)"),
}
CATALOGUE = {column.key: column for column in COLUMNS}
# Columns an app above this one fills (checkin's "Attended"), added by it at start-up.
_ADDED: list[Column] = []


def add_column(column: Column) -> None:
    """Offer a column another app knows how to fill (from its AppConfig.ready()); it comes after
    the registration's own columns and before the special-category ones in the chooser."""
    if column.key not in CATALOGUE:
        _ADDED.append(column)
        CATALOGUE[column.key] = column


def all_columns() -> list[Column]:
    own = [column for column in COLUMNS if not column.special_category]
    special = [column for column in COLUMNS if column.special_category]
    return [*own, *_ADDED, *special]


DEFAULT_COLUMNS = ("first_name", "last_name", "email", "workplace", "job_title", "status")
DEFAULT_STATUSES = (Status.REGISTERED, Status.WAITLISTED)


def columns_for(member) -> list[Column]:
    """The columns this member may choose from (special-category ones only with the permission)."""
    special = access.has_permission(member, Permission.VIEW_SPECIAL_CATEGORY)
    return [column for column in all_columns() if special or not column.special_category]


@dataclass
class Export:
    filename: str
    content_type: str
    row_count: int
    chunks: Iterator[bytes]


def export_registrations(
    *,
    event: Event,
    columns: Sequence[str],
    format: str,
    actor,
    member,
    statuses: Sequence[str] = DEFAULT_STATUSES,
) -> Export:
    """Export the event's registrations in `statuses` with `columns`, as CSV or XLSX.

    Writes an audit entry (columns, statuses, format, row count; no values) and returns the
    file as an iterator of bytes to stream. Raises NotAllowed (no EXPORT permission on the
    event's organisation), SpecialCategoryNotAllowed, UnknownColumn, UnknownStatus, UnknownFormat.
    """
    if member is None or member.organisation_id != event.organisation_id:
        raise NotAllowed(Permission.EXPORT)
    access.require(member, Permission.EXPORT)
    if format not in ExportFormat.values:
        raise UnknownFormat(format)
    keys = list(dict.fromkeys(columns))
    if not keys or any(key not in CATALOGUE for key in keys):
        raise UnknownColumn(", ".join(key for key in keys if key not in CATALOGUE) or "no columns")
    chosen = [CATALOGUE[key] for key in keys]
    if any(column.special_category for column in chosen) and not access.has_permission(
        member, Permission.VIEW_SPECIAL_CATEGORY
    ):
        raise SpecialCategoryNotAllowed
    statuses = [str(status) for status in dict.fromkeys(statuses)]
    if not statuses or any(status not in Status.values for status in statuses):
        raise UnknownStatus(", ".join(statuses))

    rows = registrations_for_export(event, chosen, statuses)
    with transaction.atomic():
        row_count = rows.count()
        audit(
            "registrations.exported",
            event_id=event.pk,
            actor=actor,
            columns=keys,
            statuses=statuses,
            format=format,
            rows=row_count,
        )
    labels = _labels()
    header = [str(column.label) for column in chosen]
    stamp = timezone.localdate().isoformat()
    writer = _csv_chunks if format == ExportFormat.CSV else _xlsx_chunks
    return Export(
        filename=f"anmalningar-{event.slug}-{stamp}.{format}",
        content_type=CONTENT_TYPES[ExportFormat(format)],
        row_count=row_count,
        chunks=writer(header, _values(rows, chosen, labels)),
    )


def _fields(columns: Sequence[Column]) -> list[str]:
    return list(dict.fromkeys(name for column in columns for name in column.fields))


def registrations_for_export(event: Event, columns: Sequence[Column], statuses: Sequence[str]):
    """Tuples of just the fields the columns read, in registration order (one query, a join
    for "registered by")."""
    return (
        Registration.objects.filter(event=event, status__in=statuses)
        # A yes/no from the database rather than a timestamp parsed per row only to test it.
        .annotate(is_confirmed=ExpressionWrapper(Q(confirmed_at__isnull=False), output_field=BooleanField()))
        .order_by("created_at", "id")
        .values_list(*_fields(columns))
    )


def _labels() -> Labels:
    return Labels(
        status={str(value): str(label) for value, label in STATUS_LABELS.items()},
        membership={value: str(label) for value, label in Membership.choices},
        diet={value: str(label) for value, label in Diet.choices},
        language={value: str(label) for value, label in Language.choices},
        yes=str(_("Yes")),
        no=str(_("No")),
    )


def _getter(column: Column, position: dict[str, int], labels: Labels) -> Callable[[tuple], str]:
    places = [position[name] for name in column.fields]
    make = column.value
    if make is None:
        return itemgetter(places[0])
    if len(places) == 1:
        place = places[0]
        return lambda row: make(labels, row[place])
    return lambda row: make(labels, *[row[place] for place in places])


def _values(rows, columns: Sequence[Column], labels: Labels) -> Iterator[list[str]]:
    position = {name: index for index, name in enumerate(_fields(columns))}
    getters = [_getter(column, position, labels) for column in columns]
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [get(row) for get in getters]


def neutralise_for_csv(value: str) -> str:
    """What defusedcsv misses: a leading tab or CR gets the same apostrophe marker."""
    return "'" + value if value[:1] in ("\t", "\r") else value


def _csv_chunks(header: list[str], rows: Iterator[list[str]]) -> Iterator[bytes]:
    """CSV in chunks of rows. A row with a cell that could start a formula goes through defusedcsv;
    the others (nearly all) through the standard writer in batches, which is the same output
    without defusedcsv's per-cell cost (the export's target is 100,000 rows in under 3 s)."""
    buffer = io.StringIO()
    defused = defusedcsv.writer(buffer, delimiter=CSV_DELIMITER)
    plain = csv.writer(buffer, delimiter=CSV_DELIMITER)
    buffer.write("\ufeff")  # the BOM: Excel reads the file as UTF-8
    defused.writerow([neutralise_for_csv(cell) for cell in header])
    batch: list[list[str]] = []
    for number, row in enumerate(rows, start=1):
        heads = {cell[:1] for cell in row}
        if heads.isdisjoint(_FORMULA_STARTS):
            batch.append(row)
        else:
            if not heads.isdisjoint(_TAB_CR):
                row = [neutralise_for_csv(cell) for cell in row]
            plain.writerows(batch)
            batch.clear()
            defused.writerow(row)
        if number % CSV_ROWS_PER_CHUNK == 0:
            plain.writerows(batch)
            batch.clear()
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    plain.writerows(batch)
    yield buffer.getvalue().encode("utf-8")


_TAB_CR = frozenset({"\t", "\r"})
# Every first character defusedcsv escapes (= + - @ | %), and tab and CR (see neutralise_for_csv).
_FORMULA_STARTS = frozenset({"=", "+", "-", "@", "|", "%"}) | _TAB_CR


def _xlsx_chunks(header: list[str], rows: Iterator[list[str]]) -> Iterator[bytes]:
    with tempfile.TemporaryFile() as output:
        workbook = xlsxwriter.Workbook(output, XLSX_OPTIONS)
        sheet = workbook.add_worksheet(str(_("Registrations"))[:31])
        bold = workbook.add_format({"bold": True})
        for index, _label in enumerate(header):
            sheet.set_column(index, index, 22)
        for index, label in enumerate(header):
            sheet.write_string(0, index, label, bold)
        sheet.freeze_panes(1, 0)
        for number, row in enumerate(rows, start=1):
            for index, value in enumerate(row):
                # Always a string cell: never a formula, a URL or a number guessed from text.
                sheet.write_string(number, index, value)
        workbook.close()
        output.seek(0)
        while chunk := output.read(FILE_CHUNK_BYTES):
            yield chunk
