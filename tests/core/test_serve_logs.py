"""`frukost serve` (gunicorn and granian, for real) never writes a personal link into its logs (issue 7).

A registration is made through HTTP, its link opened and the registration cancelled through
it; the access log (stdout) and everything else the server printed (stderr: the server's own log
and Django's, e.g. "Not Found: …") carry the redacted request lines and never the token.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.core import mail
from django.db import connection

from frukost.mail.worker import send_due
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from tests.mail.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
FRUKOST = Path(sys.executable).parent / "frukost"


def _database_url() -> str:
    """The test database, for a server process of its own (a file on SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(db["NAME"])
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(params=["gunicorn", "granian"])
def server(request, tmp_path):
    port = free_port()
    stdout, stderr = tmp_path / "access.log", tmp_path / "stderr.log"
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "FRUKOST_DATA_DIR": str(tmp_path / "var"),
        "FRUKOST_SECRET_KEY": "s" * 50,
        "FRUKOST_ALLOWED_HOSTS": "127.0.0.1",
        "FRUKOST_BASE_URL": f"http://127.0.0.1:{port}",
        "FRUKOST_SECURE_COOKIES": "0",  # plain http on loopback
        "DATABASE_URL": _database_url(),
    }
    with stdout.open("wb") as out, stderr.open("wb") as err:
        server = subprocess.Popen(
            [str(FRUKOST), "serve", f"--server={request.param}", f"--port={port}", "--workers=1"],
            env=environment,
            stdout=out,
            stderr=err,
        )
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


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_serve_logs_no_personal_link(server, event):
    base, access_log, stderr = server
    with requests.Session() as browser:
        page = browser.get(base + event.get_absolute_url(), timeout=10)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        registered = browser.post(
            base + event.get_absolute_url(),
            data={
                "csrfmiddlewaretoken": csrf,
                "first_name": "Anna",
                "last_name": "Svensson",
                "email": "anna@example.se",
                "membership": "undisclosed",
            },
            allow_redirects=False,
            timeout=10,
        )
        send_due()
        [receipt] = mail.outbox
        token = re.search(r"/r/([A-Za-z0-9_-]{32})/", receipt.body).group(1)
        personal = f"{base}/r/{token}/"
        opened = browser.get(personal, timeout=10)
        cancel_page = browser.get(personal + "avanmal/", headers={"Referer": personal}, timeout=10)
        cancelled = browser.post(personal + "avanmal/", allow_redirects=False, timeout=10)
        missing = browser.get(personal + "no-such-page/", timeout=10)

    assert [r.status_code for r in (registered, opened, cancel_page, cancelled, missing)] == [
        302,
        200,
        200,
        302,
        404,
    ]
    assert Registration.objects.get(email="anna@example.se").status == Status.CANCELLED
    time.sleep(0.5)  # let the worker flush its last lines
    logged, printed = access_log.read_text(), stderr.read_text()
    assert token not in logged
    assert token not in printed
    assert '"GET /r/…/ HTTP/1.1" 200' in logged
    assert '"GET /r/…/avanmal/ HTTP/1.1" 200' in logged
    assert f'"{base}/r/…/"' in logged  # the Referer
    assert '"POST /r/…/avanmal/ HTTP/1.1" 302' in logged
    assert "Not Found: /r/…/no-such-page/" in printed
