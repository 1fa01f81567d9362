"""`frukost retention`: erase the personal data that is due, once (the worker does it daily)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from frukost.events.models import STOCKHOLM
from frukost.privacy.retention import (
    EVENT_KINDS,
    INVITATION_KINDS,
    LEADS,
    MAIL_KINDS,
    Report,
    run_retention,
)

LABELS = {
    "needs": "diets and needs",
    "catering_notes": "catering lists' diet notes",
    "membership": "membership answers",
    "cancelled": "cancelled/released anonymised",
    "links": "personal links",
    "identity": "registrations anonymised",
    "old_mail": "old mail recipients and subjects",
    "leads": "leads (consents to be contacted) deleted",
    "invitee_membership": "invitees' membership values",
    "invitees": "invitees deleted (with their invitation links)",
}


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of wants a date as YYYY-MM-DD, not {value!r}.", returncode=2) from None


class Command(BaseCommand):
    help = (
        "Erase the personal data whose retention period has ended (diets and needs, membership, "
        "cancelled registrations, personal links, names and addresses, old mail, old leads, invitation "
        "lists). The worker runs "
        "this daily on its own."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would go, per kind and event."
        )
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="Run as if today were this day (Stockholm)."
        )

    def handle(self, *args, dry_run=False, as_of=None, **options):
        now = timezone.now()
        today = None
        if as_of:
            today = _day(as_of)
            # The same wall-clock time on that day: the outbox's ages count from it.
            now = dt.datetime.combine(today, timezone.localtime(now, STOCKHOLM).time(), tzinfo=STOCKHOLM)
        report = run_retention(today=today, now=now, dry_run=dry_run)
        self._print(report)

    def _print(self, report: Report) -> None:
        verb = "Would erase" if report.dry_run else "Erased"
        self.stdout.write(
            f"Retention as of {report.today.isoformat()}{' (dry run)' if report.dry_run else ''}"
        )
        for event in report.events:
            self.stdout.write(f"  event {event.event_id} ({event.day.isoformat()}, {event.title}):")
            for kind in EVENT_KINDS:
                if event.counts.get(kind):
                    self.stdout.write(f"    {LABELS[kind]}: {event.counts[kind]}")
        for kind in MAIL_KINDS:
            if report.mail.get(kind):
                self.stdout.write(f"  outbox {LABELS[kind]}: {report.mail[kind]}")
        for organisation_id, count in sorted(report.leads.items()):
            self.stdout.write(f"  organisation {organisation_id} {LABELS[LEADS]}: {count}")
        for organisation_id, counts in sorted(report.invitations.items()):
            for kind in INVITATION_KINDS:
                if counts.get(kind):
                    self.stdout.write(f"  organisation {organisation_id} {LABELS[kind]}: {counts[kind]}")
        totals = report.totals
        if not any(totals.values()):
            self.stdout.write(f"{verb}: nothing is due.")
            return
        summary = ", ".join(f"{LABELS[kind]} {count}" for kind, count in totals.items() if count)
        self.stdout.write(f"{verb} in {len(report.events)} event(s): {summary}")
