"""Statements built once, their parameters passed by name: what SQLite's cursor makes cheap.

Django's SQLite cursor rewrites every statement it runs from the "format" style (`%s`) to
sqlite3's "qmark" style (`?`) with a regular expression that looks behind each character
(`(?<!%)%s`): about 45 ns a character of SQL, every time. The mail worker's registration query
is 3.8 kB of SQL (every column of the registration, its event and organisation): 0.17 ms of
CPU a message went to that rewrite alone, more than SQLite spent running the query
(benchmarks/README.md, "Fifth pass: the mail worker's own work"). Passed as a mapping, the same
statement is rewritten by one `%` formatting instead (`%(p0)s` becomes `:p0`), a tenth of the
cost. PostgreSQL's driver (psycopg) takes the same named style and caches its own rewrite.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver

T = TypeVar("T")


def by_name(sql: str, count: int) -> str | None:
    """`sql` with its `count` placeholders (`%s`) written as named ones (`%(p0)s`, `%(p1)s`, …),
    or None where that could change its meaning: any other `%` in it (an escaped `%%`, a
    placeholder count other than `count`). The caller then keeps the statement as it was."""
    if sql.count("%") != count or sql.count("%s") != count:
        return None
    parts = sql.split("%s")
    return "".join(f"{part}%(p{index})s" for index, part in enumerate(parts[:-1])) + parts[-1]


def names(count: int) -> tuple[str, ...]:
    """The names `by_name` gives the placeholders, in order."""
    return tuple(f"p{index}" for index in range(count))


def named(keys: tuple[str, ...], params: Sequence) -> dict:
    """The positional parameters of a statement as the mapping its `by_name` form takes."""
    return dict(zip(keys, params, strict=True))


_PER_CONNECTION = "_frukost_per_connection"  # the wrapper's attribute: {(function, *args): value}


def per_connection(function: Callable[..., T]) -> Callable[..., T]:
    """`function(db, *args)` memoised on the connection wrapper `db` itself (in its `__dict__`).

    A statement built for one connection (a compiler holds its connection) must never serve
    another, and Django gives each thread its own wrapper; keeping what was built on the wrapper
    ties its life to that connection. A module-level cache keyed on the wrapper would also keep
    the wrapper, and its open database connection, alive after its thread is gone: granian
    retires an idle blocking thread and starts a new one (`--blocking-threads-idle-timeout`), so
    a worker would gather connections that nothing uses or closes.
    """

    @functools.wraps(function)
    def kept(db, *args):
        store = db.__dict__.get(_PER_CONNECTION)
        if store is None:
            store = db.__dict__[_PER_CONNECTION] = {}
        key = (function, *args)  # the function itself: two of the same name never share values
        try:
            return store[key]
        except KeyError:
            value = store[key] = function(db, *args)
            return value

    return kept


# SQLite's datetime columns: the naive datetime its driver reads (Django registers the parsing
# with sqlite3) -> the aware datetime Django's converter makes of it, per the connection's time
# zone: {(datetime, timezone): datetime}. Only for the columns of events and organisations (their
# times: no personal data), never registrations'. A datetime is immutable, so one object serves
# every row that holds the same time.
_DATETIMES: dict[tuple, object] = {}
MAX_DATETIMES = 4096


def with_datetimes_kept(converters: dict, db) -> dict:
    """A compiler's `get_converters()` result, with SQLite's datetime converter (the setting read,
    then `replace(tzinfo=…)`: half of converting an event's row, issue 10) answered from
    `_DATETIMES` for a time seen before. Every other converter, and every other backend, as they
    were. The kept values are forgotten when USE_TZ, TIME_ZONE or DATABASES changes."""
    if db.vendor != "sqlite":
        return converters
    original = db.ops.convert_datetimefield_value
    kept = {}
    for position, (functions, expression) in converters.items():
        if functions == [original]:
            functions = [_kept_datetime(original)]
        kept[position] = (functions, expression)
    return kept


def _kept_datetime(original):
    def convert(value, expression, connection):
        if type(value) is not dt.datetime:  # None, or text the driver did not parse
            return original(value, expression, connection)
        key = (value, connection.timezone)  # USE_TZ off: no time zone, a key of its own
        try:
            return _DATETIMES[key]
        except KeyError:
            result = original(value, expression, connection)
            if len(_DATETIMES) >= MAX_DATETIMES:
                _DATETIMES.clear()
            _DATETIMES[key] = result
            return result

    return convert


@receiver(setting_changed)
def _forget_datetimes(*, setting: str, **kwargs) -> None:
    if setting in ("USE_TZ", "TIME_ZONE", "DATABASES"):
        _DATETIMES.clear()
