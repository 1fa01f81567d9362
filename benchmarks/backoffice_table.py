"""Server time per page of the back office's registrations table (target: under 200 ms).

For each size it creates a fresh data directory (SQLite) or a scratch database (PostgreSQL,
from DATABASE_URL), migrates, bulk-creates one event with that many registrations (mixed
statuses, colleagues, diets) and times requests through Django's test client as a signed-in
organiser: the first page, a middle page, the last page, sorted by name, a search, filters.
Each figure is the median of --runs requests after one warm-up, as wall time and as the
process's CPU time (the test client runs the server in-process; on a busy machine the CPU time
is the steadier figure); the query count of each page is printed beside it. DEBUG is off, so
nothing records queries except the one counting run.

    .venv/bin/python benchmarks/backoffice_table.py --sizes 10000 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frukost .venv/bin/python benchmarks/backoffice_table.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
os.environ["FRUKOST_TESTING"] = "1"  # no secure cookies
os.environ["FRUKOST_ALLOWED_HOSTS"] = "testserver"
os.environ["FRUKOST_DATA_DIR"] = tempfile.mkdtemp(prefix="frukost-bench-table-")

FIRST = ["Anna", "Bo", "Cilla", "Dan", "Eva", "Fredrik", "Greta", "Hassan", "Ines", "Johan", "Åsa", "Örjan"]
LAST = ["Svensson", "Ek", "Berg", "Lind", "Nilsson", "Öberg", "Karlsson", "Ahmed", "Holm", "Wallin"]
PLACES = ["Sundsvalls kommun", "Region Västernorrland", "Mittuniversitetet", "SCA", "Timrå kommun"]
DIETS = [[], [], [], ["gluten"], ["vegetarian"], ["milk", "egg"], ["vegan"]]

PAGES = {
    "first page": "",
    "middle page": "?page={middle}",
    "last page": "?page={last}",
    "sorted by name": "?sort=name",
    "sorted by name, last page": "?sort=-name&page={last}",
    "search 'svensson'": "?q=svensson",
    "search 'anna svensson'": "?q=anna+svensson",
    "waiting list filter": "?status=waitlisted",
    "diet gluten, members": "?diet=gluten&member=member",
}


def scratch_postgres(url: str):
    """Create a scratch database next to the one in DATABASE_URL; return its URL and a dropper."""
    import psycopg

    parts = urlsplit(url)
    name = f"bench_table_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def populate(size: int):
    from allauth.mfa.totp.internal.auth import TOTP

    from frukost.accounts.services import add_member, create_person
    from frukost.events.models import Event, Organisation
    from frukost.registrations.enums import Status
    from frukost.registrations.models import Registration

    def stockholm(*parts):
        return dt.datetime(*parts, tzinfo=ZoneInfo("Europe/Stockholm"))

    organisation = Organisation.objects.create(name="Akademikerförbundet SSR", slug="ssr")
    user = create_person(email="julia@example.se", password=secrets.token_urlsafe())  # force_login
    add_member(organisation=organisation, user=user, role="organiser")
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    event = Event.objects.create(
        organisation=organisation,
        slug="chefsfrukost",
        status="published",
        title="Chefsfrukost",
        starts_at=stockholm(2029, 5, 16, 8),
        ends_at=stockholm(2029, 5, 16, 9, 30),
        capacity=int(size * 0.9),
        max_colleagues=1,
    )
    rng = random.Random(size)
    batch: list[Registration] = []
    seated = int(size * 0.9)
    for n in range(size):
        status = Status.REGISTERED if n < seated else Status.WAITLISTED
        if n % 40 == 0:
            status = Status.CANCELLED
        batch.append(
            Registration(
                event=event,
                status=status,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email=f"person{n}@example.se",
                workplace=rng.choice(PLACES),
                membership=rng.choice(["member", "not_member", "undisclosed", ""]),
                diets=rng.choice(DIETS),
                confirmed_at=None if n % 17 == 0 else event.starts_at,
            )
        )
        if len(batch) == 5000:
            Registration.objects.bulk_create(batch)
            batch = []
    Registration.objects.bulk_create(batch)
    # Every tenth person was brought by the one before (one UPDATE per batch of colleagues).
    ids = list(Registration.objects.filter(event=event).order_by("id").values_list("id", flat=True))
    colleagues = [Registration(pk=ids[i], invited_by_id=ids[i - 1]) for i in range(1, len(ids), 10)]
    Registration.objects.bulk_update(colleagues, ["invited_by"], batch_size=2000)
    return user, event


def measure(size: int, runs: int) -> list[tuple[str, float, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    started = time.perf_counter()
    user, event = populate(size)
    # Fresh statistics, as autovacuum (PostgreSQL) would gather them after a load this size: with
    # the statistics of an empty table the planner sorts all 100,000 rows instead of walking the
    # index (342 ms instead of 0.2 ms for the first page's rows, measured).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  created {size:,} registrations in {time.perf_counter() - started:.1f} s", flush=True)
    client = Client()
    client.force_login(user)
    base = reverse("backoffice:event-registrations", args=[event.organisation.slug, event.pk])
    last = (size + 49) // 50
    results = []
    for label, query in PAGES.items():
        url = base + query.format(middle=last // 2, last=last)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        wall, cpu = [], []
        for _ in range(runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results.append((label, statistics.median(wall), statistics.median(cpu), len(queries)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()

    drop = None
    if os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"], drop = scratch_postgres(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        load = os.getloadavg()[0]
        print(
            f"database: {connection.vendor}; median of {options.runs} requests per page; "
            f"wall time and this process's CPU time (SQLite's work is in-process, PostgreSQL's is not); "
            f"load average {load:.1f} on {os.cpu_count()} cores"
        )
        for size in options.sizes:
            call_command("flush", interactive=False, verbosity=0)
            print(f"{size:,} registrations in one event:")
            for label, wall, cpu, queries in measure(size, options.runs):
                print(f"  {label:<28} {wall:7.1f} ms wall {cpu:7.1f} ms cpu  {queries:2d} queries")
    finally:
        if drop:
            drop()


if __name__ == "__main__":
    main()
