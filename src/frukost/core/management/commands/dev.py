"""`make run`: the development server and the e-mail worker side by side until Ctrl-C."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development server with the e-mail worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port, **options):
        self.stdout.write(f"Outgoing e-mail is written to {settings.MAIL_DIR}/ (one .eml file per message).")
        worker = subprocess.Popen([sys.executable, "-m", "frukost.cli", "worker"])  # noqa: S603
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
