"""Issue 3's acceptance: each sample invitation, read on 2026-11-26, gives exactly the values
in expected.json (copies kept here: the project never reads ../shared)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.importer.conftest import DATA

EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
INVITATIONS = sorted(name for name in EXPECTED if not name.startswith("_"))
JSON_KEYS = [
    "title",
    "host_name",
    "host_role",
    "starts_at",
    "ends_at",
    "doors_at",
    "venue_name",
    "street_address",
    "postal_code",
    "city",
    "online",
    "registration_deadline",
    "contact_name",
    "contact_email",
    "contact_phone",
    "warnings",
]
FRUKOST = Path(sys.executable).with_name("frukost")
REPOSITORY = Path(__file__).resolve().parents[2]


def import_json(path: Path) -> dict:
    out = io.StringIO()
    call_command("import_invitation", str(path), "--today", EXPECTED["_today"], "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("name", INVITATIONS)
def test_import_invitation_prints_expected_values(name):
    printed = import_json(DATA / name)

    assert {key: printed[key] for key in EXPECTED[name]} == EXPECTED[name]


def test_import_invitation_every_sample_has_expectations():
    assert sorted(path.name for path in DATA.glob("*.txt")) == INVITATIONS


@pytest.mark.parametrize("name", INVITATIONS)
def test_import_invitation_json_has_exactly_the_flat_keys(name):
    assert list(import_json(DATA / name)) == JSON_KEYS


def console_environment(data_dir: Path) -> dict:
    """The environment of a person running `frukost` in a shell (no test settings)."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "frukost.settings",
        "FRUKOST_TESTING": "1",
        "FRUKOST_DATA_DIR": str(data_dir),
    }


def test_import_invitation_console_script_with_hyphen_prints_json(tmp_path):
    name = "chefsfrukost-leda-med-tillit.txt"

    result = subprocess.run(
        [FRUKOST, "import-invitation", DATA / name, "--today", "2026-11-26", "--json"],
        capture_output=True,
        cwd=REPOSITORY,
        env=console_environment(tmp_path),
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert {key: printed[key] for key in EXPECTED[name]} == EXPECTED[name]


def test_import_invitation_console_script_exits_2_for_binary_input(tmp_path):
    binary = tmp_path / "invitation.docx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")

    result = subprocess.run(
        [FRUKOST, "import-invitation", binary, "--json"],
        capture_output=True,
        cwd=REPOSITORY,
        env=console_environment(tmp_path),
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert b"not text" in result.stderr
    assert result.stdout == b""
