"""`frukost serve` (gunicorn and granian, for real) never writes a personal link into its logs (issue 7).

A registration is made through HTTP, its link opened and the registration cancelled through
it; the access log (stdout) and everything else the server printed (stderr: the server's own log
and Django's, e.g. "Not Found: …") carry the redacted request lines and never the token.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
import requests
from django.core import mail
from django.db import connection

from frukost.mail.worker import send_due
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from tests.core.processes import serving


def _database_url() -> str:
    """The test database, for a server process of its own (a file on SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(db["NAME"])
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(params=["gunicorn", "granian"])
def server(request, tmp_path):
    options = [f"--server={request.param}", "--workers=1"]
    with serving(tmp_path, options, database_url=_database_url()) as running:
        yield running


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
