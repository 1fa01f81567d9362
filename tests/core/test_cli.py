"""The `frukost` console script as a person on a fresh clone runs it: configuration errors are
one line, and commands that sign nothing need no secret key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from frukost.cli import signs_nothing

ROOT = Path(__file__).resolve().parents[2]
FRUKOST = Path(sys.executable).parent / "frukost"
INVITATION = ROOT / "src/frukost/importer/data/chefsfrukost-leda-med-tillit.txt"
NO_SECRET = (
    "frukost: FRUKOST_SECRET_KEY is required when FRUKOST_DEBUG is off: set it (or FRUKOST_SECRET_KEY_FILE) "
    "to a long random string (see docs/configuration.md)\n"
)


def _frukost(tmp_path: Path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    """Run the console script in a clean environment: no FRUKOST_DEBUG, FRUKOST_TESTING or secret."""
    clean = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),  # this checkout's code, whichever the venv was installed from
        "FRUKOST_DATA_DIR": str(tmp_path / "var"),
        **environment,
    }
    return subprocess.run(
        [str(FRUKOST), *args], cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=120
    )


def test_import_invitation_json_runs_without_a_secret_key(tmp_path):
    result = _frukost(tmp_path, "import-invitation", str(INVITATION), "--json", "--today", "2029-04-01")

    assert (result.returncode, result.stderr) == (0, "")
    facts = json.loads(result.stdout)
    assert (facts["title"], facts["starts_at"]) == (
        "Chefsfrukost: Leda med tillit",
        "2029-05-16T08:00:00+02:00",
    )


@pytest.mark.parametrize("args", [("serve",), ("worker", "--once"), ("migrate",), ("check",), ("dev",)])
def test_command_that_needs_the_secret_key_says_so_in_one_line(tmp_path, args):
    result = _frukost(tmp_path, *args)

    assert (result.returncode, result.stdout, result.stderr) == (2, "", NO_SECRET)


@pytest.mark.parametrize("args", [("help",), ("--help",), ("version",), ("serve", "--help")])
def test_help_and_version_run_without_a_secret_key(tmp_path, args):
    result = _frukost(tmp_path, *args)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() != ""


@pytest.mark.parametrize(
    ("environment", "line"),
    [
        ({"FRUKOST_SMTP_PORT": "abc"}, "FRUKOST_SMTP_PORT must be a whole number, not 'abc'"),
        ({"FRUKOST_DEBUG": "maybe"}, "FRUKOST_DEBUG must be 1/0, true/false, yes/no or on/off, not 'maybe'"),
        ({"FRUKOST_PORT": "http"}, "FRUKOST_PORT must be a whole number, not 'http'"),
    ],
    ids=["smtp-port", "debug", "serve-port"],
)
def test_malformed_setting_is_one_line(tmp_path, environment, line):
    result = _frukost(tmp_path, "serve", FRUKOST_SECRET_KEY="x" * 50, **environment)

    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"frukost: {line} (see docs/configuration.md)\n",
    )


def test_missing_secret_file_is_one_line(tmp_path):
    missing = tmp_path / "no-such-secret"

    result = _frukost(tmp_path, "migrate", FRUKOST_SECRET_KEY_FILE=str(missing))

    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"frukost: FRUKOST_SECRET_KEY_FILE: cannot read {missing}: No such file or directory"
        " (see docs/configuration.md)\n",
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], True),
        (["help"], True),
        (["import_invitation", "-", "--json"], True),
        (["worker", "--help"], True),
        (["serve"], False),
        (["dev"], False),
        (["worker"], False),
        (["migrate"], False),
        (["shell"], False),
        (["--settings=frukost.settings", "import_invitation"], False),
    ],
)
def test_signs_nothing_only_for_help_and_commands_that_sign_nothing(args, expected):
    assert signs_nothing(args) is expected
