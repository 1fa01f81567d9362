"""`frukost replay-erasures`: after restoring a backup, erase again what people had erased since."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from frukost.core import erasure_journal
from frukost.privacy.selfservice import replay_erasure_journal


class Command(BaseCommand):
    help = (
        "Erase again the registrations and consents people had erased (the rows named in "
        "$FRUKOST_DATA_DIR/erasures.log by id, organisation and creation time) that a restored "
        "backup brought back; a row that got the same id later is left alone. `frukost restore` "
        "runs this itself; running it twice changes nothing."
    )

    def handle(self, *args, **options):
        registrations, contacts = replay_erasure_journal()
        self.stdout.write(
            f"erasure journal {erasure_journal.path()}: {registrations} registration(s) and "
            f"{contacts} contact(s) erased again"
        )
