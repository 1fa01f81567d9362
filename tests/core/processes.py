"""A fresh Python process in production settings, for the tests that must see what a server sees.

What a worker imports, freezes or reads from its environment cannot be tested inside the test
process (the suite's own settings and imports are already there). These run a script in a new
interpreter with a clean environment: this checkout's code, production settings, a data directory
of the test's own, nothing of FRUKOST_DEBUG or FRUKOST_TESTING.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
