"""The outbox worker's speed: messages per second and claim latency, 1 and 2 workers, SQLite and
PostgreSQL; optionally the same queue work done by django-tasks (database backend) and Procrastinate.

    .venv/bin/python benchmarks/worker.py [--messages 2000] [--db sqlite,postgres] [--json out.json]
    .venv/bin/python benchmarks/worker.py --third-party /tmp/tasks-venv/bin/python

For each database and worker count it makes a scratch data directory (PostgreSQL: the database
`frukost_bench_worker` on postgres://postgres@127.0.0.1:5432, dropped afterwards), migrates, starts
N `frukost worker --only mail` processes (mail backend `dummy`: the queue's own cost, no SMTP;
FRUKOST_MAIL_BULK_PER_MINUTE=0, so the rate does not limit), waits until they are idle, then:

- **throughput**: queues `--messages` composed messages (half transactional, half bulk) in one
  transaction and times until none is queued or sending: messages per second;
- **idle latency**: 20 confirmations queued one at a time, 0.5 s apart, while the workers are idle:
  queued -> handed to the mail backend (`handed_over_at - created_at`); the workers poll every
  FRUKOST_WORKER_POLL_SECONDS (2 s, the default), so the mean is about half of that;
- **behind a bulk send**: 2,000 bulk messages queued and the first 100 sent, then one
  confirmation: its latency (the workers are busy, so no poll interval: one round).

`--third-party PYTHON` (a virtualenv with django-tasks, django-tasks-db, procrastinate and psycopg,
e.g. `python3 -m venv /tmp/tasks-venv && /tmp/tasks-venv/bin/pip install django==5.2.* django-tasks
django-tasks-db procrastinate "psycopg[binary]"`) also enqueues `--messages` no-op jobs with each
library and runs them with 1 and 2 of its workers: enqueue time, jobs per second and idle latency.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRUKOST = Path(sys.executable).parent / "frukost"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/frukost_bench_worker"


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True, capture_output=True)  # noqa: S607


def _fresh_postgres() -> None:
    _psql("DROP DATABASE IF EXISTS frukost_bench_worker WITH (FORCE)")
    _psql("CREATE DATABASE frukost_bench_worker")


def _wait(condition, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: not within {within} s")
        time.sleep(0.02)


# --- Our worker ---------------------------------------------------------------------------------


def run_ours(db: str, workers: int, messages: int) -> dict:
    """Run in a child process (Django is set up for one database per process)."""
    data = Path(tempfile.mkdtemp(prefix="frukost-bench-worker-"))
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT / "src"),
        "FRUKOST_DATA_DIR": str(data),
        "FRUKOST_SECRET_KEY": "b" * 50,
        "FRUKOST_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "FRUKOST_MAIL_BULK_PER_MINUTE": "0",
        "DATABASE_URL": PG_BENCH if db == "postgres" else "",
        "FRUKOST_LOG_LEVEL": "WARNING",
    }
    os.environ.update(environment)
    os.environ["DJANGO_SETTINGS_MODULE"] = "frukost.settings"
    if db == "postgres":
        _fresh_postgres()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Max, Min

    from frukost.mail.enums import MailKind, MessageStatus, Priority
    from frukost.mail.models import OutboxMessage
    from frukost.mail.outbox import enqueue

    call_command("migrate", verbosity=0)
    logs = [data / f"worker-{n}.log" for n in range(workers)]
    processes = []
    for log in logs:
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [str(FRUKOST), "worker", "--only", "mail"],
                    env={**environment, "FRUKOST_LOG_LEVEL": "INFO"},
                    stdout=subprocess.DEVNULL,
                    stderr=out,
                )
            )
    try:
        _wait(lambda: all("worker started" in log.read_text() for log in logs), 60, "workers started")
        time.sleep(1)

        def queue(count: int, *, bulk_every: int) -> None:
            with transaction.atomic():
                for n in range(count):
                    bulk = bulk_every and n % bulk_every == 0
                    enqueue(
                        kind=MailKind.ANNOUNCEMENT if bulk else MailKind.CONFIRMATION,
                        to=f"p{n}@example.se",
                        subject=f"message {n}",
                        body_text="hej",
                        priority=Priority.BULK if bulk else Priority.TRANSACTIONAL,
                    )

        def empty() -> bool:
            return not OutboxMessage.objects.filter(
                status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
            ).exists()

        started = time.perf_counter()
        queue(messages, bulk_every=2)
        queued = time.perf_counter()
        _wait(empty, 600, "queue emptied")
        finished = time.perf_counter()
        assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == messages
        # From the first claim to the last message sent: the idle workers' first poll left out.
        span = OutboxMessage.objects.aggregate(first=Min("claimed_at"), last=Max("sent_at"))
        working = (span["last"] - span["first"]).total_seconds()

        latencies = []
        for _ in range(20):
            with transaction.atomic():
                message = enqueue(
                    kind=MailKind.CONFIRMATION, to="anna@example.se", subject="hej", body_text="hej"
                )
            _wait(
                lambda m=message: OutboxMessage.objects.get(pk=m.pk).status == MessageStatus.SENT, 30, "sent"
            )
            message.refresh_from_db()
            latencies.append((message.handed_over_at - message.created_at).total_seconds())
            time.sleep(0.5)

        queue(2000, bulk_every=1)
        _wait(
            lambda: OutboxMessage.objects.filter(status=MessageStatus.SENT).count() >= messages + 20 + 100,
            60,
            "bulk",
        )
        with transaction.atomic():
            urgent = enqueue(
                kind=MailKind.CONFIRMATION, to="anna@example.se", subject="brådskande", body_text="hej"
            )
        _wait(lambda: OutboxMessage.objects.get(pk=urgent.pk).status == MessageStatus.SENT, 60, "sent")
        urgent.refresh_from_db()
        behind_bulk = (urgent.handed_over_at - urgent.created_at).total_seconds()
        _wait(empty, 600, "bulk sent")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
    from django.db import connections

    connections.close_all()
    if db == "postgres":
        _psql("DROP DATABASE IF EXISTS frukost_bench_worker WITH (FORCE)")
    return {
        "system": "frukost worker",
        "db": db,
        "workers": workers,
        "messages": messages,
        "enqueue_s": round(queued - started, 3),
        "per_second": round(messages / working),
        "wall_s": round(finished - queued, 2),
        "idle_latency_mean_s": round(statistics.mean(latencies), 2),
        "idle_latency_max_s": round(max(latencies), 2),
        "behind_bulk_s": round(behind_bulk, 2),
    }


# --- django-tasks (database backend) and Procrastinate, in another virtualenv ---------------------

TASKS_SETTINGS = """
import os
SECRET_KEY = "x" * 50
INSTALLED_APPS = ["django.contrib.contenttypes", "django_tasks", "django_tasks_db"]
USE_TZ = True
if os.environ["BENCH_DB"] == "postgres":
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "frukost_bench_worker",
                             "USER": "postgres", "HOST": "127.0.0.1", "PORT": 5432}}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BENCH_SQLITE"],
                             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                                         "init_command": "PRAGMA journal_mode=WAL; "
                                                         "PRAGMA synchronous=NORMAL;"}}}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
