"""`frukost check --deploy` as an operator runs it: clean with production settings, and frukost's own
checks name what would break the site (links to 127.0.0.1, SMTP in clear, the development key)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRUKOST = Path(sys.executable).parent / "frukost"

PRODUCTION = {
    "FRUKOST_SECRET_KEY": secrets.token_urlsafe(50),
    "FRUKOST_BASE_URL": "https://frukost.example.se",
    "FRUKOST_ALLOWED_HOSTS": "frukost.example.se",
    "FRUKOST_BEHIND_PROXY": "1",
    "FRUKOST_SMTP_HOST": "smtp.example.se",
    "FRUKOST_OPERATOR_EMAIL": "drift@example.se",
    "FRUKOST_OPERATOR_NAME": "Driftbolaget AB",
}


def _check_deploy(tmp_path: Path, **changes: str | None) -> subprocess.CompletedProcess:
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "FRUKOST_DATA_DIR": str(tmp_path),
    }
    environment.update(PRODUCTION)
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [str(FRUKOST), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _ids(result: subprocess.CompletedProcess) -> list[str]:
    return sorted(
        line.split("(", 1)[1].split(")", 1)[0]
        for line in result.stderr.splitlines()
        if line.startswith("?: (")
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _check_deploy(tmp_path)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (3 silenced).\n"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"FRUKOST_BASE_URL": None}, ["frukost.E001"]),
        ({"FRUKOST_BASE_URL": "http://frukost.example.se"}, ["frukost.E002"]),
        ({"FRUKOST_BASE_URL": "https://anmalan.example.se"}, ["frukost.E003"]),
        ({"FRUKOST_SMTP_HOST": None}, ["frukost.W001"]),
        ({"FRUKOST_SMTP_TLS": "off"}, ["frukost.W002"]),
        ({"FRUKOST_OPERATOR_EMAIL": None}, ["frukost.W003"]),
        ({"FRUKOST_OPERATOR_NAME": None}, ["frukost.W004"]),
        ({"FRUKOST_OPERATOR_NAME": "  "}, ["frukost.W004"]),
        ({"FRUKOST_HSTS_SECONDS": "0"}, ["security.W004"]),
    ],
)
def test_check_deploy_names_what_is_wrong(tmp_path, changes, expected):
    result = _check_deploy(tmp_path, **changes)

    assert result.returncode == 1
    assert _ids(result) == expected


def test_check_deploy_refuses_the_development_key(tmp_path):
    result = _check_deploy(tmp_path, FRUKOST_SECRET_KEY=None, FRUKOST_TESTING="1")

    assert "frukost.E004" in _ids(result)


def test_check_deploy_message_says_where_mail_would_link(tmp_path):
    result = _check_deploy(tmp_path, FRUKOST_BASE_URL=None)

    assert (
        "(frukost.E001) FRUKOST_BASE_URL is not set: every e-mail would link to http://127.0.0.1:8000."
        in result.stderr
    )
