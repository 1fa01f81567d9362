"""The data migration that gives audit entries written before the column their organisation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from frukost.events.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("core", "0002_audit_log_organisation")]
AFTER = [("core", "0003_backfill_audit_log_organisation")]


@pytest.fixture(autouse=True)
def _migrated_again_afterwards():
    """Going back to 0002 drops every later table (core's rate counters, daily runs): the tests
    after this one (the real server in test_serve_logs) need the whole schema back."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_backfill_sets_organisation_from_the_event_and_from_the_data(event):
    other = Organisation.objects.create(name="Vision", slug="vision")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("core", "AuditLog")
    about_event = old.objects.create(action="registration.created", event_id=event.pk)
    about_member = old.objects.create(
        action="member.added", data={"organisation_id": other.pk, "role": "owner"}
    )
    about_nothing = old.objects.create(action="system.started")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps.get_model("core", "AuditLog")
    found = dict(
        new.objects.filter(pk__in=[about_event.pk, about_member.pk, about_nothing.pk]).values_list(
            "pk", "organisation_id"
        )
    )
    assert found == {about_event.pk: event.organisation_id, about_member.pk: other.pk, about_nothing.pk: None}
