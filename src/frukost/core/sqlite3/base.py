"""Django's SQLite backend, with the rewrite of `%s` placeholders to `?` kept per SQL text.

Python's sqlite3 module takes `?`, Django writes `%s`: Django's cursor rewrites every statement
with a regular expression that looks behind each `%` (`(?<!%)%s`), about 45 ns per character on
this machine, so 65 µs for a 1.5 kB SELECT and 0.17 ms for the mail worker's 3.8 kB registration
query, on every execution: more than SQLite itself takes to run most of them (issue 10, fifth
pass; benchmarks/README.md). The ORM compiles the same text for the same query each request,
so the rewritten text is kept, keyed on the text itself (a dict look-up hashes it once, about
1 ns a character, and compares on a hit); at most CACHE_SIZE texts per process, the least
recently used dropped; a text longer than CACHED_CHARACTERS (a long `IN (…)` list, made again for
every length) is rewritten each time, so the cache stays a few MB however the lists vary. A text
is rewritten exactly as Django rewrites it (a test compares them), so nothing but the cost
changes; named (`%(name)s`) parameters go Django's way.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.backends.sqlite3 import base

# Distinct statement texts a process runs: the ORM's few hundred, and texts with inlined lists of
# varying length. The largest the request paths and the mail worker run are under 4 kB; longer
# ones are not kept, so the cache holds at most CACHE_SIZE × CACHED_CHARACTERS × 2 (key and
# value): about 32 MB in the worst case, a few MB in practice.
CACHE_SIZE = 2048
CACHED_CHARACTERS = 8192


def rewrite(query: str) -> str:
    """`query` with its `%s` placeholders as `?` and `%%` as `%`, as Django's cursor writes it."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


cached_rewrite = lru_cache(maxsize=CACHE_SIZE)(rewrite)


def qmark(query: str) -> str:
    """`rewrite(query)`, kept for the next time unless the text is longer than CACHED_CHARACTERS."""
    if len(query) > CACHED_CHARACTERS:
        return rewrite(query)
    return cached_rewrite(query)


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None and type(query) is str:
            return qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
