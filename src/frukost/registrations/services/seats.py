"""Seat arithmetic shared by the services. Call only inside a transaction holding the event lock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from frukost.core.instances import copied
from frukost.core.sql import per_connection, with_datetimes_kept
from frukost.events.enums import EventStatus
from frukost.events.models import MAX_COLLEAGUE_HOLD_HOURS, Event
from frukost.registrations.enums import ACTIVE_STATUSES
from frukost.registrations.exceptions import EventNotOpen, RegistrationClosed
from frukost.registrations.models import Registration, seat_taken_q


def lock_event(event_id: int) -> Event:
    """Fetch the event row with a write lock.

    Every change that takes or frees a seat goes through here first, so two requests for the
    last seat are serialised: SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
    transaction (see settings) already holds the database's write lock.
    """
    return Event.objects.select_for_update().select_related("organisation").get(pk=event_id)


# What the registration rules read of the event (ensure_open, hold_until, the seat limit, the
# colleague rules and the address confirmation): lock_event_rules re-reads exactly these.
RULE_FIELDS = (
    "status",
    "starts_at",
    "registration_deadline",
    "registration_deadline_time",
    "registration_closed_at",
    "capacity",
    "overbooking",
    "max_colleagues",
    "colleague_hold_hours",
    "confirm_email",
    "updated_at",
)


def lock_event_rules(event: Event) -> Event:
    """lock_event for the registration form: the same lock, but only RULE_FIELDS are read again.

    The form's post has just loaded the event with its organisation (the page's query); under
    the lock only what decides a registration can have changed in a way that matters, and
    reading those few columns is a fraction of the CPU of loading two whole rows again (issue
    10). Returns a copy of `event` with those fields as the locked row has them.
    """
    _ensure_in_transaction("lock_event_rules")
    compiler, sql, params, slot, converters = _prepared_rules(connections[DEFAULT_DB_ALIAS])
    params = list(params)
    params[slot] = event.pk
    return _locked_copy(event, compiler, converters, _fetch_one_event_row(sql, params))


def lock_event_rules_and_count(event: Event, email: str) -> tuple[Event, int, int | None]:
    """lock_event_rules(event) and then seats_taken_and_active(event, email): what register()
    asks under the event lock, in one statement where the database allows it.

    On SQLite the IMMEDIATE transaction holds the database's write lock from its BEGIN, so a
    read anywhere in it sees every committed row and nobody can commit meanwhile: the rule
    fields and the counts are read in one SELECT (a statement less per registration, issue 10).
    On PostgreSQL they stay two statements: a count inside the locking SELECT would read the
    snapshot taken before the row lock was granted, and could miss a seat taken meanwhile.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        locked = lock_event_rules(event)
        return (locked, *seats_taken_and_active(locked, email))
    _ensure_in_transaction("lock_event_rules_and_count")
    compiler, sql, template, converters = _prepared_rules_and_counts(connection)
    params = [event.pk if p == _EVENT_ID else email if p == _EMAIL else p for p in template]
    row = _fetch_one_event_row(sql, params)
    fields = len(RULE_FIELDS)
    return _locked_copy(event, compiler, converters, row[:fields]), row[fields], row[fields + 1]


def _ensure_in_transaction(name: str) -> None:
    if connections[DEFAULT_DB_ALIAS].get_autocommit():
        # As the ORM says for select_for_update: outside a transaction the lock would be let go
        # at once.
        raise TransactionManagementError(f"{name} must be called inside a transaction")


def _fetch_one_event_row(sql: str, params: list) -> tuple:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if len(rows) != 1:  # gone meanwhile: as the ORM's .get() would say
        raise Event.DoesNotExist("Event matching query does not exist.")
    return rows[0]


def _locked_copy(event: Event, compiler: SQLCompiler, converters: dict, row: tuple) -> Event:
    if converters:
        row = next(compiler.apply_converters([row], converters))
    locked = copied(event)  # copy.copy(event), without pickling's detour (core.instances)
    for name, value in zip(RULE_FIELDS, row, strict=True):
        setattr(locked, name, value)
    return locked


