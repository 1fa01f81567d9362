import os
import subprocess
import sys

import pytest

from frukost.config import ConfigurationError, env, env_bool


def _settings_in_subprocess(environment: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FRUKOST_") and k != "DATABASE_URL"}
    clean.update(environment)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import frukost.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.ALLOWED_HOSTS)",
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _settings_in_subprocess({"FRUKOST_DATA_DIR": str(tmp_path)})

    assert result.returncode != 0
    assert "FRUKOST_SECRET_KEY is required" in result.stderr


def test_production_defaults_are_secure(tmp_path):
    result = _settings_in_subprocess({"FRUKOST_DATA_DIR": str(tmp_path), "FRUKOST_SECRET_KEY": "x" * 50})

    assert result.stdout.strip() == "False True []"


def test_secret_can_come_from_a_file(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("FRUKOST_TEST_SECRET_FILE", str(secret))

    assert env("FRUKOST_TEST_SECRET") == "from-a-file"


def test_boolean_settings_refuse_nonsense(monkeypatch):
    monkeypatch.setenv("FRUKOST_TEST_FLAG", "maybe")

    with pytest.raises(ConfigurationError):
        env_bool("FRUKOST_TEST_FLAG")


def test_frukost_command_runs_django_commands(tmp_path):
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "frukost"), "check"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "frukost.settings",
            "FRUKOST_DEBUG": "1",
            "FRUKOST_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
