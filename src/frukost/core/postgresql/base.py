"""Django's PostgreSQL backend, with a health check that needs no round trip while the
connection is sound.

With CONN_HEALTH_CHECKS Django asks the server `SELECT 1` before the first query of every
request that reuses a connection: a round trip for each request (three per registration), which
wakes the server's backend and puts the web process to sleep and back (issue 10, fifth pass). A
server that goes away (a restart, pg_terminate_backend, a crashed backend) closes its end of the
socket, and usually says why first: the socket becomes readable. So an idle connection whose
socket has nothing to read is sound as far as a `SELECT 1` could tell, and only a readable one
(or one whose state is not plainly idle, or after an error) is asked the way Django asks.

What neither check can see in advance is a server that vanishes without closing anything (its
machine powered off, a network cut between two machines): `SELECT 1` then waits for TCP's
timeout just as the request's own query would. docs/deploy.md runs the database on the same
machine, where that cannot happen without the web going with it.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        pgconn = connection.pgconn
        if (
            self.errors_occurred  # after an error, ask the server whatever the socket says
            or pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
            or _readable(pgconn.socket)
        ):
            return super().is_usable()
        return True


def _readable(fd: int) -> bool:
    """True when the server has sent something (or closed the socket) since the last reply."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))  # POLLERR, POLLHUP and POLLNVAL are always reported too