_EVENT_PK = -42_000_002  # stands for the event's id while lock_event_rules's SQL is built


@per_connection
def _prepared_rules(db) -> tuple[SQLCompiler, str, tuple, int, dict]:
    """lock_event_rules's statement, built once per process and connection (keyed on the
    connection object: one per thread): building it cost the ORM more CPU than running it."""
    query = Event.objects.select_for_update().filter(pk=_EVENT_PK).values_list(*RULE_FIELDS).query
    compiler = query.get_compiler(connection=db)
    sql, params = compiler.as_sql()
    if list(params).count(_EVENT_PK) != 1:
        raise AssertionError("lock_event_rules: the event's id must be one parameter")
    columns = [expression.target.attname for expression, _sql, _alias in compiler.select]
    if columns != list(RULE_FIELDS):
        raise AssertionError("lock_event_rules: the ORM laid out the columns differently")
    converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
    converters = with_datetimes_kept(converters, db)  # the event's times: parsed once (core.sql)
    return compiler, sql, tuple(params), list(params).index(_EVENT_PK), converters


def seats_taken(event: Event) -> int:
    """Seats counted against the seat limit (Event.seat_limit: capacity + overbooking): confirmed
    attendees, seats held for colleagues and seats offered from the waiting list (claim window)."""
    return Registration.objects.filter(seat_taken_q(), event=event).count()


# Stand-ins compiled into seats_taken_and_active's statement, replaced by the real values.
_EVENT_ID = -42_000_001
_EMAIL = "\x00frukost-email\x00"
_COMPILED: dict[str, tuple[str, tuple]] = {}  # per database vendor: the SQL and its parameters


def _compiled_counts(vendor: str) -> tuple[str, tuple]:
    """Two scalar subqueries, so each uses its own index: the seats counted from the covering
    index registration_event_seats (the ORM's SQL from seat_taken_q), and the address's active
    registration looked up in the unique partial index one_active_registration_per_email. SQLite
    uses a partial index only when the query repeats its condition with the same literal values,
    so the statuses are written into the SQL, not passed as parameters."""
    if vendor not in _COMPILED:
        seats = Registration.objects.filter(seat_taken_q(), event_id=_EVENT_ID).order_by().values_list("pk")
        seats_sql, seats_params = seats.query.sql_with_params()
        qn = connection.ops.quote_name
        meta = Registration._meta
        table, pk, event, email, status = (
            qn(meta.db_table),
            *(qn(meta.get_field(name).column) for name in ("id", "event", "email", "status")),
        )
        statuses = _active_statuses_sql()
        # The active registration's condition as one_active_registration_per_email's (Registration.Meta).
        active = (
            f"SELECT MIN({pk}) FROM {table} WHERE {event} = %s AND {email} = %s "  # noqa: S608 - no user input
            f"AND {status} IN ({statuses}) AND NOT ({email} = '')"
        )
        sql = f"SELECT (SELECT COUNT(*) FROM ({seats_sql}) seats), ({active})"  # noqa: S608 - no user input
        params = (*seats_params, _EVENT_ID, _EMAIL)
        if list(params).count(_EVENT_ID) != 2 or list(params).count(_EMAIL) != 1:
            raise AssertionError("seats_taken_and_active: each stand-in must be where it is expected")
        _COMPILED[vendor] = sql, params
    return _COMPILED[vendor]


@per_connection
def _prepared_rules_and_counts(db) -> tuple[SQLCompiler, str, tuple, dict]:
    """SQLite's one statement for lock_event_rules_and_count: lock_event_rules's SELECT of the
    event's row with seats_taken_and_active's two subqueries as two more columns (per process
    and connection, as _prepared_rules)."""
    compiler, rules_sql, rules_params, slot, converters = _prepared_rules(db)
    counts_sql, counts_params = _compiled_counts(db.vendor)
    table = f" FROM {db.ops.quote_name(Event._meta.db_table)} "
    if rules_sql.count(table) != 1 or not rules_sql.startswith("SELECT "):
        raise AssertionError("lock_event_rules_and_count: the ORM laid out the event's SELECT differently")
    columns, rest = rules_sql.split(table)
    if "%s" in columns or not counts_sql.startswith("SELECT "):
        raise AssertionError("lock_event_rules_and_count: a parameter where it is not expected")
    sql = f"{columns}, {counts_sql.removeprefix('SELECT ')}{table}{rest}"
    rules_params = list(rules_params)
    rules_params[slot] = _EVENT_ID
    # The counts' placeholders are in the select list, before the event's id in the WHERE.
    return compiler, sql, (*counts_params, *rules_params), converters


