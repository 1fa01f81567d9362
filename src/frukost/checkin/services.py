"""Checking people in at the door, handing out the book, and the door's counters.

Idempotent twice over: a repeated `client_id` (a device replaying its request) returns the row it
created, and a second device checking the same person in gets the first check-in back with
`already=True` ("already checked in at 07.42"). The OneToOne on the registration makes the race
between two devices end in one row on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frukost.checkin.exceptions import NoSeat, NotCheckedIn
from frukost.checkin.models import CheckIn
from frukost.checkin.walkins import WalkInResult as WalkInResult
from frukost.checkin.walkins import may_seat_beyond_capacity as may_seat_beyond_capacity
from frukost.checkin.walkins import register_walk_in as register_walk_in
from frukost.core.formats import clock
from frukost.core.models import audit
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration


@dataclass(frozen=True)
class CheckInResult:
    check_in: CheckIn
    already: bool  # True when someone (another device) had checked the person in before

    @property
    def message(self) -> str:
        time = clock(self.check_in.checked_in_at)
        if self.already:
            return _("Already checked in at %(time)s.") % {"time": time}
        return _("Checked in at %(time)s.") % {"time": time}


@dataclass(frozen=True)
class DoorCounts:
    arrived: int
    expected: int
    books: int
    walk_ins: int = 0  # registered at the door (also counted in arrived and expected)


def _audit(action: str, registration: Registration, actor) -> None:
    audit(action, event_id=registration.event_id, registration_id=registration.pk, actor=actor)


def _ensure_seated(registration: Registration) -> None:
    if registration.anonymised_at is not None:
        raise NoSeat(_("This registration no longer exists."))
    if registration.status == Status.WAITLISTED:
        raise NoSeat(_("%(name)s is on the waiting list and has no seat.") % {"name": registration.full_name})
    if registration.status != Status.REGISTERED:
        raise NoSeat(_("%(name)s has cancelled and has no seat.") % {"name": registration.full_name})
    if not registration.is_confirmed:
        raise NoSeat(
            _("%(name)s has not confirmed the invitation yet and has no seat.")
            % {"name": registration.full_name}
        )


def check_in(
    *,
    registration: Registration,
    actor,
    client_id: uuid.UUID | str | None = None,
    at: dt.datetime | None = None,
) -> CheckInResult:
    """Check a seated person in; a person already checked in is returned as they are."""
    if client_id is not None:
        client_id = uuid.UUID(str(client_id))
        replay = CheckIn.objects.filter(client_id=client_id).first()
        if replay is not None and replay.registration_id == registration.pk:
            return CheckInResult(replay, already=False)
        if replay is not None:
            client_id = None  # a confused client reused its id for someone else: not an idempotency key
    existing = CheckIn.objects.filter(registration=registration).first()
    if existing is not None:
        return CheckInResult(existing, already=True)
    _ensure_seated(registration)
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(
                registration=registration,
                event_id=registration.event_id,
                checked_in_at=at or timezone.now(),
                checked_in_by=actor,
                client_id=client_id,
            )
            _audit("checkin.checked_in", registration, actor)
    except IntegrityError:
        # Another device won the race (or replayed the same client_id): theirs is the check-in.
        if client_id is not None:
            replay = CheckIn.objects.filter(client_id=client_id).first()
            if replay is not None and replay.registration_id == registration.pk:
                return CheckInResult(replay, already=False)
        return CheckInResult(CheckIn.objects.get(registration=registration), already=True)
    return CheckInResult(row, already=False)


def undo_check_in(*, registration: Registration, actor) -> None:
    """Take a check-in back (a tap on the wrong name); the book goes with it."""
    with transaction.atomic():
        deleted, _rows = CheckIn.objects.filter(registration=registration).delete()
        if not deleted:
            raise NotCheckedIn(_("%(name)s is not checked in.") % {"name": registration.full_name})
        _audit("checkin.undone", registration, actor)


def hand_out_book(*, registration: Registration, actor, at: dt.datetime | None = None) -> CheckIn:
    """Mark the book handed out; only to someone checked in. Handing it twice changes nothing."""
    with transaction.atomic():
        row = CheckIn.objects.select_for_update().filter(registration=registration).first()
        if row is None:
            raise NotCheckedIn(
                _("Check %(name)s in before handing out the book.") % {"name": registration.full_name}
            )
        if row.book_handed_at is None:
            row.book_handed_at = at or timezone.now()
            row.book_handed_by = actor
            row.save(update_fields=["book_handed_at", "book_handed_by"])
            _audit("checkin.book_handed", registration, actor)
    return row


def undo_book(*, registration: Registration, actor) -> None:
    with transaction.atomic():
        updated = CheckIn.objects.filter(registration=registration, book_handed_at__isnull=False).update(
            book_handed_at=None, book_handed_by=None
        )
        if updated:
            _audit("checkin.book_undone", registration, actor)


def door_counts(event) -> DoorCounts:
    """Arrived / expected (everyone with a confirmed seat) / books handed out / walk-ins: two
    queries."""
    expected = Registration.objects.filter(
        event=event, status=Status.REGISTERED, confirmed_at__isnull=False, anonymised_at__isnull=True
    ).count()
    figures = CheckIn.objects.filter(event=event).aggregate(
        arrived=Count("pk"),
        books=Count("pk", filter=Q(book_handed_at__isnull=False)),
        walk_ins=Count("pk", filter=Q(walk_in=True)),
    )
    return DoorCounts(
        arrived=figures["arrived"], expected=expected, books=figures["books"], walk_ins=figures["walk_ins"]
    )
