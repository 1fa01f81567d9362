"""The outbox's partial indexes (mail 0012) serve the queries that look for their rows: the
worker's claim and bulk check, the stuck messages, an announcement's or an invitation's
messages. On PostgreSQL, with sequential scans priced out, as a prepared statement's generic
plan where the query's values are parameters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection, connections, transaction
from psycopg.sql import Literal as sql_literal

from frukost.mail.enums import MailKind, MessageStatus, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import _statements

START = dt.datetime(2029, 4, 2, 9, 0, tzinfo=dt.UTC)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans"),
]


TYPES = {dt.datetime: "timestamptz", int: "bigint", str: "text"}


def _plan(sql: str, params=(), *, generic: bool = False) -> str:
    """EXPLAIN of sql; with generic, of the plan PostgreSQL keeps for it once prepared."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not generic:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        numbered = iter(range(1, len(params) + 1))
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        types = [next(name for kind, name in TYPES.items() if isinstance(value, kind)) for value in params]
        cursor.execute(
            f"PREPARE outbox_index_test ({', '.join(types)}) AS "
            + re.sub("%s", lambda _: f"${next(numbered)}", sql)
        )
        try:
            # A utility statement takes no parameters: the test's own values, quoted by psycopg.
            values = ", ".join(sql_literal(str(value)).as_string(connection.connection) for value in params)
            cursor.execute(f"EXPLAIN EXECUTE outbox_index_test({values})")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE outbox_index_test")


def _queryset_plan(queryset, *, generic: bool = True) -> str:
    sql, params = queryset.query.sql_with_params()
    return _plan(sql, params, generic=generic)


def test_the_claim_and_the_bulk_check_read_the_queued_messages_index():
    statements = _statements(connections["default"])

    claim = _plan(statements.claim[False, True], {"limit": 10})
    bulk_due = _plan(statements.bulk_due[True])

    assert "Index Scan using outbox_due on mail_outboxmessage" in claim
    assert "outbox_due" in bulk_due


def test_the_stuck_messages_are_found_from_the_sending_index():
    stuck = OutboxMessage.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=START)

    # Values bound (what requeue_stuck runs, once a minute, planned with its values).
    assert "outbox_sending" in _queryset_plan(stuck, generic=False)


def test_an_announcements_and_an_invitations_messages_are_found_from_their_indexes():
    one = OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT, batch_id=7)
    several = OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT, batch_id__in=[7, 8])
    invitations = OutboxMessage.objects.filter(
        kind__in=[MailKind.INVITATION, MailKind.INVITATION_REMINDER], ref_id__in=[3, 4]
    )

    assert "outbox_batch" in _queryset_plan(one)
    assert "outbox_batch" in _queryset_plan(several)
    assert "outbox_ref" in _queryset_plan(invitations)


def test_the_bulk_rate_count_keeps_its_index():
    recent = OutboxMessage.objects.filter(priority__gte=Priority.BULK, claimed_at__gt=START)

    assert "outbox_claimed_by_priority" in _queryset_plan(recent)
