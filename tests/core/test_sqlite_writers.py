"""frukost's SQLite backend lets one thread of a process write at a time and wakes the next as soon
as the writer is done, instead of leaving it asleep in SQLite's busy handler (issue 10, eighth pass).

Each test makes the waiting thread's own SQLite wait zero (`PRAGMA busy_timeout = 0`): without the
process's lock its write fails at once with "database is locked"; with it, the write waits for the
other thread and succeeds."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from frukost.core.models import RateCounter
from frukost.core.sqlite3 import base

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writers"),
    pytest.mark.django_db(transaction=True),
]

SETTLE = 0.2  # seconds the holding thread keeps its transaction open once the other is waiting


def _counter(name: str) -> RateCounter:
    return RateCounter(name=name, hits=1, expires_at=2_000_000_000.0)


def _in_thread(work, *, busy_timeout_zero: bool = True, wait: float | None = None):
    """Run `work` on a thread of its own with its own connection; returns (thread, outcome)."""
    outcome: dict = {}

    def run():
        try:
            if busy_timeout_zero:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 0")
            if wait is not None:
                connection.writer_wait = wait
            outcome["value"] = work()
        except Exception as exc:  # the test asserts on it
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _waits_for_writer(lock) -> bool:
    """Whether another thread holds the process's writer lock (it cannot be taken at once here)."""
    if lock.acquire(blocking=False):
        lock.release()
        return False
    return True


def _holding_a_transaction(release: threading.Event, *, then=None):
    """On a thread of its own: a write transaction kept open until `release` is set."""
    started = threading.Event()

    def work():
        with transaction.atomic():
            RateCounter.objects.create(name="holder", hits=1, expires_at=2_000_000_000.0)
            started.set()
            release.wait(10)
            if then:
                then()

    thread, outcome = _in_thread(work, busy_timeout_zero=False)
    assert started.wait(10)
    return thread, outcome


def test_an_autocommit_write_waits_for_the_other_threads_transaction_and_succeeds():
    release = threading.Event()
    holder, held = _holding_a_transaction(release)
    writer, wrote = _in_thread(lambda: _counter("autocommit").save())
    writer.join(SETTLE)
    assert writer.is_alive()  # waiting, not failed with "database is locked"
    release.set()
    holder.join(10)
    writer.join(10)

    assert "error" not in held and "error" not in wrote, (held, wrote)
    assert set(RateCounter.objects.values_list("name", flat=True)) == {"holder", "autocommit"}


def test_a_transaction_waits_for_the_other_threads_transaction_and_succeeds():
    release = threading.Event()
    holder, held = _holding_a_transaction(release)

    def second():
        with transaction.atomic():
            RateCounter.objects.create(name="second", hits=1, expires_at=2_000_000_000.0)

    writer, wrote = _in_thread(second)
    writer.join(SETTLE)
    assert writer.is_alive()
    release.set()
    holder.join(10)
    writer.join(10)

    assert "error" not in held and "error" not in wrote, (held, wrote)
    assert RateCounter.objects.filter(name__in=["holder", "second"]).count() == 2


def test_a_rolled_back_transaction_lets_the_next_writer_in():
    release = threading.Event()

    def fail():
        raise ValueError("the registration was refused")

    holder, held = _holding_a_transaction(release, then=fail)
    writer, wrote = _in_thread(lambda: _counter("after-rollback").save())
    writer.join(SETTLE)
    release.set()
    holder.join(10)
    writer.join(10)

    assert isinstance(held.get("error"), ValueError)
    assert "error" not in wrote, wrote
    assert list(RateCounter.objects.values_list("name", flat=True)) == ["after-rollback"]


def test_a_connection_closed_inside_its_transaction_lets_the_next_writer_in():
    release = threading.Event()
    holder, held = _holding_a_transaction(release, then=lambda: connection.close())
    writer, wrote = _in_thread(lambda: _counter("after-close").save())
    writer.join(SETTLE)
    release.set()
    holder.join(10)
    writer.join(10)

    assert "error" not in wrote, wrote
    assert "after-close" in set(RateCounter.objects.values_list("name", flat=True))
    assert not _waits_for_writer(connection.writer)


def test_a_writer_that_waits_longer_than_the_timeout_gets_database_is_locked():
    release = threading.Event()
    holder, held = _holding_a_transaction(release)
    writer, wrote = _in_thread(lambda: _counter("too-late").save(), wait=0.05)
    writer.join(10)
    release.set()
    holder.join(10)

    assert isinstance(wrote.get("error"), OperationalError)
    assert "database is locked" in str(wrote["error"])
    assert not RateCounter.objects.filter(name="too-late").exists()  # nothing half-saved
    assert not _waits_for_writer(connection.writer)


def test_reads_do_not_wait_for_a_writer():
    release = threading.Event()
    holder, held = _holding_a_transaction(release)
    reader, read = _in_thread(lambda: RateCounter.objects.count(), wait=0.05)
    reader.join(10)
    release.set()
    holder.join(10)

    assert read == {"value": 0}  # the holder's row is not committed yet; no error, no wait


def test_one_lock_per_database_file_that_a_thread_holding_it_takes_again():
    lock = base.writer_lock("one.sqlite3")

    assert base.writer_lock("one.sqlite3") is lock
    assert base.writer_lock("another.sqlite3") is not lock
    assert connection.writer is base.writer_lock(connection.settings_dict["NAME"])
    with lock:
        # A thread writing through two connections to one file does not wait for itself.
        assert lock.acquire(timeout=0.01)
        lock.release()


@pytest.mark.parametrize(
    "query, writes",
    [
        ("INSERT INTO t VALUES (1)", True),
        ('  update "t" SET a = 1', True),
        ("\n    DELETE FROM t", True),
        ("REPLACE INTO t VALUES (1)", True),
        ("SELECT 1", False),
        ("PRAGMA busy_timeout = 0", False),
        ("", False),
    ],
)
def test_which_statements_write(query, writes):
    assert base.writes(query) is writes


def test_an_autocommit_write_with_returning_gives_up_sqlites_lock_before_its_rows_are_read():
    # The rate counters' upsert returns its rows: SQLite holds its write lock until they are read,
    # so they are read while the process's lock is held, and SQLite's lock is free when it ends.
    outcome = {}

    def other_writer():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 0")
            cursor.execute("BEGIN IMMEDIATE")  # fails at once if SQLite's write lock is held
            cursor.execute("ROLLBACK")
        return True

    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "core_ratecounter" (name, hits, expires_at) VALUES (%s, %s, %s), (%s, %s, %s) '
            "RETURNING name, hits",
            ["a", 1, 2e9, "b", 2, 2e9],
        )
        thread, outcome = _in_thread(other_writer, busy_timeout_zero=False)
        thread.join(10)
        assert outcome == {"value": True}, outcome
        assert cursor.fetchone() == ("a", 1)
        assert cursor.fetchall() == [("b", 2)]
        assert cursor.fetchone() is None
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "core_ratecounter" (name, hits, expires_at) VALUES (%s, %s, %s) RETURNING name',
            ["c", 1, 2e9],
        )
        assert list(cursor) == [("c",)]
        cursor.execute("SELECT name FROM core_ratecounter ORDER BY name")  # reads go as before
        assert cursor.fetchmany(2) == [("a",), ("b",)]
        assert cursor.fetchall() == [("c",)]
