"""Taps a door device queued while offline, applied in one batch when the network returns.

A device sends what it did, in the order it did it: `{op: checkin|undo|book|unbook, registration,
client_id (a UUID it made), at (when it was tapped)}`. `parse_operations` reads that (or raises
InvalidBatch: the batch is refused whole and nothing is applied), `apply_operations` applies each
tap in a transaction of its own, with the person's row locked, and answers each: done, already
(someone else got there first) or refused (with the reason, in the active language). The back
office's sync endpoint and a future REST API both call these two.

The rules, each because of what happens at a door with two phones and a flaky network:

- **The tap time counts.** A check-in's arrival is when the door tapped, not when the Wi-Fi came
  back; a time in the future or before the event's day (a phone with a wrong clock) is replaced by
  the time the server receives it.
- **A resent tap is answered, never applied again.** A client_id the server has seen gets its
  first answer again (a lost response, a resent queue); a check-in that was undone since stays
  undone (refused: "was undone after this tap").
- **Two devices, one person: one check-in.** The second to arrive is told "already checked in at
  07.42 (another device)", naming the other device's time; the earlier of the two tap times is
  kept as the arrival.
- **An undo undoes what its device could see.** It takes back a check-in with an arrival no later
  than the undo's tap; someone checked in again after that tap stays checked in (refused: "was
  checked in again at 07.50"). An undo for someone no longer checked in is "already".
- **The book needs a check-in.** A book tap for someone not checked in (undone elsewhere, or their
  check-in refused) is refused; a book already marked is "already". Undoing a book works as an
  undo does: a book marked again after the tap stands; no book to undo is "already".
- **A refused tap changed nothing** and is not remembered: sent again, it is tried again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frukost.checkin import services
from frukost.checkin.exceptions import CheckInError, InvalidBatch, NotCheckedIn, Superseded
from frukost.checkin.models import CheckIn, DeviceOperation, DoorAction
from frukost.core.formats import STOCKHOLM, clock, local
from frukost.registrations.models import Registration

MAX_OPERATIONS = 1000

DONE = "done"
ALREADY = "already"
REFUSED = "refused"


@dataclass(frozen=True)
class Operation:
    action: DoorAction
    registration_id: int
    client_id: uuid.UUID
    at: dt.datetime


@dataclass(frozen=True)
class OperationResult:
    client_id: uuid.UUID
    registration_id: int
    action: str
    status: str  # DONE, ALREADY or REFUSED
    message: str

    def as_json(self) -> dict:
        return {
            "client_id": str(self.client_id),
            "registration": self.registration_id,
            "op": self.action,
            "status": self.status,
            "message": self.message,
        }


def parse_operations(payload: object) -> list[Operation]:
    """A device's batch (parsed JSON) as operations; InvalidBatch names the first thing wrong."""
    if not isinstance(payload, dict) or not isinstance(payload.get("operations"), list):
        raise InvalidBatch(_("The sync request must be a JSON object with a list of operations."))
    items = payload["operations"]
    if len(items) > MAX_OPERATIONS:
        raise InvalidBatch(_("At most %(count)s operations at a time.") % {"count": MAX_OPERATIONS})
    operations = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidBatch(_("Operation %(number)s is not an object.") % {"number": number})
        action = item.get("op")
        if action not in DoorAction.values:
            raise InvalidBatch(
                _("Operation %(number)s: unknown op; use checkin, undo, book or unbook.") % {"number": number}
            )
        registration_id = item.get("registration")
        if (
            not isinstance(registration_id, int)
            or isinstance(registration_id, bool)
            or not 1 <= registration_id < 2**63  # a database id; a bigger number overflows the query
        ):
            raise InvalidBatch(_("Operation %(number)s: registration must be an id.") % {"number": number})
        try:
            client_id = uuid.UUID(str(item.get("client_id")))
        except ValueError:
            raise InvalidBatch(
                _("Operation %(number)s: client_id must be a UUID.") % {"number": number}
            ) from None
        try:
            at = dt.datetime.fromisoformat(item.get("at"))
        except (TypeError, ValueError):
            at = None
        if at is None or at.tzinfo is None:
            raise InvalidBatch(
                _("Operation %(number)s: at must be an ISO 8601 time with a time zone.") % {"number": number}
            )
        operations.append(Operation(DoorAction(action), registration_id, client_id, at))
    return operations


def tap_time(at: dt.datetime, *, event, now: dt.datetime) -> dt.datetime:
    """The tap time if it is sane (not in the future, not before the event's day), else now."""
    day_start = dt.datetime.combine(local(event.starts_at).date(), dt.time(), tzinfo=STOCKHOLM)
    if at > now or at < day_start:
        return now
    return at


