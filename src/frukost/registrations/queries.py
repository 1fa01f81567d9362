"""Read-only questions about registrations, shaped for pages and exports."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import unicodedata
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from frukost.core import rounds
from frukost.core.instances import copied
from frukost.core.models import AuditLog
from frukost.core.sql import by_name, named, names, per_connection
from frukost.events.enums import EventStatus, RegistrationState
from frukost.events.models import Event, Organisation
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import ACTIVE_STATUSES, Diet, Membership, Status
from frukost.registrations.models import EventTally, Registration, seat_taken_q


def with_seat_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `seats_taken` (seats offered from the waiting list included: nobody else may take
    them), `waiting` and `offered` so lists need no query per event."""
    return events.annotate(
        seats_taken=Count("registrations", filter=seat_taken_q("registrations__")),
        waiting=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
        offered=Count("registrations", filter=Q(registrations__offer_expires_at__isnull=False)),
    )


def taken_seats(event: Event) -> int:
    """The seats counted against the seat limit (as services.seats.seats_taken), for pages.

    Counted afresh every time (never cached: a page must show a seat freed or taken at once), but
    with the SQL built once per process and database: building it through the ORM cost 0.3 ms of
    the event page's CPU, running it 0.02 ms (benchmarks/README.md, issue 10).
    """
    sql, params, at = _taken_seats_sql(connection.alias, connection.vendor)
    params = list(params)
    params[at] = event.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


_NO_EVENT = -918_273_645  # stands for the event's id while the SQL is built


@functools.cache
def _taken_seats_sql(alias: str, vendor: str) -> tuple[str, tuple, int]:
    query = Registration.objects.filter(seat_taken_q(), event_id=_NO_EVENT).order_by().values_list("pk")
    sql, params = query.query.sql_with_params()
    (at,) = (i for i, value in enumerate(params) if value == _NO_EVENT)
    # The inner SQL is the ORM's own, its values stay parameters.
    return f"SELECT COUNT(*) FROM ({sql}) seats", tuple(params), at  # noqa: S608


def next_to_offer(event: Event) -> QuerySet[Registration]:
    """Who a seat freed now would be offered to, in order (services.waitlist's queue)."""
    return Registration.objects.filter(
        event=event, status=Status.WAITLISTED, offer_expires_at__isnull=True, offer_lapsed_at__isnull=True
    ).order_by("waitlisted_at", "id")


def open_offers(event: Event) -> QuerySet[Registration]:
    """The seats offered from the waiting list and not yet taken (the claim window), the one
    running out first first."""
    return Registration.objects.filter(
        event=event, status=Status.WAITLISTED, offer_expires_at__isnull=False
    ).order_by("offer_expires_at", "id")


def upcoming_public_events() -> QuerySet[Event]:
    """Published (and cancelled, which keep their page) events that have not ended, soonest first."""
    return with_seat_counts(
        Event.objects.filter(
            status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED], ends_at__gte=timezone.now()
        ).select_related("organisation")
    ).order_by("starts_at", "id")


def registration_state(
    event: Event, *, seats_taken: int, now: dt.datetime | None = None
) -> RegistrationState:
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return RegistrationState.CANCELLED
    if event.status == EventStatus.DRAFT:
        return RegistrationState.DRAFT
    if now >= event.registration_closes_at or now >= event.starts_at:
        return RegistrationState.CLOSED
    free = event.seat_limit - seats_taken
    if free <= 0:
        return RegistrationState.WAITING_LIST
    if free <= event.few_seats_threshold:
        return RegistrationState.FEW_LEFT
    return RegistrationState.OPEN


def seats_left(event: Event, seats_taken: int) -> int:
    return max(event.seat_limit - seats_taken, 0)


_REGISTRATION_FIELDS = tuple(f.attname for f in Registration._meta.concrete_fields)
_EVENT_FIELDS = tuple(f.attname for f in Event._meta.concrete_fields)
_ORGANISATION_FIELDS = tuple(f.attname for f in Organisation._meta.concrete_fields)
_NO_REGISTRATION = -918_273_646  # stands for the registration's id while the SQL is built


