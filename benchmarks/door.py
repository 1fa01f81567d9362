"""The door at 1,000 attendees: check-ins per second, server CPU per check-in, the door list.

    .venv/bin/python benchmarks/door.py --db sqlite --db postgres

Uses load.py's machinery (scratch data directory and database, `frukost serve` pinned to core 0,
the generator re-run on core 1, server CPU read from /proc for the gunicorn master and its
workers). For each database it seeds an event with --attendees confirmed attendees (Swedish
names with å, ä, ö), signs a door-staff member in (a session cookie, as after the sign-in form),
then measures, with --clients phones at once:

  (a) check-in POSTs alone (the existing door_action endpoint, a different person each time,
      a fresh client id), answered with the 302 back to the list;
  (b) a tap as the phone makes it: the POST and the door list it is redirected to (door.js
      follows the redirect and swaps in the list; so does a browser without JavaScript);
  (c) the door list searched by name ("?q=asa", diacritics-insensitive);
  (d) the door list unfiltered, every attendee on it.

No mail worker runs: checking in sends nothing. Never part of `make test`; figures in
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import load
import loadgen
import procstats

SEED = """
import itertools, json, sys
from django.conf import settings
from django.test import Client
from django.utils import timezone
from frukost.accounts.services import add_member, create_person
from frukost.events.models import Event
from frukost.registrations.models import Registration
from frukost.registrations.queries import folded

first = ["Åsa", "Anna", "Björn", "Cecilia", "David", "Elin", "Fredrik", "Göran", "Hanna", "Ingrid",
         "Jonas", "Karin", "Lars", "Maja", "Nils", "Olle", "Pia", "Rune", "Sara", "Tove"]
last = ["Öst", "Åberg", "Ekström", "Lindqvist", "Svensson", "Nyström", "Sjöberg", "Hägglund",
        "Björklund", "Wålbrink", "Karlsson", "Löfgren", "Strand", "Holm", "Berg", "Dahl",
        "Forsberg", "Engström", "Sandberg", "Lundin"]
