"""The real `frukost worker` process's CPU per message while it drains queued confirmations (issue 10).

    .venv/bin/python benchmarks/worker_drain.py [--messages 2000] [--py-spy .venv/bin/py-spy]
    .venv/bin/python benchmarks/worker_drain.py --db postgres [--pg-database frukost_drain]  # made, dropped

A scratch data directory (SQLite, or with --db postgres a database made for the run; production
settings, `.eml` backend as in load.py): migrate, seed_demo, then `frukost worker` (both loops,
as load.py runs it). Its CPU (from /proc) is read
after start-up, after --idle seconds of idling (nothing due: polls every 2 s), and after it has
sent --messages confirmations that another process queues through `register()` meanwhile
(committed one by one as the web server's POSTs do, so the worker's rounds are as small as in
load.py). Reports start-up CPU, idle CPU per second and CPU per message sent (the worker's
polls during the drain included). With --py-spy the worker is sampled during the drain and the
collapsed stacks are written to --profile (read them with benchmarks/profile_summary.py
--all-samples).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import procstats  # noqa: E402
from load import FRUKOST, POSTGRES_ADMIN_URL, manage, psql, server_environment  # noqa: E402

QUEUE = """
import secrets
from frukost.events.models import Event
from frukost.registrations.services import Answers, PersonData, register
event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
Event.objects.filter(pk=event.pk).update(capacity=10**6)
for i in range({count}):
    register(event=Event.objects.get(pk=event.pk), person=PersonData(
        first_name="Åsa" if i % 2 else "Anna", last_name="Svensson-Öberg", language="sv" if i % 3 else "en",
        email=f"drain-{{secrets.token_hex(3)}}-{{i}}@example.se", answers=Answers(membership="member")))
"""


def mail_files(directory: Path) -> int:
    try:
        return sum(1 for name in directory.iterdir() if name.suffix == ".eml")
    except FileNotFoundError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idling measured")
    parser.add_argument("--core", default="0", help="taskset core of the worker (default 0)")
    parser.add_argument("--py-spy", help="path to py-spy: sample the worker during the drain")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-database", default="frukost_drain", help="created and dropped (--db postgres)")
    parser.add_argument("--pg-admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--port", type=int, default=8811, help="only in the settings' BASE_URL")
    parser.add_argument("--profile", type=Path, default=Path("benchmarks/results/profiles/worker-drain.txt"))
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="frukost-drain-"))
    database_url = None
    if args.db == "postgres":
        psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)", args.pg_admin_url)
        psql(f"CREATE DATABASE {args.pg_database}", args.pg_admin_url)
        database_url = f"{args.pg_admin_url}/{args.pg_database}"
    env = server_environment(data_dir, args.port, database_url)
    worker = spy = None
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed_demo")
        log = open(data_dir / "worker.log", "w")  # noqa: SIM115 - closed with the process
        started = time.monotonic()
        worker = subprocess.Popen(
            ["taskset", "-c", args.core, FRUKOST, "worker"], env=env, cwd=data_dir, stdout=log, stderr=log
        )
        outbox = data_dir / "mail"
        time.sleep(8)  # start-up and whatever seed_demo queued
        seeded = mail_files(outbox)
        boot = procstats.cpu_seconds(worker.pid)
        time.sleep(args.idle)
        idle = procstats.cpu_seconds(worker.pid) - boot
        if args.py_spy:
            args.profile.parent.mkdir(parents=True, exist_ok=True)
            spy = subprocess.Popen(
                [args.py_spy, "record", "--nonblocking", "--format", "raw", "--rate", "200",
                 "-p", str(worker.pid), "-o", str(args.profile)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1)
        before = procstats.cpu_seconds(worker.pid)
        queued = time.monotonic()
        manage(env, "shell", "-c", QUEUE.format(count=args.messages))
        queue_seconds = time.monotonic() - queued
        while mail_files(outbox) < seeded + args.messages:
            if worker.poll() is not None:
                sys.exit(f"the worker exited; see {data_dir / 'worker.log'}")
            time.sleep(0.05)
        drain = procstats.cpu_seconds(worker.pid) - before
        drained = time.monotonic() - queued
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
        if database_url:
            psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)", args.pg_admin_url)
    print(f"start-up and seed mail ({seeded} sent): {boot * 1000:.0f} ms CPU")
    print(f"idle: {idle / args.idle * 1000:.2f} ms CPU per second")
    print(
        f"drain: {args.messages} confirmations queued in {queue_seconds:.1f} s, all sent after "
        f"{drained:.1f} s; worker CPU {drain:.2f} s = {drain / args.messages * 1000:.2f} ms per message"
    )
    if args.py_spy:
        print(f"profile: {args.profile} (since {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
