"""`frukost backup`: the database and uploads into FRUKOST_BACKUP_DIR, old copies removed."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from frukost.core.backups import BackupError, back_up


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup API or pg_dump) and the uploads into "
        "FRUKOST_BACKUP_DIR; remove copies older than FRUKOST_BACKUP_KEEP_DAYS days. Exits non-zero "
        "if anything fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, default=None, help="Directory (default FRUKOST_BACKUP_DIR).")
        parser.add_argument("--keep-days", type=int, default=None, help="Default FRUKOST_BACKUP_KEEP_DAYS.")

    def handle(self, *args, to, keep_days, **options):
        destination = to or Path(settings.FRUKOST_BACKUP_DIR)
        keep = settings.FRUKOST_BACKUP_KEEP_DAYS if keep_days is None else keep_days
        if keep < 1:
            raise CommandError("--keep-days must be at least 1")
        try:
            result = back_up(destination=destination, keep_days=keep)
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        for path in result.files:
            self.stdout.write(f"wrote {path}")
        for path in result.removed:
            self.stdout.write(f"removed {path} (older than {keep} days)")