def registration_for_mail(pk: int | None) -> Registration | None:
    """The registration with its event and organisation loaded, or None: what the mail worker
    composes a message from.

    The same query as `Registration.objects.select_related("event__organisation").filter(pk=pk)`,
    read fresh every time, with the SQL and the column converters built once per process and
    connection (as events.queries.published_event): the ORM spent 0.7 ms of a message's CPU
    building them, 0.1 ms running the query (benchmarks/README.md, issue 10). The same statement
    answers `earlier_registrations` and `has_colleagues` for it (two statements fewer a message).

    Within a round of the mail worker (core.rounds: the messages of one claim), the event and its
    organisation are read with the round's first message and kept for the round's others: they
    read the registration's own row with three of its event's columns, and get a copy of the
    kept event (half the query's instructions were the event's and organisation's 56 columns).
    The three columns are the event's fingerprint: `updated_at` (every save() sets it), `status`
    and `ical_sequence` (a cancellation or a change of time or place raises it). When they differ
    from the kept event's, the event is read again, so a message is never composed from an event
    older than the one its registration's row joins: a confirmation after the event was
    cancelled is skipped, the cancellation's calendar file cancels. The registration itself is
    always read fresh. (What no service does, an `UPDATE` of an event's other columns straight in
    SQL, would reach the round's later messages with the next claim: ten transactional messages,
    or one bulk batch, FRUKOST_MAIL_BULK_BATCH.)
    """
    if pk is None:
        return None
    db = connections[DEFAULT_DB_ALIAS]
    events = _events_of_this_round()
    joined = not events  # outside a round, or its first message: the event is read with it
    prepared = _registration_for_mail_sql(db, joined)
    if prepared is None:  # the ORM chose a column order this code does not know: never guess
        return (
            Registration.objects.select_related("event__organisation")
            .annotate(**_mail_annotations())
            .filter(pk=pk)
            .order_by()
            .first()
        )
    compiler, sql, params, at, converters, columns, keys = prepared
    params = list(params)
    params[at] = pk
    if keys:  # the statement takes its parameters by name (core.sql: cheaper on SQLite)
        params = named(keys, params)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    row = next(compiler.apply_converters(rows, converters)) if converters else rows[0]
    own, event_columns, organisation_columns, earlier, colleagues, fingerprint = columns
    registration = Registration.from_db(db.alias, _REGISTRATION_FIELDS, own(row))
    if joined:
        event = Event.from_db(db.alias, _EVENT_FIELDS, event_columns(row))
        Event.organisation.field.set_cached_value(
            event, Organisation.from_db(db.alias, _ORGANISATION_FIELDS, organisation_columns(row))
        )
        if events is not None:
            events[event.pk] = _event_copy(event)
    else:
        kept = events.get(registration.event_id)
        if kept is None or _fingerprint(kept) != fingerprint(row):
            # The round's first message for this event, or the event changed since it was kept.
            kept = Event.objects.select_related("organisation").filter(pk=registration.event_id).first()
            if kept is None:  # deleted since the registration's row was read
                return None
            events[registration.event_id] = kept
        event = _event_copy(kept)
    Registration.event.field.set_cached_value(registration, event)
    registration.earlier_ended_registrations = row[earlier]
    registration.has_colleague_rows = bool(row[colleagues])
    return registration


# The key of the mail round's events in core.rounds' dict: {event id: Event, organisation loaded}.
_ROUND_EVENTS = "registrations.mail_events"


_FINGERPRINT = {
    "kept_event_updated_at": F("event__updated_at"),
    "kept_event_status": F("event__status"),
    "kept_event_sequence": F("event__ical_sequence"),
}


def _fingerprint(event: Event) -> tuple:
    return event.updated_at, event.status, event.ical_sequence


def _events_of_this_round() -> dict | None:
    kept = rounds.kept()
    if kept is None:
        return None
    return kept.setdefault(_ROUND_EVENTS, {})


def _event_copy(event: Event) -> Event:
    """A copy of event and of its organisation: what one message composes from, while the
    round keeps the original (composing may set attributes on them)."""
    copy = copied(event)
    Event.organisation.field.set_cached_value(copy, copied(Event.organisation.field.get_cached_value(event)))
    return copy


