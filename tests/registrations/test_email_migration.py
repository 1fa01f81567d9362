"""The data migration that stores existing addresses' domains in their IDNA form."""

import importlib

import pytest
from django.apps import apps

from frukost.registrations.enums import Status
from frukost.registrations.models import Registration

pytestmark = pytest.mark.django_db

migration = importlib.import_module("frukost.registrations.migrations.0005_email_domains_idna")


def test_existing_unicode_domains_become_idna_unless_that_would_clash(event_factory):
    event = event_factory()
    other = event_factory()
    rows = [
        Registration(event=event, email="alice@exämple.org"),
        Registration(event=other, email="bob@exämple.org"),
        Registration(event=other, email="bob@xn--exmple-cua.org"),
        Registration(event=event, email="cia@exämple.org", status=Status.CANCELLED),
        Registration(event=event, email="cia@xn--exmple-cua.org"),
    ]
    Registration.objects.bulk_create(rows)  # as stored before: bulk_create skips save()

    migration.forwards(apps, None)

    assert sorted(Registration.objects.values_list("event_id", "email", "status")) == sorted(
        [
            (event.pk, "alice@xn--exmple-cua.org", Status.REGISTERED),
            (other.pk, "bob@exämple.org", Status.REGISTERED),  # would clash: left for the organiser
            (other.pk, "bob@xn--exmple-cua.org", Status.REGISTERED),
            (event.pk, "cia@xn--exmple-cua.org", Status.CANCELLED),
            (event.pk, "cia@xn--exmple-cua.org", Status.REGISTERED),
        ]
    )
