"""lock_event_rules reads the rule fields of the locked event row through SQL built once per
process: what it returns must be what the ORM reads, and it must lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services.seats import (
    RULE_FIELDS,
    _prepared_rules_and_counts,
    lock_event_rules,
    lock_event_rules_and_count,
    seats_taken_and_active,
)
from tests.conftest import stockholm

pytestmark = pytest.mark.django_db


def test_lock_event_rules_reads_every_rule_field_as_the_orm_does(event_factory):
    event = event_factory(
        registration_deadline=dt.date(2029, 5, 2),
        registration_deadline_time=dt.time(16, 30),
        capacity=40,
        overbooking=3,
        max_colleagues=2,
        colleague_hold_hours=12,
        confirm_email=True,
    )
    stale = Event.objects.select_related("organisation").get(pk=event.pk)
    Event.objects.filter(pk=event.pk).update(
        status=EventStatus.CANCELLED,
        starts_at=stockholm(2029, 5, 16, 7, 45),
        registration_closed_at=stockholm(2029, 5, 20, 9, 15),
        capacity=41,
    )

    with transaction.atomic():
        locked = lock_event_rules(stale)

    fresh = Event.objects.get(pk=event.pk)
    assert {name: getattr(locked, name) for name in RULE_FIELDS} == {
        name: getattr(fresh, name) for name in RULE_FIELDS
    }
    assert (locked.status, locked.capacity, locked.overbooking) == (EventStatus.CANCELLED, 41, 3)
    assert locked.starts_at == stockholm(2029, 5, 16, 7, 45)
    assert locked.title == stale.title  # the rest as the page loaded it
    assert locked.organisation == stale.organisation
    assert stale.status == EventStatus.PUBLISHED  # a copy: the caller's event is left as it was


def test_lock_event_rules_locks_the_row_on_postgresql(event):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock_event_rules(event)

    (statement,) = [q["sql"] for q in queries.captured_queries if "events_event" in q["sql"]]
    assert statement.rstrip().upper().endswith("FOR UPDATE") == (connection.vendor == "postgresql")


@pytest.mark.django_db(transaction=True)
def test_lock_event_rules_refuses_to_run_outside_a_transaction(event):
    with pytest.raises(TransactionManagementError):
        lock_event_rules(event)


def test_lock_event_rules_of_a_deleted_event_raises_does_not_exist(event):
    stale = Event.objects.get(pk=event.pk)
    Event.objects.filter(pk=event.pk).delete()

    with pytest.raises(Event.DoesNotExist), transaction.atomic():
        lock_event_rules(stale)


def test_lock_event_rules_and_count_reads_what_the_two_statements_read(event_factory):
    event, other = event_factory(capacity=40), event_factory()
    stale = Event.objects.select_related("organisation").get(pk=event.pk)
    Event.objects.filter(pk=event.pk).update(
        capacity=41, registration_closed_at=stockholm(2029, 5, 20, 9, 15)
    )
    anna = _add(event, "anna@example.se", Status.REGISTERED)
    _add(event, "bo@example.se", Status.WAITLISTED)
    _add(event, "cilla@example.se", Status.CANCELLED)
    _add(other, "dan@example.se", Status.REGISTERED)

    for address, active in [
        ("anna@example.se", anna.pk),
        ("cilla@example.se", None),
        ("dan@example.se", None),
    ]:
        with transaction.atomic():
            locked, taken, found = lock_event_rules_and_count(stale, address)
            apart = lock_event_rules(stale)
            assert (taken, found) == seats_taken_and_active(apart, address) == (1, active)
        assert {name: getattr(locked, name) for name in RULE_FIELDS} == {
            name: getattr(apart, name) for name in RULE_FIELDS
        }
    assert (locked.capacity, locked.title, stale.capacity) == (41, stale.title, 40)


def test_lock_event_rules_and_count_is_one_statement_on_sqlite_and_locks_first_on_postgresql(event):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock_event_rules_and_count(event, "anna@example.se")

    statements = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "sqlite":
        assert len(statements) == 1
    else:
        # A count in the locking SELECT would read the snapshot from before the lock was granted.
        assert len(statements) == 2
        assert statements[0].rstrip().upper().endswith("FOR UPDATE")
        assert "COUNT(*)" in statements[1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_lock_event_rules_and_count_reads_the_counts_from_indexes_on_sqlite(event):
    _compiler, sql, template, _converters = _prepared_rules_and_counts(connections[DEFAULT_DB_ALIAS])
    params = [
        event.pk if p == -42_000_001 else "anna@example.se" if p == "\x00frukost-email\x00" else p
        for p in template
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())

    assert "USING COVERING INDEX registration_event_seats" in plan
    assert "USING INDEX one_active_registration_per_email" in plan
    assert "USING INTEGER PRIMARY KEY" in plan


@pytest.mark.django_db(transaction=True)
def test_lock_event_rules_and_count_refuses_to_run_outside_a_transaction(event):
    with pytest.raises(TransactionManagementError):
        lock_event_rules_and_count(event, "anna@example.se")


def _add(event, email: str, status: str) -> Registration:
    return Registration.objects.create(
        event=event, first_name="Anna", last_name="Svensson", email=email, status=status
    )