def _mail_annotations() -> dict:
    earlier = (
        Registration.objects.filter(
            event_id=OuterRef("event_id"), email=OuterRef("email"), pk__lt=OuterRef("pk")
        )
        .exclude(status__in=ACTIVE_STATUSES)
        .order_by()
        .annotate(number=Func(F("pk"), function="COUNT"))
        .values("number")
    )
    return {
        "earlier_ended_registrations": Subquery(earlier, output_field=IntegerField()),
        "has_colleague_rows": Exists(Registration.objects.filter(invited_by_id=OuterRef("pk"))),
    }


@per_connection
def _registration_for_mail_sql(db, joined: bool):
    # Kept on the connection (core.sql.per_connection): one per thread, never serving another.
    # `joined`: with the event's and organisation's columns; else the registration's alone.
    # (Not joined: the event's fingerprint, see registration_for_mail, read with the registration.)
    if joined:
        registrations = Registration.objects.select_related("event__organisation")
        wanted = _mail_annotations()
    else:
        registrations = Registration.objects
        wanted = {**_mail_annotations(), **_FINGERPRINT}
    query = registrations.annotate(**wanted).filter(pk=_NO_REGISTRATION).order_by().query
    compiler = query.get_compiler(connection=db)
    sql, params = compiler.as_sql()
    select = [expression for expression, _sql, _alias in compiler.select]
    annotations = compiler.annotation_col_map
    if set(annotations) != set(wanted):
        return None
    fields = [i for i in range(len(select)) if i not in annotations.values()]
    columns = [getattr(select[i], "target", None) for i in fields]
    expected = (
        [*_REGISTRATION_FIELDS, *_EVENT_FIELDS, *_ORGANISATION_FIELDS]
        if joined
        else list(_REGISTRATION_FIELDS)
    )
    if [column.attname if column else None for column in columns] != expected:
        return None
    found = [i for i, value in enumerate(params) if value == _NO_REGISTRATION]
    if len(found) != 1:
        return None
    split, end = len(_REGISTRATION_FIELDS), len(_REGISTRATION_FIELDS) + len(_EVENT_FIELDS)
    parts = (
        operator.itemgetter(*fields[:split]),
        operator.itemgetter(*fields[split:end]) if joined else None,
        operator.itemgetter(*fields[end:]) if joined else None,
        annotations["earlier_ended_registrations"],
        annotations["has_colleague_rows"],
        None if joined else operator.itemgetter(*(annotations[name] for name in _FINGERPRINT)),
    )
    converters = compiler.get_converters(select)
    keys = ()
    named_sql = by_name(sql, len(params))
    if named_sql is not None:
        sql, keys = named_sql, names(len(params))
    return compiler, sql, tuple(params), found[0], converters, parts, keys


def earlier_registrations(registration: Registration) -> int:
    """How many ended registrations this address had for the event before this one.

    Calendar files use it to raise SEQUENCE past an earlier cancellation (see mail.ical). The rows'
    ids, counted here: there are seldom any, and Django builds that query in a third of the CPU
    time of a COUNT. The mail worker asks once per message, so the SQL is built once per process
    and connection, as `registration_for_mail`'s (0.3 ms of the ORM's Python a message).
    """
    known = registration.__dict__.get("earlier_ended_registrations")
    if known is not None:  # read with the registration (registration_for_mail)
        return known
    db = connections[DEFAULT_DB_ALIAS]
    prepared = _earlier_registrations_sql(db)
    if prepared is None:  # the ORM built the parameters in an order this code does not know
        return len(_earlier_registrations(registration.event_id, registration.email, registration.pk))
    sql, params, at = prepared
    params = list(params)
    for index, value in zip(at, (registration.event_id, registration.email, registration.pk), strict=True):
        params[index] = value
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def _earlier_registrations(event_id, email, pk) -> QuerySet:
    return (
        Registration.objects.filter(event_id=event_id, email=email, pk__lt=pk)
        .exclude(status__in=ACTIVE_STATUSES)
        .order_by()
        .values_list("pk", flat=True)
    )


