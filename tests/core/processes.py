"""A fresh Python process in production settings, for the tests that must see what a server sees.

What a worker imports, freezes or reads from its environment cannot be tested inside the test
process (the suite's own settings and imports are already there). These run a script in a new
interpreter with a clean environment: this checkout's code, production settings, a data directory
of the test's own, nothing of FRUKOST_DEBUG or FRUKOST_TESTING.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def production_environment(tmp_path: Path, **environment: str) -> dict[str, str]:
    """The environment of a production process whose data directory is under tmp_path."""
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),  # this checkout's code, whichever the venv was installed from
        "DJANGO_SETTINGS_MODULE": "frukost.settings",
        "FRUKOST_DATA_DIR": str(tmp_path / "var"),
        "FRUKOST_SECRET_KEY": "k" * 50,
        **environment,
    }


def run_python(script: str, environment: dict[str, str], *, timeout: float = 120) -> str:
    """Run script in a new interpreter; its standard output, once it has exited successfully."""
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def last_json_line(output: str):
    """The JSON document a script printed last (what it printed before may be log lines)."""
    return json.loads(output.strip().splitlines()[-1])


@contextlib.contextmanager
def serving(tmp_path: Path, options: list[str], *, database_url: str, **environment: str):
    """`frukost serve` with these options on a free loopback port, in production settings on the
    given database; yields (base URL, its standard output file, its standard error file) once it
    answers, and stops it (SIGTERM) afterwards."""
    from tests.mail.conftest import free_port

    port = free_port()
    stdout, stderr = tmp_path / "access.log", tmp_path / "stderr.log"
    env = {
        **production_environment(tmp_path),
        "FRUKOST_SECRET_KEY": "s" * 50,
        "FRUKOST_ALLOWED_HOSTS": "127.0.0.1",
        "FRUKOST_BASE_URL": f"http://127.0.0.1:{port}",
        "FRUKOST_SECURE_COOKIES": "0",  # plain http on loopback
        "DATABASE_URL": database_url,
        **environment,
    }
    env.pop("DJANGO_SETTINGS_MODULE")  # `frukost` sets it itself, as in production
    frukost = str(Path(sys.executable).parent / "frukost")
    with stdout.open("wb") as out, stderr.open("wb") as err:
        command = [frukost, "serve", f"--port={port}", *options]
        server = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(base + "/", timeout=10)
                    break
                except requests.RequestException:  # not listening yet, or slow to answer its first request
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(stderr.read_text()) from None
                    time.sleep(0.2)
            yield base, stdout, stderr
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
