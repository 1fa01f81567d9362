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

One writer at a time per process, waiting on a lock. SQLite lets one connection write at a time;
another that finds the file locked waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15,
20, 25 … 100 ms between looks and so goes on sleeping after the lock is free (under load,
benchmarks/README.md, "Eighth pass: SQLite's writers", a POST's first write slept there in one
request of two). The threads of one process (granian's two) therefore take a lock of the
process's own, per database file, before they write: a write transaction from its `BEGIN
IMMEDIATE` to its commit, rollback or the connection's close, and a write statement run in
autocommit (the rate counters' upsert) for that statement. The one waiting is woken the moment the
other is done. Other processes (the mail worker, a second web worker, a command) still meet in
SQLite's busy handler as before; reads never wait (WAL). A thread that waits longer than the
connection's `timeout` option gets "database is locked", as it would from SQLite.
"""

from __future__ import annotations

import threading
from collections import deque
from functools import lru_cache

from django.db import OperationalError
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


# What a statement that writes starts with (the ORM's, core.inserts' and the rate counters'). A
# write that starts otherwise (`WITH … INSERT`) waits in SQLite's busy handler, as before.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

_writers: dict[str, threading.RLock] = {}
_writers_made = threading.Lock()


def writer_lock(name) -> threading.RLock:
    """The lock this process's writers to the database file `name` take, one per file.

    Re-entrant: a thread that writes through two connections to one file (a test, a command)
    waits for itself no more than before (in SQLite's busy handler)."""
    key = str(name)
    with _writers_made:
        return _writers.setdefault(key, threading.RLock())


def writes(query: str) -> bool:
    """Whether a statement writes, by its first word."""
    return query.lstrip()[:7].upper().startswith(WRITES)


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    writer: threading.RLock
    wait: float

    def convert_query(self, query, *, param_names=None):
        if param_names is None and type(query) is str:
            return qmark(query)
        return super().convert_query(query, param_names=param_names)

    # The rows an autocommit write's RETURNING gave, read while the lock was held (None: none kept).
    _returned: deque | None = None

    def execute(self, query, params=None):
        # A write in autocommit is a transaction of one statement: it takes the process's lock for
        # the statement. Inside a transaction the connection holds the lock already (BEGIN).
        self._returned = None
        if self.connection.in_transaction or not writes(query):
            return super().execute(query, params)
        with _holding(self.writer, self.wait):
            super().execute(query, params)
            if self.description is not None:
                # INSERT … RETURNING (the rate counters' upsert): SQLite ends the statement, and
                # gives up its write lock, only once every row is read, so they are read now.
                self._returned = deque(super().fetchall())
        return self

    def executemany(self, query, param_list):
        self._returned = None
        if self.connection.in_transaction or not writes(query):
            return super().executemany(query, param_list)
        with _holding(self.writer, self.wait):
            return super().executemany(query, param_list)

    def fetchone(self):
        if self._returned is None:
            return super().fetchone()
        return self._returned.popleft() if self._returned else None

    def fetchmany(self, size=None):
        if self._returned is None:
            return super().fetchmany(self.arraysize if size is None else size)
        count = min(self.arraysize if size is None else size, len(self._returned))
        return [self._returned.popleft() for _ in range(count)]

    def fetchall(self):
        if self._returned is None:
            return super().fetchall()
        rows = list(self._returned)
        self._returned.clear()
        return rows

    def __next__(self):
        if self._returned is None:
            return super().__next__()
        if not self._returned:
            raise StopIteration
        return self._returned.popleft()


class _holding:
    """`with` the writer's lock, given up after `wait` seconds with SQLite's own error."""

    __slots__ = ("lock", "wait")

    def __init__(self, lock: threading.RLock, wait: float):
        self.lock, self.wait = lock, wait

    def __enter__(self):
        if not self.lock.acquire(timeout=self.wait):
            raise OperationalError("database is locked")

    def __exit__(self, *exc):
        self.lock.release()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.writer = writer_lock(self.settings_dict["NAME"])
        # As long as SQLite's busy handler would wait (the `timeout` option, Django's default 5 s).
        self.writer_wait = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        self.holds_writer = False

    def get_new_connection(self, conn_params):
        # The file this connection opens (the test database's, once the test runner has renamed it).
        self.writer = writer_lock(self.settings_dict["NAME"])
        return super().get_new_connection(conn_params)

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=SQLiteCursorWrapper)
        cursor.writer, cursor.wait = self.writer, self.writer_wait
        return cursor

    def _start_transaction_under_autocommit(self):
        # Every transaction Django begins here is a write transaction (BEGIN IMMEDIATE).
        if not self.writer.acquire(timeout=self.writer_wait):
            raise OperationalError("database is locked")
        self.holds_writer = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self):
        if self.holds_writer:
            self.holds_writer = False
            self.writer.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