def seats_taken_and_active(event: Event, email: str) -> tuple[int, int | None]:
    """seats_taken(event), and the id of the address's active registration for the event (None
    if it has none), in one statement: the registration form asks both of every post, under the
    event lock, and the count reads the event's registrations anyway.

    The count is the ORM's own SQL (seat_taken_q stays the one definition of a taken seat), the
    statement built once per process: compiling it cost more CPU than running it, and reading
    each of the event's rows for the count cost more than both once events grew (issue 10:
    1.2 ms at 3,300 registrations, 0.25 ms from the two indexes).
    """
    sql, template = _compiled_counts(connection.vendor)
    params = [event.pk if p == _EVENT_ID else email if p == _EMAIL else p for p in template]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, None)


_ACTIVE_EMAILS: dict[tuple[str, int], str] = {}  # per vendor and number of addresses: the SQL


def active_emails(event: Event, emails: Sequence[str]) -> set[str]:
    """Which of these (normalised) addresses have an active registration for the event: the
    colleagues a form names who are registered already. The SQL written once per database and
    number of addresses (the ORM compiling its IN query cost a colleague's form more than
    SQLite running it, issue 10); the condition is one_active_registration_per_email's, with the
    statuses as literals, so SQLite looks each address up in that index."""
    if not emails:
        return set()
    key = (connection.vendor, len(emails))
    sql = _ACTIVE_EMAILS.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        meta = Registration._meta
        table, event_column, email, status = (
            qn(meta.db_table),
            *(qn(meta.get_field(name).column) for name in ("event", "email", "status")),
        )
        sql = (
            f"SELECT {email} FROM {table} WHERE {event_column} = %s "  # noqa: S608 - no user input
            f"AND {email} IN ({', '.join(['%s'] * len(emails))}) "
            f"AND {status} IN ({_active_statuses_sql()}) AND NOT ({email} = '')"
        )
        if len(emails) <= 10:  # a form names a few; never let the kept statements grow unbounded
            _ACTIVE_EMAILS[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk, *emails])
        return {row[0] for row in cursor.fetchall()}


def _active_statuses_sql() -> str:
    if any(not re.fullmatch(r"[a-z_]+", status) for status in ACTIVE_STATUSES):
        raise AssertionError("a status that cannot be written as a literal")
    return ", ".join(f"'{status}'" for status in ACTIVE_STATUSES)


def ensure_open(event: Event, now: dt.datetime) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise EventNotOpen
    if now >= event.registration_closes_at or now >= event.starts_at:
        raise RegistrationClosed


def hold_until(event: Event, now: dt.datetime) -> dt.datetime:
    """How long a seat is held for an unconfirmed colleague: never past the deadline or the start.

    Whatever number of hours is stored or configured, the hold is between one hour and
    MAX_COLLEAGUE_HOLD_HOURS (a huge number must not overflow the date into a 500).
    """
    hours = event.colleague_hold_hours
    if hours is None:
        hours = settings.FRUKOST_COLLEAGUE_HOLD_HOURS
    hours = min(max(hours, 1), MAX_COLLEAGUE_HOLD_HOURS)
    until = now + dt.timedelta(hours=hours)
    if now < event.registration_closes_at:
        until = min(until, event.registration_closes_at)
    return min(until, event.starts_at)


def hold_seat_for_colleague(registration: Registration, event: Event, now: dt.datetime | None = None) -> None:
    """Set the hold deadline and when to remind (half-way through the hold)."""
    now = now or timezone.now()
    registration.hold_expires_at = hold_until(event, now)
    registration.remind_after = now + (registration.hold_expires_at - now) / 2