"""

TASKS_MODULE = """
from django_tasks import task

@task()
def noop(n):
    return None
"""

TASKS_DRIVER = """
import os, statistics, subprocess, sys, time, json
import django
django.setup()
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from benchtasks import noop

workers, count = int(sys.argv[1]), int(sys.argv[2])
call_command("migrate", verbosity=0)
WORKER = [sys.executable, "-m", "django", "db_worker", "--interval", "1", "--no-startup-delay"]
QUIET = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
procs = [subprocess.Popen(WORKER, **QUIET) for _ in range(workers)]
time.sleep(3)
def done():
    return DBTaskResult.objects.filter(status="SUCCESSFUL").count()
try:
    t0 = time.perf_counter()
    for n in range(count):
        noop.enqueue(n)
    t1 = time.perf_counter()
    while done() < count:
        time.sleep(0.02)
    t2 = time.perf_counter()
    from django.db.models import Max, Min
    span = DBTaskResult.objects.aggregate(first=Min("started_at"), last=Max("finished_at"))
    working = (span["last"] - span["first"]).total_seconds()
    latencies = []
    for _ in range(20):
        result = noop.enqueue(0)
        row = DBTaskResult.objects.get(pk=result.id)
        while row.status != "SUCCESSFUL":
            time.sleep(0.01)
            row.refresh_from_db()
        latencies.append((row.started_at - row.enqueued_at).total_seconds())
        time.sleep(0.5)
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=30)
print(json.dumps({"enqueue_s": round(t1 - t0, 3), "per_second": round(count / working),
                  "wall_s": round(t2 - t1, 2), "idle_latency_mean_s": round(statistics.mean(latencies), 2),
                  "idle_latency_max_s": round(max(latencies), 2)}))
"""

PROCRASTINATE_APP = """
from procrastinate import App, PsycopgConnector