_NO_EVENT, _NO_EMAIL = -918_273_645, "\x00frukost: the address\x00"


@per_connection
def _earlier_registrations_sql(db):
    # Kept on the connection (core.sql.per_connection): one per thread, never serving another.
    query = _earlier_registrations(_NO_EVENT, _NO_EMAIL, _NO_REGISTRATION).query
    sql, params = query.get_compiler(connection=db).as_sql()
    at = []
    for sentinel in (_NO_EVENT, _NO_EMAIL, _NO_REGISTRATION):
        found = [index for index, value in enumerate(params) if value == sentinel]
        if len(found) != 1:
            return None
        at.append(found[0])
    return sql, tuple(params), tuple(at)


def has_colleagues(registration: Registration) -> bool:
    """`registration.colleagues.exists()`, with the SQL built once per process and connection (as
    `earlier_registrations`'s): the mail worker asks it for each receipt of a registration that
    has no colleague names stored, which is nearly every one."""
    known = registration.__dict__.get("has_colleague_rows")
    if known is not None:  # read with the registration (registration_for_mail)
        return known
    db = connections[DEFAULT_DB_ALIAS]
    prepared = _has_colleagues_sql(db)
    if prepared is None:  # the ORM built the parameters in an order this code does not know
        return registration.colleagues.exists()
    sql, params, at = prepared
    params = list(params)
    params[at] = registration.pk
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


@per_connection
def _has_colleagues_sql(db):
    # Kept on the connection (core.sql.per_connection): one per thread, never serving another.
    query = Registration.objects.filter(invited_by_id=_NO_REGISTRATION).order_by().query.exists()
    sql, params = query.get_compiler(connection=db).as_sql()
    found = [index for index, value in enumerate(params) if value == _NO_REGISTRATION]
    if len(found) != 1:
        return None
    return sql, tuple(params), found[0]


def events_at_a_glance(events: QuerySet[Event]) -> QuerySet[Event]:
    """The back office's event list: seats taken, waiting list and unconfirmed colleagues per event
    in one query, soonest first (past events last)."""
    return with_seat_counts(events).annotate(
        unconfirmed=Count(
            "registrations",
            filter=Q(registrations__status=Status.REGISTERED, registrations__confirmed_at__isnull=True),
        )
    )


# --- The back office's registration pages ---------------------------------------------------


@dataclass(frozen=True)
class TableFilters:
    """What the registrations table is narrowed to. Empty values filter nothing.

    The special-category filters (member, diet) are applied only when the caller passes them;
    the view drops them for a role that may not see special-category data.
    """

    status: str = ""  # a Status value, or "active" (has a seat or waiting)
    member: str = ""  # a Membership value, or "unanswered"
    colleague: str = ""  # "yes": registered by someone else; "no": registered themselves
    unconfirmed: bool = False  # colleagues who have not confirmed yet
    diet: str = ""  # a Diet value, "any" (some diet or other dietary need), or "none"


# Sort keys as the table's links spell them, each a stable order (id breaks ties).
TABLE_ORDERS: dict[str, tuple[str, ...]] = {
    "name": ("last_name", "first_name", "id"),
    "email": ("email", "id"),
    "workplace": ("workplace", "last_name", "id"),
    "status": ("status", "created_at", "id"),
    "registered": ("created_at", "id"),
}
DEFAULT_TABLE_ORDER = "registered"


def search_registrations(registrations: QuerySet[Registration], search: str) -> QuerySet[Registration]:
    """Every word must appear in the first name, last name, e-mail or workplace ("Anna Svensson")."""
    for word in search.split()[:8]:
        registrations = registrations.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(workplace__icontains=word)
        )
    return registrations


