"""Invitation list import: rows per second of parse + classify and of the confirmation, and the
server time of the preview page, for a 5,000-row member register (targets: the preview page
under a second, the confirmation a few seconds at most).

A fresh data directory (SQLite) or a scratch database next to DATABASE_URL (PostgreSQL) is
migrated and given one organisation with an organiser, an event with 2,000 registrations, a
do-not-mail list of 1,000 addresses and an earlier invitation list of 2,000 people, so that the
lookups find something. The file is the tests' member-register CSV (tests/invitations/files.py:
BOM, semicolons) with --rows rows, of which about a quarter are registered, suppressed or
invited already. Each figure is the median of --runs runs after one warm-up.

    .venv/bin/python benchmarks/invitation_import.py [--rows 5000] [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/invitation_import.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frukost.settings")
os.environ["FRUKOST_TESTING"] = "1"  # no secure cookies
os.environ["FRUKOST_ALLOWED_HOSTS"] = "testserver"
os.environ["FRUKOST_DATA_DIR"] = tempfile.mkdtemp(prefix="frukost-bench-invitations-")

from benchmarks.backoffice_table import scratch_postgres  # noqa: E402


def populate(rows: int):
    from allauth.mfa.totp.internal.auth import TOTP
    from tests.invitations import files

    from frukost.accounts.models import OrganisationMember
    from frukost.accounts.services import add_member, create_person
    from frukost.contacts.models import Suppression
    from frukost.events.models import Event, Organisation
    from frukost.invitations.importing import Person
    from frukost.invitations.services import create_list
    from frukost.registrations.models import Registration

    organisation = Organisation.objects.create(name="Akademikerförbundet SSR", slug="ssr")
    user = create_person(email="julia@example.se", password=secrets.token_urlsafe())
    add_member(organisation=organisation, user=user, role="organiser")
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    stockholm = ZoneInfo("Europe/Stockholm")
    event = Event.objects.create(
        organisation=organisation,
        slug="chefsfrukost",
        status="published",
        title="Chefsfrukost",
        starts_at=dt.datetime(2029, 5, 16, 8, tzinfo=stockholm),
        ends_at=dt.datetime(2029, 5, 16, 9, 30, tzinfo=stockholm),
        capacity=5000,
        max_colleagues=1,
    )
    member_rows = files.member_rows(rows)
    emails = [row[3].lower() for row in member_rows]
    # Every 8th person of the file registered, every 16th suppressed, every 10th invited already,
    # plus as many again who are not in the file.
    Registration.objects.bulk_create(
        [Registration(event=event, status="registered", email=e, first_name="R") for e in emails[::8]]
        + [Registration(event=event, status="registered", email=f"r{n}@example.se") for n in range(2000)],
        batch_size=1000,
    )
    Suppression.objects.bulk_create(
        [Suppression(organisation=organisation, email=e, reason="unsubscribed") for e in emails[3::16]]
        + [
            Suppression(organisation=organisation, email=f"s{n}@example.se", reason="bounced")
            for n in range(1000)
        ],
        batch_size=1000,
    )
    create_list(
        organisation=organisation,
        target=event,
        name="Förra året",
        people=[Person(line=None, email=e) for e in emails[5::10]]
        + [Person(line=None, email=f"i{n}@example.se") for n in range(2000)],
        source="file",
    )
    member = OrganisationMember.objects.get(user=user, organisation=organisation)
    return user, member, event, files.csv_bytes(member_rows)


def _median(fn, runs: int) -> tuple[float, float]:
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return statistics.median(wall), statistics.median(cpu)


def measure(rows: int, runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from tests.invitations.files import xlsx_bytes

    from frukost.backoffice.signals import SECOND_FACTOR
    from frukost.invitations import importing, services, staging
    from frukost.invitations.models import InvitationList

    user, member, event, data = populate(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    organisation = event.organisation

    def parse_and_classify(data=data):
        table = importing.read_table(data)
        mapping = importing.initial_mapping(table, include_membership=True)
        people = importing.people_from(table, mapping, include_membership=True)
        return importing.classify(people, organisation_id=organisation.pk, target=event)

    preview = parse_and_classify()
    print(f"  the file: {len(data) / 1024:.0f} KiB, {rows:,} rows; {preview.counts}")
    wall, cpu = _median(parse_and_classify, runs)
    print(
        f"  parse + classify (CSV)  {wall * 1000:7.1f} ms  {rows / wall:9,.0f} rows/s"
        f"  ({cpu * 1000:.0f} ms cpu)"
    )

    table = importing.read_table(data)
    workbook = xlsx_bytes([cells for _line, cells in table.rows], headers=table.headers)
    wall, cpu = _median(lambda: parse_and_classify(workbook), runs)
    print(
        f"  parse + classify (XLSX) {wall * 1000:7.1f} ms  {rows / wall:9,.0f} rows/s"
        f"  ({cpu * 1000:.0f} ms cpu)"
    )

    people = importing.people_from(
        table, importing.initial_mapping(table, include_membership=True), include_membership=True
    )

    def confirm():
        created = services.create_list(
            organisation=organisation, target=event, name="Bench", people=people, source="file"
        )
        InvitationList.objects.filter(pk=created.pk).delete()

    wall, cpu = _median(confirm, runs)
    new = preview.counts["new"]
    print(
        f"  confirm (re-classify, insert {new:,})  {wall * 1000:7.1f} ms  {rows / wall:9,.0f} rows/s"
        f"  ({cpu * 1000:.0f} ms cpu, this process)"
    )

    client = Client()
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR] = True
    session.save()
    token = staging.stage(
        data=data,
        filename="medlemmar.csv",
        organisation_id=organisation.pk,
        member_id=member.pk,
        event_id=event.pk,
    )
    url = f"/backoffice/{organisation.slug}/evenemang/{event.pk}/inbjudningar/importera/{token}/"
    for label, query in (
        ("preview page", ""),
        ("preview page, page 30", "?page=30"),
        ("preview, invalid only", "?kind=invalid"),
    ):
        response = client.get(url + query)
        assert response.status_code == 200, response.status_code
        wall, cpu = _median(lambda q=query: client.get(url + q), runs)
        with CaptureQueriesContext(connection) as queries:
            client.get(url + query)
        print(f"  {label:<23} {wall * 1000:7.1f} ms wall {cpu * 1000:7.1f} ms cpu  {len(queries):2d} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
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
        print(
            f"database: {connection.vendor}; median of {options.runs} runs; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        measure(options.rows, options.runs)
    finally:
        if drop:
            drop()


if __name__ == "__main__":
    main()
