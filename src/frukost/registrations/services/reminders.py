"""The "still coming?" e-mail: days before the event, once to everyone with a confirmed seat.

Scheduled in Stockholm time: Event.reminder_days_before days before the event's day, at
FRUKOST_REMINDER_HOUR (09:00), whatever the UTC offset that day (daylight saving included). The
worker calls send_still_coming_reminders every round; a person's mail is claimed by a
conditional UPDATE (attendee_reminded_at IS NULL -> now) in the transaction that queues it, so
with two workers exactly one UPDATE changes the row and exactly one mail is queued.

Who gets it: those whose seat was confirmed by the send time. Someone who registers (or is moved
up, or confirms) after it does not: they were e-mailed about their seat moments ago.

What it carries (notifications._still_coming): the event's facts (date and time in Stockholm,
breakfast from, venue and address, the book or gift, the contact), the check-in code, the `.ics`,
the personal link, and the button to the "can't come?" page, whose POST cancels; the freed seat
then goes through the waiting list's claim window (services.waitlist).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from frukost.events.enums import EventStatus
from frukost.events.models import MAX_REMINDER_DAYS_BEFORE, STOCKHOLM, Event
from frukost.registrations import notifications
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration


def still_coming_send_at(event: Event) -> dt.datetime | None:
    """When the event's "still coming?" e-mail goes out (None: the event sends none)."""
    if not event.reminder_days_before:
        return None
    day = timezone.localdate(event.starts_at, STOCKHOLM) - dt.timedelta(days=event.reminder_days_before)
    hour = min(max(settings.FRUKOST_REMINDER_HOUR, 0), 23)
    # A wall-clock time in Stockholm: zoneinfo gives the right offset for that date (+01 or +02).
    return dt.datetime.combine(day, dt.time(hour), tzinfo=STOCKHOLM)


def due_still_coming(event: Event, *, send_at: dt.datetime) -> QuerySet[Registration]:
    """Who is still to get the event's "still coming?" e-mail: a confirmed seat since before
    the send time, and not reminded yet."""
    return Registration.objects.filter(
        event=event,
        status=Status.REGISTERED,
        confirmed_at__lte=send_at,
        attendee_reminded_at__isnull=True,
        invitation_held=False,
    ).filter(Q(promoted_at__isnull=True) | Q(promoted_at__lte=send_at))


def send_still_coming_reminders(*, now: dt.datetime | None = None) -> int:
    """Queue the "still coming?" e-mail for every published, future event whose send time has
    come (the worker's housekeeping). Returns how many were queued by this call."""
    now = now or timezone.now()
    events = Event.objects.filter(
        status=EventStatus.PUBLISHED,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=MAX_REMINDER_DAYS_BEFORE + 1),
        reminder_days_before__gt=0,
    ).select_related("organisation")
    queued = 0
    for event in events:
        send_at = still_coming_send_at(event)
        if send_at is None or now < send_at:
            continue
        for registration in list(due_still_coming(event, send_at=send_at)):
            with transaction.atomic():
                # The claim: only one worker's UPDATE finds the row still unreminded (PostgreSQL
                # re-checks the condition after waiting for the other's row lock; SQLite's
                # IMMEDIATE transactions run one at a time). The mail is queued in the same
                # transaction, so a claim that rolls back queues nothing.
                claimed = Registration.objects.filter(
                    pk=registration.pk, attendee_reminded_at__isnull=True, status=Status.REGISTERED
                ).update(attendee_reminded_at=now)
                if not claimed:
                    continue
                registration.event = event
                notifications.send_still_coming(registration)
                queued += 1
    return queued


def reschedule_still_coming(event: Event, *, now: dt.datetime | None = None) -> int:
    """The event has moved: if its new send time is still ahead, those reminded for the old date
    are reminded again for the new one. (A send time already passed reminds nobody again: they
    have just been told of the change.) Call inside the change's transaction; returns how many."""
    now = now or timezone.now()
    send_at = still_coming_send_at(event)
    if send_at is None or send_at <= now:
        return 0
    return Registration.objects.filter(event=event, attendee_reminded_at__isnull=False).update(
        attendee_reminded_at=None
    )
