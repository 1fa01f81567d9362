"""Serve frukost in production with gunicorn or granian (or the development server with --dev)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from frukost.config import ConfigurationError, env, env_int
from frukost.core.granian import ACCESS_LOG_FORMAT, LOGGING

SERVERS = ("gunicorn", "granian")


def gunicorn_argv(host: str, port: int, workers: int, max_requests: int) -> list[str]:
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return [
        gunicorn,
        "frukost.wsgi:application",
        f"--bind={host}:{port}",
        f"--workers={workers}",
        "--access-logfile=-",
        # Personal links are secrets: "/r/<token>/" is logged as "/r/…/".
        "--logger-class=frukost.core.gunicorn.RedactingLogger",
        f"--max-requests={max_requests}",
        f"--max-requests-jitter={max_requests // 10}",
    ]


# granian's threads per worker when neither --threads nor FRUKOST_WEB_THREADS says: two requests
# of one process at once keep its core busy while the other waits on the network or a lock, at
# less CPU per request than two processes sharing the core (benchmarks/README.md, "Seventh pass:
# threads in the worker").
GRANIAN_THREADS = 2

# How long granian keeps an idle blocking thread (its longest): a retired thread takes its
# database connection with it, and the next one opens a new one.
GRANIAN_IDLE_THREAD_SECONDS = 600


def granian_argv(
    host: str, port: int, workers: int, log_config: Path, threads: int = GRANIAN_THREADS
) -> list[str]:
    """granian with `threads` Python threads per worker, each serving one request at a time,
    HTTP/1.1 only.

    core/granian.py gives each worker the time limit gunicorn's master gives its workers, and the
    logging configuration (log_config, written from core.granian.LOGGING) redacts personal links.
    """
    granian = os.path.join(os.path.dirname(sys.executable), "granian")
    return [
        granian,
        "--interface=wsgi",
        "--factory",
        f"--host={host}",
        f"--port={port}",
        f"--workers={workers}",
        f"--blocking-threads={threads}",
        f"--blocking-threads-idle-timeout={GRANIAN_IDLE_THREAD_SECONDS}",
        "--runtime-threads=1",
        "--http=1",
        "--no-ws",
        f"--log-config={log_config}",
        "--access-log",
        f"--access-log-fmt={ACCESS_LOG_FORMAT}",
        # A worker that exited (core.granian.TimeLimit ends one stuck in a request) is replaced.
        "--respawn-failed-workers",
        "frukost.core.granian:application",
    ]


class Command(BaseCommand):
    help = "Serve the site with gunicorn or granian (production) or Django's development server (--dev)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=env("FRUKOST_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("FRUKOST_PORT", 8000))
        parser.add_argument("--workers", type=int, default=env_int("FRUKOST_WEB_WORKERS", 2))
        parser.add_argument(
            "--server",
            choices=SERVERS,
            default=env("FRUKOST_WEB_SERVER", "gunicorn"),
            help="gunicorn's sync workers (the default) or granian's (docs/deploy.md).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help=f"requests at once per granian worker (default {GRANIAN_THREADS}); gunicorn's serve one.",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=env_int("FRUKOST_WEB_MAX_REQUESTS", 10000),
            help="gunicorn replaces a worker after this many requests, ± 10 %% (0: never; not granian).",
        )
        parser.add_argument("--dev", action="store_true", help="Django's auto-reloading development server.")

    def handle(self, *args, host, port, workers, server, threads, max_requests, dev, **options):
        if dev:
            call_command("runserver", f"{host}:{port}")
            return
        if server not in SERVERS:  # from FRUKOST_WEB_SERVER: argparse checks only what is typed
            raise ConfigurationError(f"FRUKOST_WEB_SERVER must be gunicorn or granian, not {server!r}")
        if threads is not None and threads < 1:
            raise CommandError("--threads must be 1 or more.")
        if server == "gunicorn" and threads not in (None, 1):
            raise CommandError(
                "--threads is for --server granian: gunicorn's sync workers serve one request at a time "
                "(use --workers for more)."
            )
        if threads is None and server == "granian":
            # FRUKOST_WEB_THREADS is granian's alone: with gunicorn the variable is left unread, so
            # an environment file written for granian does not stop a unit switched back.
            threads = env_int("FRUKOST_WEB_THREADS", GRANIAN_THREADS)
            if threads < 1:
                raise ConfigurationError(f"FRUKOST_WEB_THREADS must be 1 or more, not {threads}")
        call_command("collectstatic", interactive=False, verbosity=0)
        if server == "granian":
            log_config = Path(settings.DATA_DIR) / "granian-logging.json"
            log_config.write_text(json.dumps(LOGGING, indent=2))
            argv = granian_argv(host, port, workers, log_config, threads)
        else:
            argv = gunicorn_argv(host, port, workers, max_requests)
        # Replaces this process with the server (the service's main PID); the arguments are ours.
        os.execv(argv[0], argv)  # noqa: S606
