"""Settings as production reads them (a fresh process): HSTS, SMTP TLS, a private data directory."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from frukost.config import ConfigurationError, smtp_tls
from tests.core.processes import production_environment, run_python

ROOT = Path(__file__).resolve().parents[2]


def _setting(tmp_path: Path, expression: str, **environment: str) -> str:
    clean = production_environment(tmp_path, **environment)
    return run_python(f"import frukost.settings as s; print({expression})", clean, timeout=60).strip()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "31536000 False"),
        ({"FRUKOST_DEBUG": "1"}, "0 False"),
        ({"FRUKOST_TESTING": "1"}, "0 False"),
        ({"FRUKOST_HSTS_SECONDS": "600", "FRUKOST_HSTS_INCLUDE_SUBDOMAINS": "1"}, "600 True"),
    ],
)
def test_hsts_is_a_year_in_production_and_off_in_development(tmp_path, environment, expected):
    assert (
        _setting(tmp_path, "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS", **environment)
        == expected
    )


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "True False"),  # 587: STARTTLS
        ({"FRUKOST_SMTP_PORT": "25"}, "True False"),  # any other port: STARTTLS too, never clear
        ({"FRUKOST_SMTP_PORT": "2525"}, "True False"),
        ({"FRUKOST_SMTP_PORT": "465"}, "False True"),  # implicit TLS
        ({"FRUKOST_SMTP_PORT": "2465", "FRUKOST_SMTP_TLS": "ssl"}, "False True"),
        ({"FRUKOST_SMTP_PORT": "25", "FRUKOST_SMTP_TLS": "off"}, "False False"),
    ],
)
def test_smtp_uses_tls_unless_turned_off(tmp_path, environment, expected):
    assert _setting(tmp_path, "s.EMAIL_USE_TLS, s.EMAIL_USE_SSL", **environment) == expected


def test_smtp_tls_refuses_nonsense():
    with pytest.raises(ConfigurationError, match="FRUKOST_SMTP_TLS must be on, starttls, ssl or off"):
        smtp_tls("maybe", port=587)


def test_retired_smtp_variables_are_refused_not_ignored(monkeypatch):
    monkeypatch.setenv("FRUKOST_SMTP_STARTTLS", "0")

    with pytest.raises(ConfigurationError, match="FRUKOST_SMTP_STARTTLS is replaced by FRUKOST_SMTP_TLS"):
        smtp_tls("on", port=25)


def test_data_directory_and_database_are_private_to_the_service(tmp_path):
    clean = production_environment(tmp_path)
    frukost = Path(sys.executable).parent / "frukost"
    # As a shell with the usual umask 022 would start it.
    result = subprocess.run(
        ["sh", "-c", f"umask 022 && exec {frukost} migrate --no-input"],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    data = tmp_path / "var"
    assert stat.S_IMODE(data.stat().st_mode) == 0o750
    assert stat.S_IMODE((data / "static").stat().st_mode) == 0o750
    database_files = sorted(data.glob("frukost.sqlite3*"))
    assert database_files
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in database_files} == {
        path.name: 0o640 for path in database_files
    }


def test_postgresql_prepares_frequent_statements_unless_a_pooler_needs_it_off(tmp_path):
    url = "postgres://frukost@db.example/frukost?sslmode=require"
    options = "sorted(s.DATABASES['default']['OPTIONS'].items())"

    assert _setting(tmp_path, options, DATABASE_URL=url) == (
        "[('prepare_threshold', 5), ('server_side_binding', True), ('sslmode', 'require')]"
    )
    assert _setting(tmp_path, options, DATABASE_URL=url, FRUKOST_DB_PREPARE_THRESHOLD="0") == (
        "[('prepare_threshold', None), ('server_side_binding', True), ('sslmode', 'require')]"
    )
