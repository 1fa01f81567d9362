"""Read-only questions about events, shaped for pages."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.sql.compiler import SQLCompiler

from frukost.core.instances import from_row
from frukost.core.sql import per_connection, with_datetimes_kept
from frukost.events.enums import EventStatus
from frukost.events.models import Event, Organisation

_EVENT_FIELDS = tuple(field.attname for field in Event._meta.concrete_fields)
_ORGANISATION_FIELDS = tuple(field.attname for field in Organisation._meta.concrete_fields)
# Stand for the slugs while the SQL is built.
_ORGANISATION_SLUG = "\x00organisation-slug\x00"
_EVENT_SLUG = "\x00event-slug\x00"


def public_events():
    """Events with a public page: everything but drafts (a cancelled event keeps its page)."""
    return Event.objects.select_related("organisation").exclude(status=EventStatus.DRAFT)


def published_event(*, organisation: str, event: str) -> Event | None:
    """The event with a public page at /<organisation>/<event>/, its organisation loaded; or None.

    The same query as `public_events().filter(...).first()`, read fresh every time, but with the SQL
    and the column converters built once per process and connection: the ORM spent 0.5 ms of
    the event page's CPU building them, more than running the query (benchmarks/README.md,
    issue 10). Rows become the instances the models' own `from_db` makes (core.instances.from_row).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    prepared = _prepared(connection)
    if prepared is None:  # the ORM chose a column order this code does not know: never guess
        return public_events().filter(organisation__slug=organisation, slug=event).first()
    compiler, sql, params, slots, converters = prepared
    params = list(params)
    params[slots[0]] = organisation
    params[slots[1]] = event
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchmany(2)
    if len(rows) != 1:
        # None, or (which the unique slug per organisation forbids) several: as the ORM would say.
        return public_events().get(organisation__slug=organisation, slug=event) if rows else None
    row = next(compiler.apply_converters(rows, converters)) if converters else rows[0]
    split = len(_EVENT_FIELDS)
    # Event.from_db and Organisation.from_db's instances, without Model.__init__'s setattr loop
    # (core.instances): 3 % of the event page's instructions.
    found = from_row(Event, connection.alias, row[:split])
    Event.organisation.field.set_cached_value(found, from_row(Organisation, connection.alias, row[split:]))
    return found


@per_connection
def _prepared(db) -> tuple[SQLCompiler, str, tuple, tuple[int, int], dict] | None:
    # Kept on the connection (core.sql.per_connection): one per thread, never serving another.
    query = public_events().filter(organisation__slug=_ORGANISATION_SLUG, slug=_EVENT_SLUG).query
    compiler = query.get_compiler(connection=db)
    sql, params = compiler.as_sql()
    columns = [expression.target.attname for expression, _sql, _alias in compiler.select]
    if columns != [*_EVENT_FIELDS, *_ORGANISATION_FIELDS]:
        return None
    slots = (params.index(_ORGANISATION_SLUG), params.index(_EVENT_SLUG))
    converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
    return compiler, sql, tuple(params), slots, with_datetimes_kept(converters, db)
