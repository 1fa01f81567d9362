"""The erasure journal: which rows people had erased, kept outside the database.

A backup restored after someone asked to be erased would bring them back. So every erasure a
person asked for (their own erase, one from a data-request link, a withdrawn consent to future
invitations or to being contacted by the local representative) appends one line to
`settings.FRUKOST_ERASURE_JOURNAL` ($FRUKOST_DATA_DIR/erasures.log), and `frukost restore`
replays the file after restoring (`frukost replay-erasures` does it alone). A line holds ids
and times only, never personal data:

    {"at": "2029-05-20T08:00:00+00:00", "organisation": 3,
     "registrations": [{"id": 41, "created": "2029-05-02T09:14:07.123456+00:00"}], "contacts": [],
     "leads": [], "invitees": [{"id": 907, "created": "2029-04-02T10:00:00.000000+00:00"}],
     "unsubscribed": [{"id": 907, "created": "2029-04-02T10:00:00.000000+00:00"}]}

(on one line). A row is named by its id AND its creation time, to the microsecond: a restore
brings back the id counters too (SQLite's sqlite_sequence, pg_restore's setval), so an id handed
out after the backup is handed out again, to somebody else; the replay erases a row only if its
id, organisation and creation time all match. An invitee (frukost.invitations) has no creation
time of its own: it is named by its id and its invitation list's creation time (an import makes a
new list, so an invitee id handed out again after a restore sits on a list made later), and
`unsubscribed` names invitees (the same way) who had unsubscribed from invitations, so the replay
puts their address back on the do-not-mail list (before deleting the row, if it is in `invitees`
too). An unsubscribe is an objection a restore must not undo either: the unsubscribe page may
write a line with `unsubscribed` alone.

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
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    """One erased row: its id and when it was created."""

    id: int
    created: dt.datetime


@dataclass(frozen=True)
class Entry:
    at: dt.datetime | None
    organisation_id: int | None
    registrations: list[Row]
    contacts: list[Row]
    leads: list[Row]
    invitees: list[Row] = field(default_factory=list)
    unsubscribed: list[Row] = field(default_factory=list)

    def names(self, row: Row, *, pk: int, organisation_id: int, created: dt.datetime) -> bool:
        """Whether the row found in the database (id `pk`, its organisation, its creation time)
        is the one this line says was erased, and not one that got the id again after a restore."""
        return pk == row.id and organisation_id == self.organisation_id and created == row.created


def _row(value: dict) -> Row:
    return Row(id=int(value["id"]), created=dt.datetime.fromisoformat(value["created"]))


def _created(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def path() -> Path:
    return Path(settings.FRUKOST_ERASURE_JOURNAL)


def record(
    *,
    organisation_id: int,
    registrations: Sequence[tuple[int, dt.datetime]] = (),
    contacts: Sequence[tuple[int, dt.datetime]] = (),
    leads: Sequence[tuple[int, dt.datetime]] = (),
    invitees: Sequence[tuple[int, dt.datetime]] = (),
    unsubscribed: Sequence[tuple[int, dt.datetime]] = (),
    now: dt.datetime | None = None,
) -> None:
    """Append one line naming the erased rows, each as (id, creation time). The file is readable
    by its owner only (it says who was erased when, by id: made 0600 on every append, should
    someone have loosened it) and flushed to disk before returning. If it cannot be written the
    erasure still happens (the person asked for it) and the line goes to the error log instead,
    which is outside the database too but kept two weeks only: the operator must copy it into
    the journal by hand (docs/privacy.md, Backups)."""
    line = json.dumps(
        {
            "at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
            "organisation": organisation_id,
            "registrations": [{"id": int(pk), "created": _created(at)} for pk, at in sorted(registrations)],
            "contacts": [{"id": int(pk), "created": _created(at)} for pk, at in sorted(contacts)],
            "leads": [{"id": int(pk), "created": _created(at)} for pk, at in sorted(leads)],
            "invitees": [{"id": int(pk), "created": _created(at)} for pk, at in sorted(invitees)],
            "unsubscribed": [{"id": int(pk), "created": _created(at)} for pk, at in sorted(unsubscribed)],
        }
    )
    journal = path()
    try:
        journal.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # The mode above counts only when the file is created; an existing one is tightened.
            os.fchmod(descriptor, 0o600)
            os.write(descriptor, (line + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as exc:
        logger.error(
            "cannot write the erasure journal %s (%s); add this line to it by hand: %s",
            journal,
            exc.strerror,
            line,
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
                at = dt.datetime.fromisoformat(data["at"]) if data.get("at") else None
                yield Entry(
                    at=at,
                    organisation_id=data.get("organisation"),
                    registrations=[_row(value) for value in data.get("registrations", [])],
                    contacts=[_row(value) for value in data.get("contacts", [])],
                    leads=[_row(value) for value in data.get("leads", [])],
                    invitees=[_row(value) for value in data.get("invitees", [])],
                    unsubscribed=[_row(value) for value in data.get("unsubscribed", [])],
                )
            except (ValueError, TypeError, AttributeError, KeyError):
                continue
