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

from collections.abc import Sequence


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
