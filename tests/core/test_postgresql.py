"""frukost's PostgreSQL backend and tables (issue 10, fifth pass): the health check makes no round
trip while the connection is sound and still reconnects when the server has ended it; the rate
counters write no WAL (an unlogged table: their commits do not wait for a flush) while
registrations, the outbox and the personal links stay logged and synchronous."""

import select
import tempfile

import psycopg
import pytest
from django.db import connection

from frukost.core import ratelimit
from frukost.core.models import RateCounter
from frukost.core.postgresql import base as pg_backend
from frukost.events.models import Event
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import PersonalLink, Registration

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's health check, WAL and table persistence"
)


def _protocol_of(operation) -> str:
    """What the client sent and received while running operation (libpq's trace)."""
    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        try:
            operation()
        finally:
            pgconn.untrace()
        trace.seek(0)
        return trace.read()


def _wait_until_readable(fd: int) -> None:
    """Wait for the server's message (or its end of the socket closing), at most 10 s."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    assert poller.poll(10_000), "the server did not end the connection"


def _other_connection() -> psycopg.Connection:
    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


@pytest.mark.django_db(transaction=True)
def test_health_check_sends_nothing_while_the_connection_is_idle():
    connection.ensure_connection()

    protocol = _protocol_of(lambda: connection.is_usable())

    assert connection.is_usable() is True
    assert protocol == ""


@pytest.mark.django_db(transaction=True)
def test_the_suites_server_on_loopback_is_on_this_machine_and_trusted_however_long_idle(monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection, "last_used", float("-inf"))  # idle since forever

    protocol = _protocol_of(lambda: connection.is_usable())

    assert connection.local is True
    assert protocol == ""


@pytest.mark.django_db(transaction=True)
def test_health_check_asks_a_server_on_another_machine_after_a_quiet_spell(monkeypatch):
    # A NAT, a firewall or the server's reboot may have ended an idle connection to another
    # machine without the socket showing it: after FRESH_SECONDS idle Django's SELECT 1 finds out.
    connection.ensure_connection()
    monkeypatch.setattr(connection, "local", False)
    Event.objects.count()  # in use just now

    recently = _protocol_of(lambda: connection.is_usable())
    monkeypatch.setattr(connection, "last_used", connection.last_used - pg_backend.FRESH_SECONDS - 0.1)
    after_a_pause = _protocol_of(lambda: connection.is_usable())
    right_after_the_check = _protocol_of(lambda: connection.is_usable())

    assert recently == ""
    assert "SELECT 1" in after_a_pause
    assert right_after_the_check == ""


def test_only_a_unix_socket_or_a_loopback_address_is_this_machine():
    class Pgconn:
        def __init__(self, host, hostaddr):
            self.host, self.hostaddr = host, hostaddr

    assert pg_backend._on_this_machine(Pgconn(b"/var/run/postgresql", b""))
    assert pg_backend._on_this_machine(Pgconn(b"localhost", b"127.0.0.1"))
    assert pg_backend._on_this_machine(Pgconn(b"localhost", b"::1"))
    assert not pg_backend._on_this_machine(Pgconn(b"db.example.se", b"192.0.2.10"))
    assert not pg_backend._on_this_machine(Pgconn(b"10.0.0.5", b"10.0.0.5"))


@pytest.mark.django_db(transaction=True)
def test_health_check_asks_the_server_when_it_has_sent_something():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN frukost_health")
    try:
        with _other_connection() as other:
            other.execute("NOTIFY frukost_health")
        _wait_until_readable(connection.connection.fileno())

        usable = []
        protocol = _protocol_of(lambda: usable.append(connection.is_usable()))

        assert usable == [True]
        assert "SELECT 1" in protocol
    finally:
        with connection.cursor() as cursor:
            cursor.execute("UNLISTEN frukost_health")


@pytest.mark.django_db(transaction=True)
def test_health_check_reconnects_when_the_server_ended_the_connection():
    Event.objects.count()  # the connection is open and idle, as between two requests
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with _other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    _wait_until_readable(connection.connection.fileno())

    connection.close_if_unusable_or_obsolete()  # what request_started does
    count = Event.objects.count()  # the next request's first query

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
    assert count == 0


@pytest.mark.django_db(transaction=True)
def test_health_check_asks_the_server_after_an_error():
    connection.ensure_connection()
    connection.errors_occurred = True

    protocol = _protocol_of(lambda: connection.is_usable())

    assert "SELECT 1" in protocol


@pytest.mark.django_db
def test_rate_counters_are_unlogged_and_registrations_outbox_and_links_logged():
    tables = [model._meta.db_table for model in (RateCounter, Registration, OutboxMessage, PersonalLink)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpersistence FROM pg_class WHERE relname = ANY(%s) ORDER BY relname", [tables]
        )
        persistence = dict(cursor.fetchall())
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = cursor.fetchone()[0]

    assert persistence == {
        RateCounter._meta.db_table: "u",
        Registration._meta.db_table: "p",
        OutboxMessage._meta.db_table: "p",
        PersonalLink._meta.db_table: "p",
    }
    assert synchronous_commit == "on"


def _lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        return cursor.fetchone()[0]


def _wal_records(table: str, start: str, end: str) -> tuple[int, int]:
    """(WAL records naming table's file, commit records) between two positions: anyone's commits,
    but the table's records can only be this test's. pg_walinspect reads only flushed WAL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [table])
        filenode = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FILTER (WHERE block_ref LIKE %s), "
            "count(*) FILTER (WHERE resource_manager = 'Transaction' AND record_type = 'COMMIT') "
            "FROM pg_get_wal_records_info(%s, %s)",
            [f"% rel %/%/{filenode} %", start, end],
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_rate_counters_write_no_wal_but_a_registration_does(event_factory):
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    event = event_factory()
    hits = [(f"ip:192.0.2.{n}", 1) for n in range(3)]

    start = _lsn()
    ratelimit.count(hits, window=600)  # autocommitted, as in a public form's POST
    counted = _lsn()
    # A durable commit, which also flushes the counters' commit record for pg_walinspect to read.
    Registration.objects.create(event=event, first_name="Anna", last_name="Ek", email="a@example.se")
    registered = _lsn()

    assert RateCounter.objects.count() == 3
    assert _wal_records(RateCounter._meta.db_table, start, counted)[0] == 0
    assert _wal_records(Registration._meta.db_table, counted, registered)[0] >= 1
    assert _wal_records(Registration._meta.db_table, counted, registered)[1] >= 1
