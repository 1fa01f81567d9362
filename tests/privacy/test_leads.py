"""A lead is personal data living by its own consent: in the person's data, erased with them, gone on its
date (FRUKOST_RETAIN_LEADS_MONTHS after the yes), and not brought back by a restored backup."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from frukost.contacts.models import Lead
from frukost.contacts.services import mark_contacted, record_lead, withdraw_lead
from frukost.core.models import AuditLog
from frukost.events.models import Organisation
from frukost.privacy.retention import run_retention
from frukost.privacy.selfservice import (
    erase_registration,
    personal_data,
    personal_data_of,
    replay_erasure_journal,
    with_personal_data,
)
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.privacy.test_retention_markers import found

pytestmark = pytest.mark.django_db


def marker(field: str) -> str:
    return f"zqlead{field}xq"


MARKERS = {marker(f) for f in ("first", "last", "email", "workplace", "title", "useful", "comment", "note")}


def yes(event, registration=None, email=None, **overrides):
    values = {
        "organisation": event.organisation,
        "event": event,
        "registration_id": registration.pk if registration else None,
        "first_name": marker("first"),
        "last_name": marker("last"),
        "email": email or f"{marker('email')}@example.se",
        "workplace": marker("workplace"),
        "job_title": marker("title"),
        "language": "sv",
        "kind": "colleague",
        "answers": {"rating": 5, "most_useful": marker("useful"), "comment": marker("comment")},
        "consent_text": "Ja, lokalombudet får kontakta mig.",
    }
    return record_lead(**(values | overrides))


def test_the_persons_data_shows_their_lead_alone_and_in_a_list_in_a_fixed_number_of_queries(
    event, person, staff_factory
):
    anna = register(event=event, person=person("anna@example.se")).registration
    register(event=event, person=person("bo@example.se", first_name="Bo"))
    lead = yes(event, anna, email="anna@example.se")
    mark_contacted(lead, actor=staff_factory("representative"), note="Ringde")

    with translation.override("sv"):
        alone = personal_data(anna)["sections"]["lead"]
        with CaptureQueriesContext(connection) as queries:
            listed = personal_data_of(with_personal_data(Registration.objects.order_by("email")))
        count = len(queries)

    values = {field["key"]: field["value"] for field in alone["fields"]}
    assert alone["title"] == "Kontakt från vårt lokalombud"
    assert (values["kind"], values["consent_text"], values["rating"], values["comment"], values["note"]) == (
        "Kollega som följde med",
        "Ja, lokalombudet får kontakta mig.",
        "5",
        marker("comment"),
        "Ringde",
    )
    assert values["contacted_at"] is not None
    assert [[f["key"] for f in r["lead"]["fields"]][:2] for r in listed["registrations"]] == [
        ["kind", "consented_at"],
        [],
    ]
    for n in range(5):
        register(event=event, person=person(f"p{n}@example.se"))
    with CaptureQueriesContext(connection) as more:
        personal_data_of(with_personal_data(Registration.objects.order_by("email")))
    assert len(more) == count


def test_erasing_ones_registration_withdraws_ones_leads_with_the_organisation(event, event_factory, person):
    anna = register(event=event, person=person("anna@example.se")).registration
    yes(event, anna, email="anna@example.se")
    yes(event_factory(), email="anna@example.se")
    other = event_factory(organisation=Organisation.objects.create(name="Vision", slug="vision"))
    theirs = yes(other, email="anna@example.se")

    erase_registration(registration=anna)

    assert list(Lead.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert AuditLog.objects.filter(action="lead.withdrawn").count() == 2


def test_a_lead_is_deleted_on_its_retention_date_and_not_before(event, frozen, staff_factory, settings):
    settings.FRUKOST_RETAIN_LEADS_MONTHS = 12
    frozen("2029-05-17 09:30")
    lead = yes(event)
    mark_contacted(lead, actor=staff_factory("representative"), note=marker("note"))
    assert found(MARKERS) == MARKERS  # the test can fail: every marker is stored at first

    # The registrations are anonymised 12 months after the event; the lead lives by its own yes.
    frozen("2030-05-16 03:00")
    assert run_retention(dry_run=True).totals["leads"] == 0
    call_command("retention", stdout=io.StringIO())
    assert found(MARKERS) == MARKERS

    frozen("2030-05-17 03:00")
    assert run_retention(dry_run=True).leads == {event.organisation_id: 1}
    out = io.StringIO()
    call_command("retention", stdout=out)

    assert found(MARKERS) == set()
    assert "leads (consents to be contacted) deleted: 1" in out.getvalue()
    entry = AuditLog.objects.filter(action="retention.ran", organisation_id=event.organisation_id).last()
    assert entry.data["leads"] == 1
    call_command("retention", stdout=io.StringIO())  # a second run changes nothing
    assert AuditLog.objects.filter(action="retention.ran", organisation_id=event.organisation_id).count() == 1


def test_on_a_months_last_day_leads_from_the_end_of_the_earlier_month_go_too(event, frozen, settings):
    settings.FRUKOST_RETAIN_LEADS_MONTHS = 1
    frozen("2029-01-31 10:00")
    yes(event)
    frozen("2029-02-27 03:00")
    assert run_retention(dry_run=True).totals["leads"] == 0

    frozen("2029-02-28 03:00")

    assert run_retention().totals["leads"] == 1
    assert Lead.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_does_not_bring_back_a_withdrawn_lead_and_spares_one_that_got_its_id(
    tmp_path, event
):
    from frukost.core.backups import restore

    kept = yes(event, email="anna@example.se")
    call_command("backup", to=tmp_path / "backups")
    [backup] = sorted((tmp_path / "backups").glob("frukost-*"))
    bo = yes(event, email="bo@example.se")
    withdraw_lead(organisation=event.organisation, email="bo@example.se")
    withdraw_lead(organisation=event.organisation, email="anna@example.se")

    restore(backup=backup)
    cia = yes(event, email="cia@example.se")
    assert cia.pk == bo.pk  # the restore brought the id counter back

    assert replay_erasure_journal() == (0, 1)
    assert replay_erasure_journal() == (0, 0)
    assert list(Lead.objects.values_list("email", flat=True)) == ["cia@example.se"]
    assert kept.pk != cia.pk
