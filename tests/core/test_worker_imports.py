"""What a web worker loads to serve the public pages (issue 10: under 80 MB per worker).

A fresh process imports the WSGI application as gunicorn does, in production settings, and
serves the public flow: the event list, the event page, a registration and its thank-you page.
The libraries only a rarely used back-office download needs (ReportLab and Pillow for the door
PDFs, XlsxWriter for XLSX exports, openpyxl for an uploaded invitation list) must still not be
loaded: each stays in every worker's memory for its whole life once imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SERVE_PUBLIC_PAGES = """
import io, json, sys
from frukost.wsgi import application  # what gunicorn imports
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", verbosity=0, interactive=False)
call_command("seed_demo", stdout=io.StringIO())
from django.test import Client
from frukost.events.models import Event
path = Event.objects.get(slug="chefsfrukost-leda-med-tillit").get_absolute_url()
client = Client()
statuses = [client.get("/").status_code, client.get(path).status_code]
form = {"first_name": "Anna", "last_name": "Svensson", "email": "anna@example.se",
        "workplace": "Sundsvalls kommun", "job_title": "Enhetschef", "membership": "member"}
statuses.append(client.post(path, form).status_code)
statuses.append(client.get(path + "tack/").status_code)
heavy = ["reportlab", "PIL", "xlsxwriter", "openpyxl", "hypothesis"]
print(json.dumps({"statuses": statuses, "loaded": [name for name in heavy if name in sys.modules]}))
"""


def test_public_pages_load_no_pdf_or_spreadsheet_library(tmp_path):
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "frukost.settings",
        "FRUKOST_DATA_DIR": str(tmp_path / "var"),
        "FRUKOST_SECRET_KEY": "k" * 50,
        "FRUKOST_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", SERVE_PUBLIC_PAGES],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])

    assert outcome == {"statuses": [200, 200, 302, 200], "loaded": []}