def apply_operations(*, event, operations: Sequence[Operation], actor) -> list[OperationResult]:
    """Apply a device's queued taps in order, each on its own (see the module's rules).

    Every registration must be this event's: otherwise InvalidBatch and nothing is applied.
    """
    wanted = {operation.registration_id for operation in operations}
    people = {
        registration.pk: registration
        for registration in Registration.objects.filter(event=event, pk__in=wanted).only(
            "event_id", "first_name", "last_name", "status", "confirmed_at", "anonymised_at"
        )
    }
    unknown = sorted(wanted - people.keys())
    if unknown:
        raise InvalidBatch(
            _("No one at this event has the registration id %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
        )
    now = timezone.now()
    return [
        _apply(
            operation,
            people[operation.registration_id],
            actor=actor,
            at=tap_time(operation.at, event=event, now=now),
        )
        for operation in operations
    ]


def _result(operation: Operation, status: str, message: str) -> OperationResult:
    return OperationResult(operation.client_id, operation.registration_id, operation.action, status, message)


def _apply(operation: Operation, registration: Registration, *, actor, at: dt.datetime) -> OperationResult:
    name = registration.full_name
    if operation.action == DoorAction.CHECK_IN:
        try:
            result = services.check_in(
                registration=registration, actor=actor, client_id=operation.client_id, at=at
            )
        except CheckInError as exc:
            return _result(operation, REFUSED, str(exc))
        if result.already:
            message = _("%(name)s was already checked in at %(time)s (another device).")
            return _result(operation, ALREADY, message % {"name": name, "time": clock(result.shown_at)})
        message = _("%(name)s checked in at %(time)s.")
        return _result(
            operation, DONE, message % {"name": name, "time": clock(result.check_in.checked_in_at)}
        )
    with transaction.atomic():
        services.lock_person(registration)
        replay = services.remembered(operation.client_id)
        if (
            replay is not None
            and replay.registration_id == registration.pk
            and replay.action == operation.action
        ):
            return _answer(operation, name, replay.outcome, replay.answer_at)
        client_id = operation.client_id if replay is None else None  # a reused id is no idempotency key
        try:
            outcome, answer_at = _change(operation.action, registration, actor=actor, at=at)
        except CheckInError as exc:
            return _result(operation, REFUSED, str(exc))
        services.remember(
            client_id=client_id,
            registration=registration,
            action=operation.action,
            outcome=outcome,
            tapped_at=at,
            answer_at=answer_at,
        )
        return _answer(operation, name, outcome, answer_at)


def _change(
    action: str, registration: Registration, *, actor, at: dt.datetime
) -> tuple[str, dt.datetime | None]:
    """Undo, book or unbook under the person's lock: (outcome, the time the answer names)."""
    name = registration.full_name
    if action == DoorAction.UNDO:
        try:
            services.undo_check_in(registration=registration, actor=actor, at=at)
        except NotCheckedIn:
            return DeviceOperation.Outcome.ALREADY, None
        return DeviceOperation.Outcome.DONE, None
    row = CheckIn.objects.filter(registration=registration).first()
    if action == DoorAction.BOOK:
        if row is None:
            raise NotCheckedIn(
                _("The book for %(name)s was not marked: they are not checked in (undone elsewhere?).")
                % {"name": name}
            )
        if row.book_handed_at is not None:
            return DeviceOperation.Outcome.ALREADY, row.book_handed_at
        services.hand_out_book(registration=registration, actor=actor, at=max(at, row.checked_in_at))
        return DeviceOperation.Outcome.DONE, None
    # DoorAction.UNBOOK
    if row is None or row.book_handed_at is None:
        return DeviceOperation.Outcome.ALREADY, None
    if row.book_handed_at > at:
        raise Superseded(
            _("The book was marked for %(name)s again at %(time)s on another device; that stands.")
            % {"name": name, "time": clock(row.book_handed_at)}
        )
    services.undo_book(registration=registration, actor=actor)
    return DeviceOperation.Outcome.DONE, None


def _answer(operation: Operation, name: str, outcome: str, answer_at: dt.datetime | None) -> OperationResult:
    done = outcome == DeviceOperation.Outcome.DONE
    if operation.action == DoorAction.UNDO:
        message = (
            _("Check-in of %(name)s undone.")
            if done
            else _("The check-in of %(name)s had already been undone (another device).")
        )
        return _result(operation, DONE if done else ALREADY, message % {"name": name})
    if operation.action == DoorAction.BOOK:
        if done:
            return _result(operation, DONE, _("Book handed out to %(name)s.") % {"name": name})
        message = _("%(name)s had already got the book at %(time)s (another device).")
        return _result(operation, ALREADY, message % {"name": name, "time": clock(answer_at)})
    if done:
        return _result(operation, DONE, _("Book for %(name)s undone.") % {"name": name})
    message = _("The book for %(name)s had already been undone (another device).")
    return _result(operation, ALREADY, message % {"name": name})
