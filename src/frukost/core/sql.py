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

import functools
from collections.abc import Callable, Sequence
from typing import TypeVar

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
