"""Django's PostgreSQL backend, with a health check that needs no round trip while the
connection is sound.

With CONN_HEALTH_CHECKS Django asks the server `SELECT 1` before the first query of every
request that reuses a connection: a round trip for each request (three per registration), which
wakes the server's backend and puts the web process to sleep and back (issue 10, fifth pass). A
server that goes away (a restart, pg_terminate_backend, a crashed backend) closes its end of the
socket, and usually says why first: the socket becomes readable. So an idle connection whose
socket has nothing to read is sound as far as a `SELECT 1` could tell, and only a readable one
(or one whose state is not plainly idle, or after an error) is asked the way Django asks.

That holds for a server on this machine (a Unix socket or loopback), whose kernel closes the
socket whatever ends the server. A server on another machine can be gone without the socket
showing it: its machine rebooted, or a NAT or firewall between the two forgot the idle
connection. The next packet is then answered with a reset, and Django's `SELECT 1` is that packet:
it fails, Django reconnects, and the request goes on, where the request's own query would fail
with it (a 500). So a connection to another machine is asked as Django asks unless it was in use
within the last FRESH_SECONDS: during a rush requests follow each other by milliseconds and send
nothing extra, after a quiet spell the first request pays the round trip. (A server that vanishes
without answering at all, its machine powered off, makes `SELECT 1` wait for TCP's timeout just
as the request's query would; docs/deploy.md sets keepalives for that.)
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base
from psycopg import pq

# How recently a connection to another machine must have been used for the check to trust it.
FRESH_SECONDS = 2.0


class DatabaseWrapper(base.DatabaseWrapper):
    local = False  # whether the server is on this machine (set for each new connection)
    last_used = float("-inf")  # time.monotonic() of the last cursor or successful check

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self.local = _on_this_machine(connection.pgconn)
        return connection

    def create_cursor(self, name=None):
        self.last_used = time.monotonic()
        return super().create_cursor(name)

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        pgconn = connection.pgconn
        now = time.monotonic()
        if (
            self.errors_occurred  # after an error, ask the server whatever the socket says
            or pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
            or not (self.local or now - self.last_used < FRESH_SECONDS)
            or _readable(pgconn.socket)
        ):
            usable = super().is_usable()
        else:
            usable = True
        if usable:
            self.last_used = now
        return usable


def _on_this_machine(pgconn) -> bool:
    """True for a Unix socket or a loopback address (the address connected to, names resolved)."""
    if pgconn.host.startswith(b"/"):
        return True
    address = pgconn.hostaddr
    return address.startswith(b"127.") or address == b"::1"


def _readable(fd: int) -> bool:
    """True when the server has sent something (or closed the socket) since the last reply."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))  # POLLERR, POLLHUP and POLLNVAL are always reported too