def registrations_table(
    *, event: Event, search: str = "", filters: TableFilters = TableFilters(), order: str = ""
) -> QuerySet[Registration]:
    """The back office's table of one event's registrations: searched, filtered and sorted.

    One query per page of rows whatever their number: "registered by" comes with the row
    (select_related), nothing else is looked up per row. `order` is a TABLE_ORDERS key, "-" first
    for descending; an unknown key sorts by registration time.
    """
    registrations = Registration.objects.filter(event=event).select_related("invited_by")
    registrations = search_registrations(registrations, search)
    if filters.status == "active":
        registrations = registrations.filter(status__in=ACTIVE_STATUSES)
    elif filters.status in Status.values:
        registrations = registrations.filter(status=filters.status)
    if filters.member == "unanswered":
        registrations = registrations.filter(membership="")
    elif filters.member in Membership.values:
        registrations = registrations.filter(membership=filters.member)
    if filters.colleague == "yes":
        registrations = registrations.filter(invited_by__isnull=False)
    elif filters.colleague == "no":
        registrations = registrations.filter(invited_by__isnull=True)
    if filters.unconfirmed:
        registrations = registrations.filter(confirmed_at__isnull=True, status__in=ACTIVE_STATUSES)
    if filters.diet == "any":
        registrations = registrations.exclude(diets=[], diet_other="")
    elif filters.diet == "none":
        registrations = registrations.filter(diets=[], diet_other="")
    elif filters.diet in Diet.values:
        # The codes are our own words, so a match on the quoted code in the JSON text is exact
        # (JSONField's `contains` does not exist on SQLite).
        registrations = registrations.filter(diets__icontains=f'"{filters.diet}"')
    descending = order.startswith("-")
    key = order.removeprefix("-")
    fields = TABLE_ORDERS.get(key, TABLE_ORDERS[DEFAULT_TABLE_ORDER])
    return registrations.order_by(*(f"-{f}" if descending else f for f in fields))


def status_counts(event: Event) -> dict[str, int]:
    """How many registrations the event has in each status (every status present, zeros too)."""
    counts = dict.fromkeys(Status.values, 0)
    rows = Registration.objects.filter(event=event).values_list("status").annotate(n=Count("id")).order_by()
    for status, number in rows:
        counts[status] = number
    return counts


def waiting_list(event: Event) -> QuerySet[Registration]:
    """The queue in the order seats are given: first come, first served."""
    return (
        Registration.objects.filter(event=event, status=Status.WAITLISTED)
        .select_related("invited_by")
        .order_by("waitlisted_at", "id")
    )


def door_list(event: Event) -> QuerySet[Registration]:
    """What the door needs: names, workplace, who brought whom, seat or queue. Nothing else.

    `.only()` keeps membership, diets and needs out of the rows altogether, so no template can
    show them by mistake.
    """
    return (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .select_related("invited_by")
        .only(
            "first_name",
            "last_name",
            "workplace",
            "status",
            "confirmed_at",
            "invited_by__first_name",
            "invited_by__last_name",
        )
        .order_by("last_name", "first_name", "id")
    )


def folded(text: str) -> str:
    """Lower case without diacritics, for matching names as people type them ("asa" finds "Åsa")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def registration_history(registration: Registration) -> list[HistoryEntry]:
    """What happened to a registration, oldest first: the audit entries and the e-mails.

    Two queries, whatever the length of the history. Audit entries hold ids and action names only,
    so nothing special-category can reach the page from here.
    """
    entries = [
        HistoryEntry(at=log.at, kind="audit", action=log.action, actor=log.actor, data=log.data)
        for log in AuditLog.objects.filter(registration_id=registration.pk).select_related("actor")
    ]
    entries += [
        HistoryEntry(
            at=message.created_at,
            kind="mail",
            action=message.kind,
            message=message,
        )
        for message in OutboxMessage.objects.filter(registration=registration).only(
            "kind", "status", "created_at", "sent_at", "registration_id"
        )
    ]
    return sorted(entries, key=lambda entry: (entry.at, entry.kind != "audit"))


@dataclass
class HistoryEntry:
    at: dt.datetime
    kind: str  # "audit" or "mail"
    action: str
    actor: object = None
    data: dict = field(default_factory=dict)
    message: OutboxMessage | None = None


def event_tally(event: Event) -> EventTally | None:
    """The counts retention kept when it erased the event's diets or membership answers (if it has)."""
    return EventTally.objects.filter(event=event).first()
