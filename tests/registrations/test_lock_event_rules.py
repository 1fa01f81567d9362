"""lock_event_rules reads the rule fields of the locked event row through SQL built once per
process: what it returns must be what the ORM reads, and it must lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.registrations.services.seats import RULE_FIELDS, lock_event_rules
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
