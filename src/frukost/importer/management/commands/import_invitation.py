"""`frukost import-invitation FILE`: read an invitation text and create its event."""

from __future__ import annotations

import datetime as dt
import json
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from frukost.events.models import Organisation
from frukost.importer.exceptions import DraftIncomplete
from frukost.importer.parse import parse_invitation
from frukost.importer.services import create_event_from_draft

MAX_BYTES = 100_000


def read_invitation(raw: bytes) -> str:
    """The invitation as text, or CommandError (status 2) for empty, huge or binary input."""
    if len(raw) > MAX_BYTES:
        raise CommandError(
            f"The file is larger than {MAX_BYTES // 1000} kB; is it really an invitation?", returncode=2
        )
    if b"\x00" in raw:
        raise CommandError(
            "The file is not text (it contains NUL bytes). Save the invitation as plain text.", returncode=2
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"The file is not UTF-8 text (byte {error.start}). Save the invitation as plain UTF-8 text.",
            returncode=2,
        ) from error
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\n\r\t\f")
    if controls > max(2, len(text) // 100):
        raise CommandError("The file is not text (it is full of control characters).", returncode=2)
    if not text.strip():
        raise CommandError("The file is empty.", returncode=2)
    return text


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today must be a date like 2026-11-26, not {value!r}.", returncode=2) from error


class Command(BaseCommand):
    help = (
        "Read an invitation (plain text, Swedish or English) and create its event as a draft; with --json, "
        "print what was found and create nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the invitation as a UTF-8 text file, or - for standard input")
        parser.add_argument(
            "--today", help="the date to read yearless dates from (YYYY-MM-DD; default today)"
        )
        parser.add_argument(
            "--json", action="store_true", help="print the facts found as JSON; create nothing"
        )
        parser.add_argument("--organisation", help="the organisation's short name (slug)")
        parser.add_argument("--publish", action="store_true", help="publish the event at once")
        parser.add_argument("--capacity", type=int, help="number of seats (needed to create the event)")

    def handle(self, *args, **options):
        today = _date(options["today"]) if options["today"] else timezone.localdate()
        text = read_invitation(self._read(options["file"]))
        draft = parse_invitation(text, today=today)
        if options["json"]:
            self.stdout.write(json.dumps(draft.as_json(), ensure_ascii=False, indent=2))
            return
        organisation = self._organisation(options["organisation"])
        if options["capacity"] is None or options["capacity"] < 1:
            raise CommandError("Give the number of seats with --capacity N (at least 1).", returncode=2)
        for warning in draft.warnings:
            self.stderr.write(f"warning: {warning}")
        try:
            event = create_event_from_draft(
                draft=draft,
                organisation=organisation,
                capacity=options["capacity"],
                publish=options["publish"],
            )
        except DraftIncomplete as error:
            raise CommandError(f"Cannot create the event, the invitation lacks: {error}.") from error
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(f"Cannot create the event: {problems}") from error
        self.stdout.write(settings.BASE_URL + event.get_absolute_url())

    def _read(self, name: str) -> bytes:
        try:
            if name == "-":
                return sys.stdin.buffer.read(MAX_BYTES + 1)
            with open(name, "rb") as file:
                return file.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}.", returncode=2) from error

    def _organisation(self, slug: str | None) -> Organisation:
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise CommandError(f"No organisation with the short name {slug!r}.", returncode=2)
            return organisation
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) != 1:
            raise CommandError("Name the organisation with --organisation SLUG.", returncode=2)
        return organisations[0]
