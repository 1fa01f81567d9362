from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command

from frukost.events.enums import EventStatus
from frukost.events.models import Event, Organisation
from tests.importer.conftest import DATA

pytestmark = pytest.mark.django_db

SEED = DATA / "chefsfrukost-leda-med-tillit.txt"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_invitation", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_import_invitation_creates_draft_event_and_prints_its_url(organisation):
    url = run(str(SEED), "--today", "2026-11-26", "--organisation", organisation.slug, "--capacity", "60")

    event = Event.objects.get()
    assert url == "http://testserver/akademikerforbundet-ssr/chefsfrukost-leda-med-tillit/"
    assert event.status == EventStatus.DRAFT
    assert (event.title, event.host_name, event.venue_name, event.street_address, event.city) == (
        "Chefsfrukost: Leda med tillit",
        "Hanna Broberg",
        "Scandic Sundsvall City",
        "Trädgårdsgatan 31-33",
        "Sundsvall",
    )
    assert event.starts_at.isoformat() == "2029-05-16T06:00:00+00:00"
    assert event.capacity == 60
    assert event.gift == "boken Leda med tillit"
    assert len(event.questions_list) == 4


def test_import_invitation_publishes_when_asked(organisation):
    run(
        str(SEED),
        "--today",
        "2026-11-26",
        "--organisation",
        organisation.slug,
        "--capacity",
        "60",
        "--publish",
    )

    assert Event.objects.get().status == EventStatus.PUBLISHED


def test_import_invitation_makes_slug_unique_with_date_then_city(organisation):
    args = [str(SEED), "--today", "2026-11-26", "--organisation", organisation.slug, "--capacity", "60"]

    urls = [run(*args) for _ in range(4)]

    assert [url.rsplit("/", 2)[1] for url in urls] == [
        "chefsfrukost-leda-med-tillit",
        "chefsfrukost-leda-med-tillit-2029-05-16",
        "chefsfrukost-leda-med-tillit-2029-05-16-sundsvall",
        "chefsfrukost-leda-med-tillit-2029-05-16-sundsvall-2",
    ]


def test_import_invitation_json_creates_nothing(organisation):
    printed = json.loads(run(str(SEED), "--today", "2026-11-26", "--json"))

    assert printed["title"] == "Chefsfrukost: Leda med tillit"
    assert Event.objects.count() == 0


def test_import_invitation_reads_standard_input(organisation, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.read_bytes())))

    printed = json.loads(run("-", "--today", "2026-11-26", "--json"))

    assert printed["starts_at"] == "2029-05-16T08:00:00+02:00"


def test_import_invitation_uses_the_only_organisation_when_none_named(organisation):
    run(str(SEED), "--today", "2026-11-26", "--capacity", "10")

    assert Event.objects.get().organisation == organisation


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\n \t", "empty"),
        (b"Chefsfrukost\x00\x01\x02", "not text"),
        ("Chefsfrukost på Hotell Tornet".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not text"),
        (b"Chefsfrukost " * 10_000, "larger than 100 kB"),
    ],
)
def test_import_invitation_rejects_what_is_not_an_invitation(tmp_path, content, message):
    path = tmp_path / "invitation.txt"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message) as raised:
        run(str(path), "--json")

    assert raised.value.returncode == 2


def test_import_invitation_reports_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read") as raised:
        run(str(tmp_path / "missing.txt"), "--json")

    assert raised.value.returncode == 2


def test_import_invitation_needs_capacity_to_create(organisation):
    with pytest.raises(CommandError, match="--capacity") as raised:
        run(str(SEED), "--organisation", organisation.slug)

    assert raised.value.returncode == 2
    assert Event.objects.count() == 0


def test_import_invitation_needs_organisation_when_several(organisation):
    Organisation.objects.create(name="Vision", slug="vision")

    with pytest.raises(CommandError, match="--organisation") as raised:
        run(str(SEED), "--capacity", "60")

    assert raised.value.returncode == 2
    assert Event.objects.count() == 0


def test_import_invitation_refuses_draft_without_date(organisation, tmp_path):
    path = tmp_path / "invitation.txt"
    path.write_text(
        "Chefsfrukost: Leda med tillit\n\nPlats: Scandic, Storgatan 1, Sundsvall\n", encoding="utf-8"
    )

    with pytest.raises(CommandError, match="starts_at"):
        run(str(path), "--organisation", organisation.slug, "--capacity", "60")

    assert Event.objects.count() == 0
