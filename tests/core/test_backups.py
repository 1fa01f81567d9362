"""`frukost backup` and `frukost restore` as the nightly timer and an operator run them: a real copy
that can be restored, loud failures, old copies removed (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from frukost.events.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
FRUKOST = Path(sys.executable).parent / "frukost"


def test_backup_then_restore_brings_back_the_data(tmp_path, organisation, capsys):
    call_command("backup", to=tmp_path)
    [backup] = sorted(tmp_path.glob("frukost-*"))
    Organisation.objects.create(name="Efter säkerhetskopian", slug="efter")
    organisation.delete()

    call_command("restore", str(backup), no_input=True)

    assert list(Organisation.objects.values_list("slug", flat=True)) == ["akademikerforbundet-ssr"]
    assert backup.suffix == (".sqlite3" if connection.vendor == "sqlite" else ".dump")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert f"wrote {backup}" in capsys.readouterr().out


def test_backup_removes_only_its_own_old_copies(tmp_path, organisation):
    old = tmp_path / "frukost-2020-01-01-031500.sqlite3"
    old.write_bytes(b"old")
    os.utime(old, (0, 0))
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("keep")
    os.utime(unrelated, (0, 0))

    call_command("backup", to=tmp_path, keep_days=30)

    assert not old.exists()
    assert unrelated.exists()
    assert len(list(tmp_path.glob("frukost-*"))) == 1


def test_restore_refuses_a_file_for_the_other_database(tmp_path):
    wrong = tmp_path / ("frukost-x.dump" if connection.vendor == "sqlite" else "frukost-x.sqlite3")
    wrong.write_bytes(b"x")

    with pytest.raises(CommandError, match="restore failed: .* is not a"):
        call_command("restore", str(wrong), no_input=True)


def _frukost(tmp_path: Path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "frukost.settings",
        "FRUKOST_SECRET_KEY": "k" * 50,
        "FRUKOST_DATA_DIR": str(tmp_path / "var"),
        **environment,
    }
    return subprocess.run(
        [str(FRUKOST), *args], cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=120
    )


def test_backup_of_a_missing_sqlite_database_fails_and_creates_nothing(tmp_path):
    result = _frukost(tmp_path, "backup", "--to", str(tmp_path / "backups"))

    assert result.returncode == 1
    assert "backup failed: the database file" in result.stderr
    assert "does not exist" in result.stderr
    assert not (tmp_path / "var" / "frukost.sqlite3").exists()
    assert list((tmp_path / "backups").iterdir()) == []


def test_backup_with_database_url_file_uses_postgresql_and_fails_loudly(tmp_path):
    url_file = tmp_path / "database_url"
    url_file.write_text("postgres://postgres@127.0.0.1:5432/frukost_no_such_database\n")

    result = _frukost(tmp_path, "backup", "--to", str(tmp_path / "backups"), DATABASE_URL_FILE=str(url_file))

    assert result.returncode == 1
    # pg_dump's own reason follows (no such database here; no server or no pg_dump elsewhere).
    assert "backup failed: pg_dump" in result.stderr
    assert list((tmp_path / "backups").iterdir()) == []
    assert not (tmp_path / "var" / "frukost.sqlite3").exists()


def test_backup_and_restore_through_the_command_line_on_sqlite(tmp_path):
    assert _frukost(tmp_path, "migrate", "--no-input").returncode == 0
    make = "from frukost.events.models import Organisation as O; O.objects.create(name='A', slug='a')"
    assert _frukost(tmp_path, "shell", "-c", make).returncode == 0

    backed_up = _frukost(tmp_path, "backup", "--to", str(tmp_path / "backups"))
    [backup] = (tmp_path / "backups").glob("frukost-*.sqlite3")
    drop = "from frukost.events.models import Organisation as O; O.objects.all().delete()"
    assert _frukost(tmp_path, "shell", "-c", drop).returncode == 0
    restored = _frukost(tmp_path, "restore", str(backup), "--no-input")
    count = _frukost(
        tmp_path,
        "shell",
        "-c",
        "from frukost.events.models import Organisation as O; print(O.objects.count())",
    )

    assert (backed_up.returncode, restored.returncode) == (0, 0), (backed_up.stderr, restored.stderr)
    assert count.stdout.splitlines()[-1] == "1"


def test_restore_asks_first_and_does_nothing_without_yes(tmp_path, organisation, monkeypatch):
    call_command("backup", to=tmp_path)
    [backup] = sorted(tmp_path.glob("frukost-*"))
    Organisation.objects.create(name="Efter säkerhetskopian", slug="efter")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="nothing restored"):
        call_command("restore", str(backup))

    assert Organisation.objects.filter(slug="efter").exists()


def test_backup_copies_the_uploads(tmp_path, settings, organisation):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "logo.svg").write_text("<svg/>")

    call_command("backup", to=tmp_path / "backups")

    [archive] = (tmp_path / "backups").glob("uploads-*.tar.gz")
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["uploads", "uploads/logo.svg"]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


def test_an_erasure_after_the_backup_is_replayed_after_restoring_it(tmp_path, event, person, settings):
    import json

    from frukost.contacts.models import Contact
    from frukost.contacts.services import withdraw_consent
    from frukost.privacy.selfservice import erase_registration
    from frukost.registrations.models import Registration
    from frukost.registrations.services import register

    anna = register(event=event, person=person("anna@example.se", wants_future_invitations=True)).registration
    bo = register(event=event, person=person("bo@example.se", wants_future_invitations=True)).registration
    assert Contact.objects.count() == 2
    call_command("backup", to=tmp_path / "backups")
    [backup] = sorted((tmp_path / "backups").glob("frukost-*"))
    erase_registration(registration=anna)
    withdraw_consent(organisation=event.organisation, email="bo@example.se")
    journal = settings.FRUKOST_ERASURE_JOURNAL
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert "anna" not in journal.read_text() and "bo@" not in journal.read_text()  # ids only
    assert [[row["id"] for row in line["registrations"]] for line in lines if line["registrations"]] == [
        [anna.pk]
    ]

    from frukost.core.backups import restore

    restore(backup=backup)
    assert Registration.objects.get(pk=anna.pk).email == "anna@example.se"  # back with the backup
    assert Contact.objects.count() == 2

    call_command("replay_erasures")
    call_command("replay_erasures")  # twice changes nothing

    anna_row = Registration.objects.get(pk=anna.pk)
    assert (anna_row.email, anna_row.first_name, anna_row.anonymised_at is not None) == ("", "", True)
    assert anna_row.status == "cancelled"  # before the event: cancelled first, as the first time
    assert not Contact.objects.exists()
    assert Registration.objects.get(pk=bo.pk).wants_future_invitations is False
    assert Registration.objects.get(pk=bo.pk).email == "bo@example.se"  # only the consent was withdrawn


def test_restore_replays_the_erasure_journal_by_itself(tmp_path, event, person, capsys):
    from frukost.privacy.selfservice import erase_registration
    from frukost.registrations.models import Registration
    from frukost.registrations.services import register

    anna = register(event=event, person=person("anna@example.se")).registration
    call_command("backup", to=tmp_path / "backups")
    [backup] = sorted((tmp_path / "backups").glob("frukost-*"))
    erase_registration(registration=anna)

    call_command("restore", str(backup), no_input=True)

    assert Registration.objects.get(pk=anna.pk).email == ""
    assert "1 registration(s) and 0 contact(s) erased again" in capsys.readouterr().out


def test_an_erasure_whose_journal_cannot_be_written_still_erases_and_logs_the_line(
    tmp_path, event, person, settings, caplog
):
    from frukost.privacy.selfservice import erase_registration
    from frukost.registrations.services import register

    (tmp_path / "not-a-directory").write_text("")
    settings.FRUKOST_ERASURE_JOURNAL = tmp_path / "not-a-directory" / "erasures.log"
    anna = register(event=event, person=person("anna@example.se")).registration

    assert erase_registration(registration=anna).email == ""
    assert f'"registrations": [{{"id": {anna.pk}, "created": "' in caplog.text
    assert "anna@" not in caplog.text
