"""Serve frukost in production with gunicorn (or the development server with --dev)."""

from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from frukost.config import env, env_int


class Command(BaseCommand):
    help = "Serve the site with gunicorn (production) or Django's development server (--dev)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=env("FRUKOST_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("FRUKOST_PORT", 8000))
        parser.add_argument("--workers", type=int, default=env_int("FRUKOST_WEB_WORKERS", 2))
        parser.add_argument(
            "--max-requests",
            type=int,
            default=env_int("FRUKOST_WEB_MAX_REQUESTS", 10000),
            help="gunicorn replaces a worker after this many requests, ± 10 %% (0: never).",
        )
        parser.add_argument("--dev", action="store_true", help="Django's auto-reloading development server.")

    def handle(self, *args, host, port, workers, max_requests, dev, **options):
        if dev:
            call_command("runserver", f"{host}:{port}")
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        os.execv(  # noqa: S606 - replaces this process with gunicorn, arguments are ours
            gunicorn,
            [
                gunicorn,
                "frukost.wsgi:application",
                f"--bind={host}:{port}",
                f"--workers={workers}",
                "--access-logfile=-",
                # Personal links are secrets: "/r/<token>/" is logged as "/r/…/".
                "--logger-class=frukost.core.gunicorn.RedactingLogger",
                f"--max-requests={max_requests}",
                f"--max-requests-jitter={max_requests // 10}",
            ],
        )
