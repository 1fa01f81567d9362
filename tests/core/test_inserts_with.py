"""core.inserts.insert_with writes a row and one that refers to it (the registration and its
"registration.created" entry) as the two insert()s write them: on PostgreSQL in one statement
(issue 10: PostgreSQL's work per registration; benchmarks/README.md, "Eighth pass")."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from frukost.core.inserts import insert, insert_with
from frukost.core.models import AuditLog
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration

pytestmark = pytest.mark.django_db


def _pair(event, email: str) -> tuple[Registration, AuditLog]:
    registration = Registration(
        event=event, first_name="Anna", last_name="Svensson", email=email, status=Status.REGISTERED
    )
    entry = AuditLog(
        action="registration.created", organisation_id=event.organisation_id, event_id=event.pk, data={"a": 1}
    )
    return registration, entry


def _row(model, pk) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    for key in ("id", "at", "created_at", "email", "registration_id"):
        row.pop(key, None)
    return row


def test_a_registration_and_its_entry_are_one_statement_on_postgresql_and_stored_as_two_inserts_store_them(
    event,
):
    plain_registration, plain_entry = _pair(event, "anna@example.se")
    insert(plain_registration)
    plain_entry.registration_id = plain_registration.pk
    insert(plain_entry)
    registration, entry = _pair(event, "bo@example.se")

    with CaptureQueriesContext(connection) as queries:
        insert_with(registration, entry, field="registration_id")

    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert registration.pk is not None and entry.pk is not None
    assert entry.registration_id == registration.pk
    assert AuditLog.objects.get(pk=entry.pk).registration_id == registration.pk
    assert not registration._state.adding and not entry._state.adding
    assert _row(Registration, registration.pk) == _row(Registration, plain_registration.pk)
    assert _row(AuditLog, entry.pk) == _row(AuditLog, plain_entry.pk)


def test_a_registration_that_breaks_a_constraint_stores_no_entry(event):
    # The second active registration for one address (the partial unique constraint): the
    # IntegrityError of the registration's INSERT, and its entry not written either.
    first, first_entry = _pair(event, "anna@example.se")
    insert_with(first, first_entry, field="registration_id")
    second, second_entry = _pair(event, "anna@example.se")

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_with(second, second_entry, field="registration_id")

    assert list(AuditLog.objects.values_list("registration_id", flat=True)) == [first.pk]
    assert Registration.objects.filter(email="anna@example.se").count() == 1
    assert second.pk is None and second_entry.pk is None
