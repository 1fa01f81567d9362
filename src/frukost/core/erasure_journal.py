"""The erasure journal: the ids of what people had erased, kept outside the database.

A backup restored after someone asked to be erased would bring them back. So every erasure a
person asked for (their own erase, one from a data-request link, a withdrawn consent to future
invitations) appends one line to `settings.FRUKOST_ERASURE_JOURNAL` ($FRUKOST_DATA_DIR/
erasures.log), and `frukost restore` replays the file after restoring (`frukost
replay-erasures` does it alone). A line holds ids and a time only, never personal data:

    {"at": "2029-05-20T08:00:00+00:00", "organisation": 3, "registrations": [41], "contacts": []}

The retention run's erasures are not journalled: it redoes them by itself on its next run. The
line is written inside the erasure's transaction: should the transaction roll back after it, the
replay erases someone who asked to be erased anyway (and a replay is idempotent).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    organisation_id: int | None
    registration_ids: list[int]
    contact_ids: list[int]


def path() -> Path:
    return Path(settings.FRUKOST_ERASURE_JOURNAL)


def record(
    *,
    organisation_id: int | None,
    registration_ids: Sequence[int] = (),
    contact_ids: Sequence[int] = (),
    now: dt.datetime | None = None,
) -> None:
    """Append one line. The file is created readable by its owner only (it says who was erased
    when, by id) and flushed to disk before returning. If it cannot be written the erasure still
    happens (the person asked for it) and the line goes to the error log instead, which is
    outside the database too, for the operator to add by hand."""
    line = json.dumps(
        {
            "at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
            "organisation": organisation_id,
            "registrations": sorted(int(pk) for pk in registration_ids),
            "contacts": sorted(int(pk) for pk in contact_ids),
        }
    )
    journal = path()
    try:
        journal.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, (line + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as exc:
        logger.error(
            "cannot write the erasure journal %s (%s); add this line by hand: %s", journal, exc.strerror, line
        )


def entries() -> Iterator[Entry]:
    """The journal's lines, oldest first; a line that cannot be read (a torn last line after a
    crash) is skipped."""
    journal = path()
    if not journal.is_file():
        return
    with journal.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                data = json.loads(line)
                yield Entry(
                    organisation_id=data.get("organisation"),
                    registration_ids=[int(pk) for pk in data.get("registrations", [])],
                    contact_ids=[int(pk) for pk in data.get("contacts", [])],
                )
            except (ValueError, TypeError, AttributeError):
                continue
