"""How long the registrations export takes, and how much memory it needs (CSV target: 100,000 rows < 3 s).

Creates an event with N registrations (bulk_create) in a fresh FRUKOST_DATA_DIR (SQLite) or in
the database DATABASE_URL points at, then times `export_registrations` server-side: from the
call until the last byte of the file has been produced (what the streaming response consumes),
best of a few rounds, as wall-clock and as the process's CPU time (on a shared machine
the CPU time is the steadier figure). Peak memory is measured in a separate round with tracemalloc (Python
allocations during the export; tracemalloc slows the code, so it is not timed), and the
process's maximum resident set size is reported at the end.

    .venv/bin/python benchmarks/export_speed.py [--sizes 10000 100000] [--rounds 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/catering .venv/bin/python benchmarks/export_speed.py
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
os.environ.setdefault("FRUKOST_TESTING", "1")
os.environ.setdefault("FRUKOST_DATA_DIR", tempfile.mkdtemp(prefix="frukost-bench-export-"))

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from frukost.accounts.models import OrganisationMember  # noqa: E402
from frukost.accounts.services import add_member, create_person  # noqa: E402
from frukost.events.models import STOCKHOLM, Event, Organisation  # noqa: E402
from frukost.registrations.enums import Status  # noqa: E402
from frukost.registrations.exports import DEFAULT_COLUMNS, export_registrations  # noqa: E402
from frukost.registrations.models import Registration  # noqa: E402

SLUG = "benchmark-export"
ALL_COLUMNS = [
    "first_name", "last_name", "email", "workplace", "job_title", "status", "confirmed", "registered_by",
    "registered_at", "language", "answer", "membership", "diets", "diet_other", "other_needs",
]  # fmt: skip
DIETS = [[], [], ["vegetarian"], ["gluten", "milk"], ["vegan"], []]
ANSWERS = ["", "+46 70 123 45 67", "Hur leder man på distans?", "=1+1", ""]


def setup(size: int) -> tuple[Event, OrganisationMember]:
    call_command("migrate", verbosity=0)
    Registration.objects.filter(event__organisation__slug=SLUG).delete()
    Event.objects.filter(organisation__slug=SLUG).delete()
    OrganisationMember.objects.filter(organisation__slug=SLUG).delete()
    Organisation.objects.filter(slug=SLUG).delete()
    organisation = Organisation.objects.create(name="Benchmark", slug=SLUG)
    event = Event.objects.create(
        organisation=organisation,
        slug="stor-frukost",
        title="Stor frukost",
        starts_at=dt.datetime(2029, 5, 16, 8, 0, tzinfo=STOCKHOLM),
        ends_at=dt.datetime(2029, 5, 16, 9, 30, tzinfo=STOCKHOLM),
        capacity=size,
    )
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email="bench-export@example.se").delete()
    user = create_person(email="bench-export@example.se", password=secrets.token_urlsafe())
    member = add_member(organisation=organisation, user=user, role="organiser")
    batch = []
    for number in range(size):
        batch.append(
            Registration(
                event=event,
                status=Status.REGISTERED,
                first_name=f"Åsa{number}",
                last_name="Öberg-Ängström",
                email=f"person{number}@example.se",
                workplace="Socialförvaltningen, Sundsvalls kommun",
                job_title="Enhetschef",
                membership="member" if number % 3 else "not_member",
                diets=DIETS[number % len(DIETS)],
                diet_other="Laktosfri" if number % 7 == 0 else "",
                answer=ANSWERS[number % len(ANSWERS)],
                confirmed_at=event.starts_at,
            )
        )
        if len(batch) == 5000:
            Registration.objects.bulk_create(batch)
            batch = []
    Registration.objects.bulk_create(batch)
    member = OrganisationMember.objects.select_related("organisation", "user").get(pk=member.pk)
    return event, member


def run(event, member, columns, format) -> tuple[int, int]:
    export = export_registrations(
        event=event, columns=columns, format=format, actor=member.user, member=member
    )
    size = 0
    for chunk in export.chunks:
        size += len(chunk)
    return export.row_count, size


def measure(event, member, columns, format, rounds) -> dict:
    timings, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        rows, size = run(event, member, columns, format)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    tracemalloc.start()
    run(event, member, columns, format)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": rows, "bytes": size, "seconds": min(timings), "cpu": min(cpu), "peak_mb": peak / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    options = parser.parse_args()
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'rows':>8} {'format':6} {'columns':8} {'wall s':>7} {'CPU s':>6} {'MB out':>7} {'peak MB':>8}")
    for size in options.sizes:
        started = time.perf_counter()
        event, member = setup(size)
        print(f"# {size} registrations created in {time.perf_counter() - started:.1f} s")
        for format in options.formats:
            for name, columns in (("default", list(DEFAULT_COLUMNS)), ("all", ALL_COLUMNS)):
                result = measure(event, member, columns, format, options.rounds)
                assert result["rows"] == size
                print(
                    f"{size:>8} {format:6} {name:8} {result['seconds']:>7.2f} {result['cpu']:>6.2f} "
                    f"{result['bytes'] / 1e6:>7.1f} {result['peak_mb']:>8.1f}"
                )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {maxrss:.0f} MB")


if __name__ == "__main__":
    main()
