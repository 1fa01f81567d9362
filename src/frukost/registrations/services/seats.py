"""Seat arithmetic shared by the services. Call only inside a transaction holding the event lock."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from frukost.events.enums import EventStatus
from frukost.events.models import MAX_COLLEAGUE_HOLD_HOURS, Event
from frukost.registrations.exceptions import EventNotOpen, RegistrationClosed
from frukost.registrations.models import Registration, seat_taken_q


def lock_event(event_id: int) -> Event:
    """Fetch the event row with a write lock.

    Every change that takes or frees a seat goes through here first, so two requests for the
    last seat are serialised: SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
    transaction (see settings) already holds the database's write lock.
    """
    return Event.objects.select_for_update().select_related("organisation").get(pk=event_id)


def seats_taken(event: Event) -> int:
    """Seats counted against the seat limit (Event.seat_limit: capacity + overbooking): confirmed
    attendees, seats held for colleagues and seats offered from the waiting list (claim window)."""
    return Registration.objects.filter(seat_taken_q(), event=event).count()


def ensure_open(event: Event, now: dt.datetime) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise EventNotOpen
    if now >= event.registration_closes_at or now >= event.starts_at:
        raise RegistrationClosed


def hold_until(event: Event, now: dt.datetime) -> dt.datetime:
    """How long a seat is held for an unconfirmed colleague: never past the deadline or the start.

    Whatever number of hours is stored or configured, the hold is between one hour and
    MAX_COLLEAGUE_HOLD_HOURS (a huge number must not overflow the date into a 500).
    """
    hours = event.colleague_hold_hours
    if hours is None:
        hours = settings.FRUKOST_COLLEAGUE_HOLD_HOURS
    hours = min(max(hours, 1), MAX_COLLEAGUE_HOLD_HOURS)
    until = now + dt.timedelta(hours=hours)
    if now < event.registration_closes_at:
        until = min(until, event.registration_closes_at)
    return min(until, event.starts_at)


def hold_seat_for_colleague(registration: Registration, event: Event, now: dt.datetime | None = None) -> None:
    """Set the hold deadline and when to remind (half-way through the hold)."""
    now = now or timezone.now()
    registration.hold_expires_at = hold_until(event, now)
    registration.remind_after = now + (registration.hold_expires_at - now) / 2
