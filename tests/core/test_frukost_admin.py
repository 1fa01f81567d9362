"""deploy/frukost-admin, the operator's wrapper: relative paths still work, and an environment file
written by the quoting rule of docs/deploy.md means the same to sh as to systemd."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "deploy/frukost-admin"
INVITATION = ROOT / "src/frukost/importer/data/chefsfrukost-leda-med-tillit.txt"


def _wrapper(tmp_path: Path, *args: str, cwd: Path, env_file: str) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    # Stands in for sudo: drops "-u frukost" (the test runs as whoever runs the suite).
    fake_sudo = bin_dir / "sudo"
    fake_sudo.write_text('#!/bin/sh\n[ "$1" = -u ] && shift 2\nexec "$@"\n')
    fake_sudo.chmod(0o755)
    service_dir = tmp_path / "service"
    service_dir.mkdir(exist_ok=True)
    environment_file = tmp_path / "frukost.env"
    environment_file.write_text(env_file)
    return subprocess.run(
        [str(WRAPPER), *args],
        cwd=cwd,
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "PYTHONPATH": str(ROOT / "src"),
            "FRUKOST_ENV_FILE": str(environment_file),
            "FRUKOST_COMMAND": str(Path(sys.executable).parent / "frukost"),
            "FRUKOST_SERVICE_DIR": str(service_dir),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_wrapper_resolves_a_path_relative_to_where_the_operator_is(tmp_path):
    here = tmp_path / "home"
    here.mkdir()
    (here / "invitation.txt").write_text(INVITATION.read_text())

    result = _wrapper(
        tmp_path,
        "import-invitation",
        "invitation.txt",
        "--json",
        "--today",
        "2029-04-01",
        cwd=here,
        env_file=f"FRUKOST_DATA_DIR={tmp_path / 'var'}\n",
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["title"] == "Chefsfrukost: Leda med tillit"


def test_single_quoted_values_reach_the_command_unchanged(tmp_path):
    # The quoting rule: special characters (& $ spaces < > ; #) in single quotes. sh then reads
    # the value literally, as systemd's EnvironmentFile= does.
    value = "Fack & Förbund $HOME <frukost@example.se>; #1"
    show = "import os; print(os.environ['FRUKOST_FROM_EMAIL'])"

    result = _wrapper(
        tmp_path,
        "shell",
        "-c",
        show,
        cwd=tmp_path,
        env_file=(
            "# a comment on its own line\n"
            f"FRUKOST_DATA_DIR={tmp_path / 'var'}\n"
            "FRUKOST_DEBUG=1\n"
            f"FRUKOST_FROM_EMAIL='{value}'\n"
        ),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == value
