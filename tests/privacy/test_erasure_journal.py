"""The erasure journal names rows by id, organisation and creation time (core.erasure_journal):
a restore brings the id counters back, so an id handed out after the backup goes to somebody
else, and the replay must leave them alone."""

from __future__ import annotations

import json
import os
import stat

import pytest
from django.core.management import call_command

from frukost.contacts.models import Contact
from frukost.contacts.services import record_consent, withdraw_consent
from frukost.core import erasure_journal
from frukost.core.backups import restore
from frukost.events.models import Organisation
from frukost.privacy.selfservice import erase_registration, replay_erasure_journal
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db(transaction=True)


def _backup(tmp_path):
    call_command("backup", to=tmp_path / "backups")
    [backup] = sorted((tmp_path / "backups").glob("frukost-*"))
    return backup


def test_replay_after_a_restore_spares_whoever_got_an_erased_id_again(tmp_path, event, person):
    anna = register(event=event, person=person("anna@example.se")).registration
    backup = _backup(tmp_path)
    bo = register(event=event, person=person("bo@example.se", first_name="Bo")).registration
    erase_registration(registration=bo)
    erase_registration(registration=anna)

    restore(backup=backup)
    cia = register(event=event, person=person("cia@example.se", first_name="Cia")).registration
    assert cia.pk == bo.pk  # the restore brought the id counter back: Bo's id is Cia's now

    assert replay_erasure_journal() == (1, 0)
    assert replay_erasure_journal() == (0, 0)  # idempotent

    cia.refresh_from_db()
    assert (cia.email, cia.first_name, cia.anonymised_at, cia.status) == (
        "cia@example.se",
        "Cia",
        None,
        "registered",
    )
    assert Registration.objects.get(pk=anna.pk).email == ""  # erased again


def test_replay_after_a_restore_keeps_a_consent_that_got_a_withdrawn_id_again(tmp_path, event):
    organisation = event.organisation

    def consent(email):
        return record_consent(
            organisation=organisation, email=email, first_name="X", last_name="Y", text="Ja"
        )

    anna = consent("anna@example.se")
    backup = _backup(tmp_path)
    bo = consent("bo@example.se")
    withdraw_consent(organisation=organisation, email="bo@example.se")
    withdraw_consent(organisation=organisation, email="anna@example.se")

    restore(backup=backup)
    cia = consent("cia@example.se")
    assert cia.pk == bo.pk

    assert replay_erasure_journal() == (0, 1)
    assert replay_erasure_journal() == (0, 0)

    assert list(Contact.objects.values_list("pk", "email")) == [(cia.pk, "cia@example.se")]
    assert anna.pk != cia.pk


def test_a_repeat_consent_after_the_backup_does_not_keep_a_withdrawn_contact(tmp_path, event):
    organisation = event.organisation
    record_consent(
        organisation=organisation, email="anna@example.se", first_name="A", last_name="S", text="Ja"
    )
    backup = _backup(tmp_path)
    # Ticked again (consented_at moves), then withdrawn: the row is still the one in the backup.
    again = record_consent(
        organisation=organisation, email="anna@example.se", first_name="A", last_name="S", text="Ja"
    )
    assert again.consented_at > again.created_at
    withdraw_consent(organisation=organisation, email="anna@example.se")

    restore(backup=backup)

    assert replay_erasure_journal() == (0, 1)
    assert not Contact.objects.exists()


def test_replay_skips_a_row_of_another_organisation(event, person, settings):
    anna = register(event=event, person=person("anna@example.se")).registration
    other = Organisation.objects.create(name="Annan", slug="annan")
    line = {
        "at": "2029-04-01T10:00:00+00:00",
        "organisation": other.pk,
        "registrations": [{"id": anna.pk, "created": anna.created_at.isoformat()}],
        "contacts": [],
    }
    settings.FRUKOST_ERASURE_JOURNAL.write_text(json.dumps(line) + "\n")

    assert replay_erasure_journal() == (0, 0)
    assert Registration.objects.get(pk=anna.pk).email == "anna@example.se"

    line["organisation"] = event.organisation_id
    settings.FRUKOST_ERASURE_JOURNAL.write_text(json.dumps(line) + "\n")
    assert replay_erasure_journal() == (1, 0)


def test_a_line_that_does_not_name_its_rows_erases_nobody(event, person, settings):
    """A torn or hand-made line with bare ids says nothing about which row was meant: skipped."""
    anna = register(event=event, person=person("anna@example.se")).registration
    bare = {
        "at": "2029-04-02T10:00:00+00:00",
        "organisation": event.organisation_id,
        "registrations": [anna.pk],
    }
    lines = [json.dumps(bare), '{"at": "2029-04-02T10:00:00+00:00", "organ']
    settings.FRUKOST_ERASURE_JOURNAL.write_text("".join(line + "\n" for line in lines))

    assert replay_erasure_journal() == (0, 0)
    assert Registration.objects.get().email == "anna@example.se"


def test_replay_on_a_fresh_install_without_a_journal_does_nothing(event, person, settings, capsys):
    register(event=event, person=person("anna@example.se"))
    assert not settings.FRUKOST_ERASURE_JOURNAL.exists()

    call_command("replay_erasures")

    assert "0 registration(s) and 0 contact(s) erased again" in capsys.readouterr().out
    assert Registration.objects.get().email == "anna@example.se"
    assert not settings.FRUKOST_ERASURE_JOURNAL.exists()


def test_an_existing_journal_is_made_private_when_appended_to(settings):
    journal = settings.FRUKOST_ERASURE_JOURNAL
    journal.write_text("")
    os.chmod(journal, 0o644)

    erasure_journal.record(organisation_id=1, contacts=[])

    assert stat.S_IMODE(journal.stat().st_mode) == 0o600


def test_erasing_before_confirming_anonymises_the_held_colleagues_too(
    tmp_path, event_factory, person, colleague
):
    event = event_factory(confirm_email=True, max_colleagues=2)
    result = register(
        event=event,
        person=person("anna@example.se"),
        colleagues=[colleague("bo@example.se"), colleague("cia@example.se", first_name="Cia")],
    )
    anna = result.registration
    held = list(Registration.objects.filter(invited_by=anna).order_by("pk"))
    assert [g.invitation_held for g in held] == [True, True]
    backup = _backup(tmp_path)

    erase_registration(registration=anna)

    rows = Registration.objects.filter(invited_by=anna).order_by("pk")
    assert [(g.status, g.email, g.first_name, g.anonymised_at is not None) for g in rows] == [
        (Status.RELEASED, "", "", True),
        (Status.RELEASED, "", "", True),
    ]
    [line] = [
        json.loads(line)
        for line in erasure_journal.path().read_text().splitlines()
        if '"registrations": [{' in line
    ]
    assert [row["id"] for row in line["registrations"]] == [anna.pk, *(g.pk for g in held)]

    restore(backup=backup)
    assert Registration.objects.get(pk=held[0].pk).email == "bo@example.se"
    replay_erasure_journal()
    assert list(Registration.objects.order_by("pk").values_list("email", flat=True)) == ["", "", ""]
