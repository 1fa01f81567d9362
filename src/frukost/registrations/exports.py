"""Exporting an event's registrations as CSV or XLSX, with the columns the organiser picks.

Safety rules, each with its reason:

- Formula injection, CSV for a Swedish Excel, bounded memory: the files are written by
  frukost.core.spreadsheets (see there). Some spreadsheets show the CSV's apostrophe marker,
  so the XLSX export is the one to use when the exact value matters.
- Special-category data (membership, diets, needs; GDPR art. 9) is exported only when the
  organiser ticks those columns and their role has VIEW_SPECIAL_CATEGORY; the service refuses
  otherwise, whatever a form sent.
- Bounded memory: rows are read with .values_list().iterator(chunk_size=2000) and written as they
  come.
- Every export is audited: who, which columns, which statuses, the format and how many rows
  (counted when the export starts), never a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.accounts.exceptions import NotAllowed
from frukost.core import formats
from frukost.core.models import audit
from frukost.core.spreadsheets import CONTENT_TYPES, Export, ExportFormat, table_chunks
from frukost.events.models import Event
from frukost.registrations.enums import Diet, Language, Membership, Status
from frukost.registrations.exceptions import (
    SpecialCategoryNotAllowed,
    UnknownColumn,
    UnknownFormat,
    UnknownStatus,
)
from frukost.registrations.models import Registration

CHUNK_SIZE = 2000


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
    return Export(
        filename=f"anmalningar-{event.slug}-{stamp}.{format}",
        content_type=CONTENT_TYPES[ExportFormat(format)],
        row_count=row_count,
        chunks=table_chunks(format, header, _values(rows, chosen, labels), sheet=str(_("Registrations"))),
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
