"""Checking people in at the door, handing out the book, and the door's counters.

Idempotent twice over: a repeated `client_id` (a device replaying its request) is answered as it
was the first time and never applied again (a DeviceOperation remembers it, so a replay after an
undo does not check the person in again), and a second device checking the same person in gets
the first check-in back with `already=True` ("already checked in at 07.42"), the earlier of the
two tap times kept as the arrival. Each change locks the registration row, so taps for one person
run one after the other; the OneToOne on the registration settles any race left, on SQLite and
PostgreSQL alike. Offline batches: frukost.checkin.sync.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frukost.checkin.exceptions import CheckInUndone, NoSeat, NotCheckedIn, Superseded
from frukost.checkin.models import CheckIn, DeviceOperation, DoorAction
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
    # When already: the time the other device's check-in had (the arrival kept may be earlier).
    their_at: dt.datetime | None = None

    @property
    def shown_at(self) -> dt.datetime:
        return self.their_at or self.check_in.checked_in_at

    @property
    def message(self) -> str:
        time = clock(self.shown_at)
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


def lock_person(registration: Registration) -> None:
    """Lock the registration row until the transaction ends: one tap for a person at a time
    (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers)."""
    list(Registration.objects.select_for_update().filter(pk=registration.pk).values_list("pk"))


def remembered(client_id: uuid.UUID | None) -> DeviceOperation | None:
    return None if client_id is None else DeviceOperation.objects.filter(client_id=client_id).first()


def remember(
    *,
    client_id: uuid.UUID | None,
    registration: Registration,
    action: str,
    outcome: str,
    tapped_at: dt.datetime,
    answer_at: dt.datetime | None = None,
) -> None:
    """Note a device's tap by its id, in the transaction that applied it (see DeviceOperation)."""
    if client_id is not None:
        DeviceOperation.objects.create(
            client_id=client_id,
            event_id=registration.event_id,
            registration_id=registration.pk,
            action=action,
            outcome=outcome,
            tapped_at=tapped_at,
            answer_at=answer_at,
        )


def _replayed_check_in(operation: DeviceOperation, registration: Registration) -> CheckInResult:
    row = CheckIn.objects.filter(registration=registration).first()
    if row is None:
        # The check-in this tap made (or met) has been undone since: a resent tap is no new one.
        raise CheckInUndone(
            _("The check-in of %(name)s was undone after this tap. Check them in again if they are here.")
            % {"name": registration.full_name}
        )
    already = operation.outcome == DeviceOperation.Outcome.ALREADY
    return CheckInResult(row, already=already, their_at=operation.answer_at if already else None)


def check_in(
    *,
    registration: Registration,
    actor,
    client_id: uuid.UUID | str | None = None,
    at: dt.datetime | None = None,
    correction: bool = False,
) -> CheckInResult:
    """Check a seated person in; a person already checked in is returned as they are.

    `at` is when the door tapped (an offline device syncing later); when another device has
    checked the person in meanwhile, the earlier tap time becomes the arrival time. A replayed
    `client_id` gets its first answer again, or CheckInUndone if that check-in was undone since.

    `correction`: an organiser records afterwards that the person came (checkin.attendance), so
    the history says "checkin.corrected" rather than a check-in at the door.
    """
    tapped_at = at or timezone.now()
    if client_id is not None:
        client_id = uuid.UUID(str(client_id))
    with transaction.atomic():
        lock_person(registration)
        operation = remembered(client_id)
        if operation is not None:
            if operation.registration_id == registration.pk and operation.action == DoorAction.CHECK_IN:
                return _replayed_check_in(operation, registration)
            client_id = None  # a confused client reused its id for something else: not an idempotency key
        existing = CheckIn.objects.filter(registration=registration).first()
        if existing is None:
            _ensure_seated(registration)
            try:
                with transaction.atomic():
                    row = CheckIn.objects.create(
                        registration=registration,
                        event_id=registration.event_id,
                        checked_in_at=tapped_at,
                        checked_in_by=actor,
                        client_id=client_id,
                    )
                    _audit("checkin.corrected" if correction else "checkin.checked_in", registration, actor)
                    remember(
                        client_id=client_id,
                        registration=registration,
                        action=DoorAction.CHECK_IN,
                        outcome=DeviceOperation.Outcome.DONE,
                        tapped_at=tapped_at,
                    )
                return CheckInResult(row, already=False)
            except IntegrityError:
                # Another device's check-in committed outside our lock: theirs is the check-in.
                existing = CheckIn.objects.get(registration=registration)
        their_at = existing.checked_in_at
        if tapped_at < their_at:
            existing.checked_in_at = tapped_at  # the person came when the first device saw them
            existing.save(update_fields=["checked_in_at"])
        remember(
            client_id=client_id,
            registration=registration,
            action=DoorAction.CHECK_IN,
            outcome=DeviceOperation.Outcome.ALREADY,
            tapped_at=tapped_at,
            answer_at=their_at,
        )
        return CheckInResult(existing, already=True, their_at=their_at)


def undo_check_in(
    *, registration: Registration, actor, at: dt.datetime | None = None, correction: bool = False
) -> None:
    """Take a check-in back (a tap on the wrong name); the book goes with it.

    `correction`: an organiser records afterwards that the person did not come after all
    (audited as "checkin.corrected_absent").

    An undo tapped at `at` (offline, synced later) takes back only a check-in with an arrival no
    later than that: someone checked in again after the tap stays checked in (Superseded).
    """
    with transaction.atomic():
        lock_person(registration)
        row = CheckIn.objects.filter(registration=registration).first()
        if row is None:
            raise NotCheckedIn(_("%(name)s is not checked in.") % {"name": registration.full_name})
        if at is not None and row.checked_in_at > at:
            raise Superseded(
                _("%(name)s was checked in again at %(time)s on another device; that check-in stands.")
                % {"name": registration.full_name, "time": clock(row.checked_in_at)}
            )
        row.delete()
        _audit("checkin.corrected_absent" if correction else "checkin.undone", registration, actor)


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
