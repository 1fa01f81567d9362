"""seats_taken_and_active, the registration form's one statement under the event lock: the seats
as seats_taken counts them and the address's active registration, each from its index."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from frukost.registrations.enums import ACTIVE_STATUSES, Status
from frukost.registrations.models import Registration
from frukost.registrations.services.seats import (
    _ACTIVE_EMAILS,
    _compiled_counts,
    active_emails,
    seats_taken,
    seats_taken_and_active,
)

pytestmark = pytest.mark.django_db


def _add(event, email: str, status: str, **fields) -> Registration:
    return Registration.objects.create(
        event=event, first_name="Anna", last_name="Svensson", email=email, status=status, **fields
    )


def test_counts_the_seats_as_seats_taken_and_finds_the_active_registration(event_factory):
    event, other = event_factory(), event_factory()
    registered = _add(event, "anna@example.se", Status.REGISTERED)
    _add(event, "bo@example.se", Status.WAITLISTED)  # in the queue: no seat
    offer = dt.datetime(2029, 5, 2, tzinfo=dt.UTC)
    offered = _add(event, "cilla@example.se", Status.WAITLISTED, offered_at=offer, offer_expires_at=offer)
    _add(event, "dan@example.se", Status.CANCELLED)
    _add(event, "", Status.REGISTERED)  # a walk-in who gave no address: a seat, never "the address"
    _add(other, "eva@example.se", Status.REGISTERED)

    assert seats_taken(event) == 3
    assert seats_taken_and_active(event, "anna@example.se") == (3, registered.pk)
    assert seats_taken_and_active(event, "cilla@example.se") == (3, offered.pk)  # waiting list: active
    assert seats_taken_and_active(event, "dan@example.se") == (3, None)  # cancelled: not active
    assert seats_taken_and_active(event, "eva@example.se") == (3, None)  # another event's
    assert seats_taken_and_active(event, "") == (3, None)
    assert seats_taken_and_active(other, "anna@example.se") == (1, None)
    assert seats_taken_and_active(event_factory(), "anna@example.se") == (0, None)  # nobody yet


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_the_count_reads_only_indexes_on_sqlite(event):
    sql, template = _compiled_counts(connection.vendor)
    params = [
        event.pk if p == -42_000_001 else "anna@example.se" if p == "\x00frukost-email\x00" else p
        for p in template
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())

    assert "USING COVERING INDEX registration_event_seats" in plan
    assert "USING INDEX one_active_registration_per_email" in plan


def test_active_emails_finds_the_addresses_the_orm_finds_active(event_factory):
    event, other = event_factory(), event_factory()
    _add(event, "anna@example.se", Status.REGISTERED)
    _add(event, "bo@example.se", Status.WAITLISTED)
    _add(event, "cilla@example.se", Status.CANCELLED)
    _add(other, "dan@example.se", Status.REGISTERED)
    named = ["anna@example.se", "bo@example.se", "cilla@example.se", "dan@example.se", "eva@example.se"]

    for addresses in (named, named[:1], named[2:], []):
        orm = Registration.objects.filter(event=event, email__in=addresses, status__in=ACTIVE_STATUSES)
        assert active_emails(event, addresses) == set(orm.values_list("email", flat=True))
    assert active_emails(event, named) == {"anna@example.se", "bo@example.se"}
    assert active_emails(other, named) == {"dan@example.se"}


def test_active_emails_is_one_statement(event, django_assert_num_queries):
    with django_assert_num_queries(1):
        active_emails(event, ["anna@example.se", "bo@example.se"])
    with django_assert_num_queries(0):
        assert active_emails(event, []) == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_active_emails_reads_the_partial_unique_index_on_sqlite(event):
    active_emails(event, ["anna@example.se", "bo@example.se"])
    sql = _ACTIVE_EMAILS[(connection.vendor, 2)]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", [event.pk, "anna@example.se", "bo@example.se"])
        plan = " | ".join(row[-1] for row in cursor.fetchall())

    assert "USING INDEX one_active_registration_per_email" in plan
