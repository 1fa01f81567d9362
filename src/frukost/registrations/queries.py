"""Read-only questions about registrations, shaped for pages and exports."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from frukost.events.enums import EventStatus, RegistrationState
from frukost.events.models import Event
from frukost.registrations.enums import ACTIVE_STATUSES, Status
from frukost.registrations.models import Registration


def with_seat_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `seats_taken` and `waiting` so lists need no query per event."""
    return events.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status=Status.REGISTERED)),
        waiting=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
    )


def upcoming_public_events() -> QuerySet[Event]:
    """Published (and cancelled, which keep their page) events that have not ended, soonest first."""
    return with_seat_counts(
        Event.objects.filter(
            status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED], ends_at__gte=timezone.now()
        ).select_related("organisation")
    ).order_by("starts_at", "id")


def registration_state(
    event: Event, *, seats_taken: int, now: dt.datetime | None = None
) -> RegistrationState:
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return RegistrationState.CANCELLED
    if event.status == EventStatus.DRAFT:
        return RegistrationState.DRAFT
    if now >= event.registration_closes_at or now >= event.starts_at:
        return RegistrationState.CLOSED
    free = event.capacity - seats_taken
    if free <= 0:
        return RegistrationState.WAITING_LIST
    if free <= event.few_seats_threshold:
        return RegistrationState.FEW_LEFT
    return RegistrationState.OPEN


def seats_left(event: Event, seats_taken: int) -> int:
    return max(event.capacity - seats_taken, 0)


def earlier_registrations(registration: Registration) -> int:
    """How many ended registrations this address had for the event before this one.

    Calendar files use it to raise SEQUENCE past an earlier cancellation (see mail.ical).
    """
    return (
        Registration.objects.filter(
            event_id=registration.event_id, email=registration.email, pk__lt=registration.pk
        )
        .exclude(status__in=ACTIVE_STATUSES)
        .count()
    )


def events_at_a_glance(events: QuerySet[Event]) -> QuerySet[Event]:
    """The back office's event list: seats taken, waiting list and unconfirmed colleagues per event
    in one query, soonest first (past events last)."""
    return with_seat_counts(events).annotate(
        unconfirmed=Count(
            "registrations",
            filter=Q(registrations__status=Status.REGISTERED, registrations__confirmed_at__isnull=True),
        )
    )
