"""frukost's PostgreSQL backend (issue 10, fifth pass): the health check makes no round trip while
the connection is sound and still reconnects when the server has ended it."""

import select
import tempfile

import psycopg
import pytest
from django.db import connection

from frukost.events.models import Event

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's health check")


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
