"""Changes to an event that the people registered for it must hear about, or that move seats.

Each locks the event row (seats.lock_event) like every change to seats, validates its input
itself, and queues one e-mail per registered or waitlisted person in the same transaction,
so a change that rolls back tells nobody and one that commits tells everyone.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.exceptions import CapacityBelowSeatsTaken, InvalidEvent, WrongStatus
from frukost.events.models import Event
from frukost.events.services import EDITABLE_FIELDS, audit_overbooking, validate_event
from frukost.mail.renderers import Rendered
from frukost.registrations import notifications
from frukost.registrations.enums import ACTIVE_STATUSES, Status
from frukost.registrations.models import Registration
from frukost.registrations.services.reminders import reschedule_still_coming
from frukost.registrations.services.seats import lock_event, seats_taken
from frukost.registrations.services.waitlist import OFFER_MARGIN, promote_from_waiting_list, void_offers

TIME_FIELDS = ("starts_at", "ends_at", "doors_at")
PLACE_FIELDS = ("venue_name", "street_address", "postal_code", "city", "online", "online_url")
# What a calendar entry shows: a change makes calendar clients take the new .ics (RFC 5545 SEQUENCE).
CALENDAR_FIELDS = (*TIME_FIELDS, *PLACE_FIELDS, "title")
# What people registered must be told about (a new title or text alone mails nobody).
NOTIFYING_FIELDS = (*TIME_FIELDS, *PLACE_FIELDS)


@dataclass(frozen=True)
class EventChange:
    """What a change did (or, previewed, would do) to an event."""

    event: Event
    changed: dict[str, tuple[object, object]] = field(default_factory=dict)
    promoted: tuple[Registration, ...] = ()

    @property
    def notifies(self) -> bool:
        return any(name in self.changed for name in NOTIFYING_FIELDS)

    @property
    def calendar_changed(self) -> bool:
        return any(name in self.changed for name in CALENDAR_FIELDS)


@dataclass(frozen=True)
class Recipients:
    """How many people a change or a cancellation e-mails, and the message one of them would get."""

    registered: int
    waitlisted: int
    message: Rendered | None = None

    @property
    def total(self) -> int:
        return self.registered + self.waitlisted


@dataclass(frozen=True)
class EventChangePreview:
    change: EventChange
    recipients: Recipients


def _active(event: Event):
    """Who is told of a change: the active registrations, except colleagues never told of theirs
    (their invitation waits for the registrant to confirm their address), and walk-ins who gave
    no address at the door."""
    return (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .exclude(invitation_held=True)
        .exclude(email="")
        .order_by("status", "id")
    )


def _value(event: Event, name: str):
    return getattr(event, "series_id" if name == "series" else name)


def _diff(event: Event, changes: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    changed = {}
    for name, new in changes.items():
        new_value = getattr(new, "pk", new) if name == "series" else new
        if name == "series" and new is not None and new.organisation_id != event.organisation_id:
            raise InvalidEvent({"series": [_("Choose one of your own series.")]})
        old = _value(event, name)
        if old != new_value:
            changed[name] = (old, new_value)
    return changed


def _apply_and_check(event: Event, changes: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    """Apply the changes to the (locked or copied) event and check them; returns what differs."""
    if event.status == EventStatus.CANCELLED:
        raise WrongStatus(_("A cancelled event cannot be changed."))
    changed = _diff(event, changes)
    for name in changed:
        setattr(event, name, changes[name])
    if not changed:
        return changed
    validate_event(event)
    if "slug" in changed:
        taken = Event.objects.filter(organisation_id=event.organisation_id, slug=event.slug)
        if taken.exclude(pk=event.pk).exists():
            raise InvalidEvent(
                {"slug": [_("Another event of yours already has this address; choose another.")]}
            )
    if "capacity" in changed:
        # Fewer seats than people who have one is refused (nobody is moved out). Overbooked
        # seats count: with 4 overbooked, 64 seated people need a capacity of 60. Lowering the
        # overbooking itself is always allowed: it only stops new seats (see the form).
        taken = seats_taken(event)
        old_capacity = changed["capacity"][0]
        if event.capacity < old_capacity and event.seat_limit < taken:
            raise CapacityBelowSeatsTaken(
                capacity=event.capacity, seats_taken=taken, overbooking=event.overbooking
            )
    return changed


def update_event(*, event: Event, changes: Mapping[str, object], actor=None) -> EventChange:
    """Change an event's details; tell everyone registered or waitlisted when time or place change.

    `changes` maps field names (EDITABLE_FIELDS) to new values; only those that differ count.
    SEQUENCE rises only when what a calendar shows changes (time, place, title), so clients
    replace the entry they hold. More seats (capacity or overbooking) move the waiting list up in
    order (each promoted person is e-mailed); fewer seats than are taken raise
    CapacityBelowSeatsTaken and nothing is saved. Raises InvalidEvent for values that do not make
    an event, WrongStatus when cancelled. A new start reschedules the "still coming?" e-mail.
    """
    with transaction.atomic():
        current = lock_event(event.pk)
        before = copy.copy(current)
        changed = _apply_and_check(current, changes)
        if not changed:
            return EventChange(event=current)
        change = EventChange(event=current, changed=changed)
        if change.calendar_changed:
            current.ical_sequence += 1
        current.save()
        fields = sorted(name for name in changed if name != "overbooking")
        if fields:
            audit("event.changed", event_id=current.pk, actor=actor, fields=fields)
        if "overbooking" in changed:
            audit_overbooking(current, before=before.overbooking, actor=actor)
        if current.starts_at < before.starts_at:
            # A seat is never held for an unconfirmed colleague past the start (seats.hold_until).
            Registration.objects.filter(
                event=current, status=Status.REGISTERED, hold_expires_at__gt=current.starts_at
            ).update(hold_expires_at=current.starts_at)
            # Nor an offer from the waiting list past the new start less the margin.
            Registration.objects.filter(
                event=current, offer_expires_at__gt=current.starts_at - OFFER_MARGIN
            ).update(offer_expires_at=current.starts_at - OFFER_MARGIN)
        if "starts_at" in changed:
            reschedule_still_coming(current)
        promoted: list[Registration] = []
        if current.seat_limit > before.seat_limit:
            promoted = promote_from_waiting_list(event=current)
        if change.notifies:
            told = 0
            for registration in _active(current):
                registration.event = current
                notifications.send_event_changed(registration, before=before)
                told += 1
            audit("event.change_announced", event_id=current.pk, actor=actor, recipients=told)
    return EventChange(event=current, changed=changed, promoted=tuple(promoted))


def change_capacity(*, event: Event, capacity: int, actor=None) -> EventChange:
    """Set the number of seats. Raising it promotes the waiting list in order (with mail);
    lowering it below the seats taken raises CapacityBelowSeatsTaken."""
    return update_event(event=event, changes={"capacity": capacity}, actor=actor)


def preview_event_change(*, event: Event, changes: Mapping[str, object]) -> EventChangePreview:
    """What update_event would do, without saving: what changes, who is told, and the e-mail one
    of them would get. Raises what update_event raises."""
    current = Event.objects.select_related("organisation").get(pk=event.pk)
    before = copy.copy(current)
    changed = _apply_and_check(current, changes)
    change = EventChange(event=current, changed=changed)
    if not change.notifies:
        return EventChangePreview(change=change, recipients=_counts(current))
    first = _active(current).order_by("id").first()
    message = notifications.preview_event_changed(first, event=current, before=before) if first else None
    return EventChangePreview(change=change, recipients=_counts(current, message))


def _counts(event: Event, message: Rendered | None = None) -> Recipients:
    statuses = list(_active(event).values_list("status", flat=True))
    return Recipients(
        registered=statuses.count(Status.REGISTERED),
        waitlisted=statuses.count(Status.WAITLISTED),
        message=message,
    )


def preview_event_cancellation(*, event: Event) -> Recipients:
    """Who cancelling the event would tell, and the e-mail one of them would get; saves nothing."""
    current = Event.objects.select_related("organisation").get(pk=event.pk)
    if current.status == EventStatus.CANCELLED:
        raise WrongStatus(_("The event is already cancelled."))
    shown = copy.copy(current)
    shown.status = EventStatus.CANCELLED
    first = _active(current).order_by("id").first()
    return _counts(current, notifications.preview_event_cancelled(first, event=shown) if first else None)


def cancel_event(*, event: Event, actor=None) -> int:
    """Cancel the event: its page says so, and everyone registered or waitlisted gets an e-mail
    with a calendar file that removes the entry (METHOD:CANCEL). Returns how many were told.

    Registrations keep their status as a record of who was coming; seats held for unconfirmed
    colleagues stop counting down, so nobody is reminded or "released" afterwards.
    """
    with transaction.atomic():
        current = lock_event(event.pk)
        if current.status == EventStatus.CANCELLED:
            raise WrongStatus(_("The event is already cancelled."))
        if current.status == EventStatus.DRAFT:
            # A cancelled event keeps a public page saying so: a draft was never announced.
            raise WrongStatus(_("A draft has not been announced, so there is nothing to cancel."))
        current.status = EventStatus.CANCELLED
        current.ical_sequence += 1
        current.save(update_fields=["status", "ical_sequence", "updated_at"])
        Registration.objects.filter(
            event=current, status=Status.REGISTERED, confirmed_at__isnull=True
        ).update(hold_expires_at=None, remind_after=None)
        void_offers(current)  # the seats offered from the waiting list are gone with the event
        recipients = list(_active(current))
        for registration in recipients:
            registration.event = current
            notifications.send_event_cancelled(registration)
        audit("event.cancelled", event_id=current.pk, actor=actor, recipients=len(recipients))
    return len(recipients)