event = Event.objects.get(slug="chefsfrukost-leda-med-tillit")
event.capacity = 10**6
event.save(update_fields=["capacity"])
now = timezone.now()
names = itertools.islice(itertools.cycle(itertools.product(first, last)), ATTENDEES)
Registration.objects.bulk_create(
    Registration(event=event, first_name=f, last_name=l, email=f"door{n}@example.se",
                 workplace="Sundsvalls kommun", status="registered", confirmed_at=now)
    for n, (f, l) in enumerate(names)
)
user = create_person(email="entre@example.se")
member = add_member(organisation=event.organisation, user=user, role="door")
member.events.set([event])
rows = Registration.objects.filter(event=event)
client = Client()
client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
print(json.dumps({
    "organisation": event.organisation.slug,
    "event": event.pk,
    "session": [settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value],
    "registrations": list(rows.order_by("?").values_list("pk", flat=True)),
    # What the search "asa" should find ("Åsa"), counted as the door list folds names.
    "asa": sum("asa" in folded(f"{r.first_name} {r.last_name}") for r in rows),
}))
"""
COUNT = """
from frukost.checkin.models import CheckIn
print(CheckIn.objects.count())
"""
CSRF_COOKIE = "csrftoken"


def bench(database: str, args) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"frukost-door-{database}-"))
    database_url = None
    if database == "postgres":
        database_url = f"{load.POSTGRES_ADMIN_URL}/{args.pg_database}"
        load.psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)")
        load.psql(f"CREATE DATABASE {args.pg_database}")
    env = load.server_environment(data_dir, args.port, database_url)
    server = None
    try:
        load.manage(env, "migrate", "--no-input", "-v", "0")
        load.manage(env, "seed_demo")
        seeded = json.loads(
            load.manage(env, "shell", "-c", SEED.replace("ATTENDEES", str(args.attendees))).splitlines()[-1]
        )
        door = f"/backoffice/{seeded['organisation']}/evenemang/{seeded['event']}/entrelista/"
        log = open(data_dir / "server.log", "w")  # noqa: SIM115 - closed with the process
        server = subprocess.Popen(
            ["taskset", "-c", str(load.SERVER_CORE), load.FRUKOST, "serve", "--workers", str(args.workers),
             "--port", str(args.port)],
            env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        load.wait_until_serving(args.port, load.BASELINE_PATH, server)
        master = server.pid
        peaks = procstats.PeakMemory(master)
        sampler = load.MemorySampler(peaks)
        sampler.start()

        cookies = dict([seeded["session"]])
        first = asyncio.run(loadgen.request(args.port, "GET", door, cookies=cookies))
        token = loadgen.CSRF_INPUT.search(first.body)
        if first.status != 200 or token is None or CSRF_COOKIE not in first.cookies():
            sys.exit(f"the door list did not open for the door staff: {first.status}")
        cookies[CSRF_COOKIE] = first.cookies()[CSRF_COOKIE]
        token = token.group(1).decode()
        people = iter(seeded["registrations"])

        def check_in(*, follow: bool):
            async def task(i, results):
                path = f"{door}{next(people)}/checkin/"
                form = {"csrfmiddlewaretoken": token, "client_id": str(uuid.uuid4()), "q": ""}
                posted = await results.timed(
                    "POST check-in", loadgen.request(args.port, "POST", path, cookies=cookies, form=form)
                )
                if posted.status != 302:
                    raise loadgen.UnexpectedResponse(f"check-in: {posted.status} {posted.body[:200]!r}")
                if follow:
                    location = posted.header("location").split("#")[0]
                    listed = await results.timed(
                        "GET door list after", loadgen.request(args.port, "GET", location, cookies=cookies)
                    )
                    if listed.status != 200 or b"bo-door-counts" not in listed.body:
                        raise loadgen.UnexpectedResponse(f"door list: {listed.status}")

            return task

        def door_list(query: str, expect: int):
            async def task(i, results):
                page = await results.timed(
                    f"GET door list{query or ''}",
                    loadgen.request(args.port, "GET", door + query, cookies=cookies),
                )
                rows = len(re.findall(rb'<tr id="p\d+"', page.body))
                if page.status != 200 or rows != expect:
                    raise loadgen.UnexpectedResponse(f"door list{query}: {page.status}, {rows} rows")

            return task

        args.py_spy, args.current_db = None, database  # load.measure's profiling hook, unused here
        asyncio.run(loadgen.run(args.warmup, args.clients, check_in(follow=False)))
        asyncio.run(loadgen.run(args.warmup, args.clients, door_list("", args.attendees)))
        with_pg = database == "postgres"
        search = "?q=asa"
        matches = seeded["asa"]

        def measure(name, total, task):
            return load.measure(name, total, args.clients, task, master, None, peaks, with_pg, args)

        phases = [
            measure("check-in POST", args.check_ins, check_in(follow=False)),
            measure("check-in tap (POST + list)", args.check_ins, check_in(follow=True)),
            measure(f"door list, search {search}", args.pages, door_list(search, matches)),
            measure("door list, everyone", args.pages, door_list("", args.attendees)),
        ]
        sampler.stopping.set()
        sampler.join()
        worker_rss = {pid: kib / 1024 for pid, kib in peaks.peaks_kib.items()}
    finally:
        if server and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        checked_in = None
        if sys.exc_info()[0] is None:
            checked_in = int(load.manage(env, "shell", "-c", COUNT).splitlines()[-1])
        if database == "postgres":
            load.psql(f"DROP DATABASE IF EXISTS {args.pg_database} WITH (FORCE)")
        shutil.rmtree(data_dir)
    return {
        "database": database,
        "phases": phases,
        "worker_peak_rss_mib": worker_rss,
        "checked_in": checked_in,
        "expected_check_ins": args.warmup + 2 * args.check_ins,
    }


def report(outcome: dict, args) -> str:
    lines = [
        f"### {outcome['database']} — {args.attendees} attendees, {args.workers} gunicorn workers, "
        f"{args.clients} clients",
        "",
        "| phase | step | n | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    pct = loadgen.percentile
    for phase in outcome["phases"]:
        for step, values in phase.results.latencies.items():
            lines.append(
                f"| {phase.name} | {step} | {len(values)} | {load.ms(pct(values, 0.5))} | "
                f"{load.ms(pct(values, 0.9))} | {load.ms(pct(values, 0.99))} | {load.ms(max(values))} |"
            )
    lines += [
        "",
        "| phase | completed | errors | per second | server CPU ms each | PostgreSQL CPU ms each "
        "| core 0 / core 1 busy % |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in outcome["phases"]:
        r = phase.results
        done = max(r.completed, 1)
        pg = "–" if phase.postgres_cpu_seconds is None else load.ms(phase.postgres_cpu_seconds / done)
        busy = " / ".join(f"{100 * b / r.wall_seconds:.0f}" for b in phase.core_busy_seconds.values())
        lines.append(
            f"| {phase.name} | {r.completed} | {sum(r.errors.values())} | "
            f"{r.completed / r.wall_seconds:.1f} | {load.ms(phase.server_cpu_seconds / done)} | "
            f"{pg} | {busy} |"
        )
    rss = outcome["worker_peak_rss_mib"]
    lines += [
        "",
        f"- Peak RSS per gunicorn worker: max {max(rss.values(), default=0):.1f} MiB.",
        f"- Check-ins in the database afterwards: {outcome['checked_in']} "
        f"(expected {outcome['expected_check_ins']}).",
    ]
    for phase in outcome["phases"]:
        for error, count in phase.results.errors.items():
            lines.append(f"- {phase.name} error ×{count}: {error}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", action="append", choices=["sqlite", "postgres"], help="repeatable; default both"
    )
    parser.add_argument("--attendees", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="phones at once (default 8)")
    parser.add_argument("--check-ins", type=int, default=450, help="per check-in phase (two phases)")
    parser.add_argument("--pages", type=int, default=300, help="door list requests per list phase")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured check-ins and lists first")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--pg-database", default="frukost_door_bench", help="scratch database, created and dropped"
    )
    parser.add_argument(
        "--wait-quiet", type=float, default=0, help="wait up to this many seconds for an idle machine"
    )
    args = parser.parse_args()
    if args.warmup + 2 * args.check_ins > args.attendees:
        parser.error("every check-in is a different person: warmup + 2 × check-ins must not exceed attendees")
    args.profile_dir = Path("benchmarks/results/profiles")
    load.pin_self_to_generator_core()
    print(
        f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"server on core {load.SERVER_CORE}, generator on core {load.GENERATOR_CORE}\n",
        flush=True,
    )
    for database in args.db or ["sqlite", "postgres"]:
        if args.wait_quiet:
            load.wait_for_quiet_machine(args.wait_quiet)
        print(report(bench(database, args), args) + "\n", flush=True)


if __name__ == "__main__":
    main()
