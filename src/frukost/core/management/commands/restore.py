"""`frukost restore FILE`: put a backup made by `frukost backup` back into the database."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from frukost.core.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup made by `frukost backup` (a .sqlite3 or a "
        ".dump file), then migrate it to this release and erase again what people had erased since "
        "(the erasure journal). Stop the web server and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, backup, no_input, **options):
        if not no_input:
            answer = input(
                f"Everything now in the database will be replaced by {backup}. "
                "Are the web server and the worker stopped? Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("nothing restored")
        try:
            restore(backup=backup)
        except BackupError as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        self.stdout.write(f"restored {backup}")
        # A backup from an older release gets this release's tables too.
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("migrated to this release")
        # Whoever asked to be erased after the backup was made must not come back with it.
        call_command("replay_erasures", stdout=self.stdout)