app = App(connector=PsycopgConnector(conninfo="postgresql://postgres@127.0.0.1:5432/frukost_bench_worker"))

@app.task(name="noop")
def noop(n):
    return None
"""

PROCRASTINATE_DRIVER = """
import json, statistics, subprocess, sys, time
import psycopg
from benchapp import app, noop

workers, count = int(sys.argv[1]), int(sys.argv[2])
DSN = "postgresql://postgres@127.0.0.1:5432/frukost_bench_worker"
subprocess.run([sys.executable, "-m", "procrastinate", "--app=benchapp.app", "schema", "--apply"], check=True,
               capture_output=True)
WORKER = [sys.executable, "-m", "procrastinate", "--app=benchapp.app", "worker", "--concurrency=1"]
QUIET = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
procs = [subprocess.Popen(WORKER, **QUIET) for _ in range(workers)]
time.sleep(3)
db = psycopg.connect(DSN, autocommit=True)
def done():
    return db.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'").fetchone()[0]
try:
    with app.open():
        t0 = time.perf_counter()
        for n in range(count):
            noop.defer(n=n)
        t1 = time.perf_counter()
        while done() < count:
            time.sleep(0.02)
        t2 = time.perf_counter()
        working = db.execute(
            "SELECT extract(epoch FROM max(at) FILTER (WHERE type = 'succeeded')"
            " - min(at) FILTER (WHERE type = 'started')) FROM procrastinate_events").fetchone()[0]
        latencies = []
        for _ in range(20):
            before = done()
            queued = time.perf_counter()
            noop.defer(n=0)
            while done() == before:
                time.sleep(0.005)
            latencies.append(time.perf_counter() - queued)
            time.sleep(0.5)
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=30)
print(json.dumps({"enqueue_s": round(t1 - t0, 3), "per_second": round(count / float(working)),
                  "wall_s": round(t2 - t1, 2), "idle_latency_mean_s": round(statistics.mean(latencies), 3),
                  "idle_latency_max_s": round(max(latencies), 3)}))
"""


def run_third_party(python: str, system: str, db: str, workers: int, messages: int) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="frukost-bench-tasks-"))
    environment = {**os.environ, "PYTHONPATH": str(scratch), "BENCH_DB": db}
    environment.pop("DATABASE_URL", None)
    if db == "postgres":
        _fresh_postgres()
    try:
        if system == "django-tasks-db":
            (scratch / "benchsettings.py").write_text(TASKS_SETTINGS)
            (scratch / "benchtasks.py").write_text(TASKS_MODULE)
            (scratch / "driver.py").write_text(TASKS_DRIVER)
            environment |= {
                "DJANGO_SETTINGS_MODULE": "benchsettings",
                "BENCH_SQLITE": str(scratch / "tasks.sqlite3"),
            }
        else:
            (scratch / "benchapp.py").write_text(PROCRASTINATE_APP)
            (scratch / "driver.py").write_text(PROCRASTINATE_DRIVER)
        result = subprocess.run(  # noqa: S603
            [python, str(scratch / "driver.py"), str(workers), str(messages)],
            env=environment,
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"{system} on {db}:\n{result.stderr}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if db == "postgres":
            _psql("DROP DATABASE IF EXISTS frukost_bench_worker WITH (FORCE)")
    return {"system": system, "db": db, "workers": workers, "messages": messages, **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument(
        "--third-party", metavar="PYTHON", help="a python with django-tasks(-db) and procrastinate"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--ours", nargs=2, metavar=("DB", "WORKERS"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.ours:
        print(json.dumps(run_ours(options.ours[0], int(options.ours[1]), options.messages)))
        return
    rows = []
    for db in options.db.split(","):
        for workers in [int(n) for n in options.workers.split(",")]:
            child = subprocess.run(  # noqa: S603 - this script, for one database
                [sys.executable, __file__, "--ours", db, str(workers), "--messages", str(options.messages)],
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode:
                raise SystemExit(child.stderr)
            rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
            if options.third_party:
                rows.append(
                    run_third_party(options.third_party, "django-tasks-db", db, workers, options.messages)
                )
                if db == "postgres":
                    rows.append(
                        run_third_party(options.third_party, "procrastinate", db, workers, options.messages)
                    )
    columns = ["system", "db", "workers", "enqueue_s", "per_second", "wall_s", "idle_latency_mean_s"]
    columns.append("idle_latency_max_s")
    columns.append("behind_bulk_s")
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row.get(column, "")) for column in columns))
    if options.json:
        options.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
