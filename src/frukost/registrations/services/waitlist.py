"""The waiting list and its claim window.

A freed seat is not simply handed to the first in the queue: it is *offered* to them, and they
have a set time to take it (a POST on the page their e-mail links to). Until then they are still
WAITLISTED, but the seat counts as taken for every seat rule (models.seat_taken_q), so nobody
registering, walking in or bringing a colleague takes it meanwhile. If the window runs out, the
worker (pass_on_lapsed_offers, a frequent job in core.periodic) offers the seat to the next.

The window is a function of how far away the event is, counted in Stockholm calendar days
(offer_window): the closer the event, the shorter the window, and it never ends later than
OFFER_MARGIN before the start. When less than OFFER_MINIMUM is left, there is no time to wait for an
answer: the seat goes straight to the first in the queue, as before claim windows, because they
asked for a seat and an empty one helps nobody; they can still give it up with one click.

Decisions, and why:
- Someone whose offer ran out stays on the waiting list (nothing they did removed them), but is
  not offered a seat automatically again: the others in the queue come first, and repeated offers
  to someone who does not answer would only pass the seat around slower. Should a seat stand free
  with nobody else to offer it to, they may take it from their page like anyone else could.
- Offers are made after the registration deadline too: the deadline closes the form, while the
  people in the queue registered in time and still want the seat, until the event starts.
- Offers end with the event: cancelling it voids them, and none is made or taken once it started.
- A colleague whose invitation still waits for the person who brought them (confirm-your-address
  mode) cannot be mailed, so cannot be offered: they get a held seat directly, as before (their
  hold is their window, seats.hold_until). An unconfirmed colleague who was invited is offered the
  seat like anyone; taking it gives them a held seat to confirm with their answers.
- An organiser's "move up" (organiser.promote_registration) still promotes directly.
- Windows are not stretched over the night: a 2-hour window offered late the evening before can
  run out while the person sleeps, and the seat then goes on down the queue. Kept simple on
  purpose; if organisers ask, a window ending between 22.00 and 07.00 could end at 07.00 instead
  (never past OFFER_MARGIN before the start).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event
from frukost.registrations import notifications, queries
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import (
    EventNotOpen,
    NoSeatOffered,
    NotActive,
    OfferExpired,
    RegistrationClosed,
)
from frukost.registrations.models import Registration
from frukost.registrations.services.seats import hold_seat_for_colleague, lock_event, seats_taken

# (days before the event's day, at least; window). The day before the event is 1, its day 0.
OFFER_WINDOWS: tuple[tuple[int, dt.timedelta], ...] = (
    (7, dt.timedelta(hours=24)),
    (3, dt.timedelta(hours=12)),
    (2, dt.timedelta(hours=6)),
    (1, dt.timedelta(hours=2)),
    (0, dt.timedelta(hours=1)),
)
# An offer ends at least this long before the event starts (time to plan the morning).
OFFER_MARGIN = dt.timedelta(hours=1)
# Below this, there is no time to wait for an answer: the seat is given directly.
OFFER_MINIMUM = dt.timedelta(minutes=30)


def offer_window(event: Event, now: dt.datetime) -> dt.timedelta:
    """How long someone offered a seat now has to take it, before OFFER_MARGIN is applied:
    24 h from a week before the event's day, 12 h from 3 days, 6 h 2 days before, 2 h the day
    before and 1 h on the day (Stockholm calendar days)."""
    days = (timezone.localdate(event.starts_at, STOCKHOLM) - timezone.localdate(now, STOCKHOLM)).days
    for at_least, window in OFFER_WINDOWS:
        if days >= at_least:
            return window
    return OFFER_WINDOWS[-1][1]


def offer_deadline(event: Event, now: dt.datetime) -> dt.datetime | None:
    """Until when a seat offered now stays open; None when too little time is left for an offer
    (the seat is then given directly, see the module's docstring).

    The window is added to the Stockholm wall clock: "24 hours" offered at 10.00 on the Saturday
    before daylight saving starts ends at 10.00 on the Sunday (23 real hours), which is what the
    person reads in the e-mail and expects. It never ends later than OFFER_MARGIN before the start.
    """
    local = timezone.localtime(now, STOCKHOLM).replace(tzinfo=None)
    # zoneinfo resolves a wall-clock time that does not exist (02.30 on the spring morning) with
    # the offset before the change, so it lands an hour later on the clock: never earlier.
    deadline = (local + offer_window(event, now)).replace(tzinfo=STOCKHOLM).astimezone(dt.UTC)
    deadline = min(deadline, event.starts_at - OFFER_MARGIN)
    if deadline - now < OFFER_MINIMUM:
        return None
    return deadline


def promote_from_waiting_list(*, event: Event) -> list[Registration]:
    """Offer each free seat to the next in the queue (or give it directly, see offer_deadline).

    Call inside the transaction that freed the seat, with the event row locked (seats.lock_event).
    Nothing is offered once the event has started or if it is not published. The queue is the
    waiting list in order, leaving out those with an open offer and those whose offer ran out.
    Returns the registrations offered a seat or moved up.
    """
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return []
    free = event.seat_limit - seats_taken(event)
    if free <= 0:
        return []
    queue = list(queries.next_to_offer(event).select_for_update()[:free])
    deadline = offer_deadline(event, now)
    for registration in queue:
        if deadline is None or registration.invitation_held:
            _give_seat(registration, event, now)
            audit("registration.promoted", event_id=event.pk, registration_id=registration.pk)
            if not registration.invitation_held:  # their invitation waits for whoever brought them
                notifications.send_promotion(registration)
            continue
        registration.offered_at = now
        registration.offer_expires_at = deadline
        registration.save(update_fields=["offered_at", "offer_expires_at"])
        audit("registration.offered", event_id=event.pk, registration_id=registration.pk)
        notifications.send_seat_offered(registration)
    return queue


def _give_seat(registration: Registration, event: Event, now: dt.datetime) -> None:
    registration.status = Status.REGISTERED
    registration.promoted_at = now
    registration.offer_expires_at = None
    if not registration.is_confirmed:
        hold_seat_for_colleague(registration, event, now)
    registration.save()


def take_offered_seat(*, registration: Registration) -> Registration:
    """The person takes the seat offered to them (the "Take the seat" button on their page).

    Their registration gets the seat (a held one to confirm, for a colleague who has not
    confirmed yet) and they are e-mailed the usual "you have a seat" with the calendar file and
    check-in code. Taking it again is a no-op. Raises OfferExpired after the deadline (even in the
    minute before the worker passes it on), NoSeatOffered if they were never offered one,
    NotActive once cancelled, EventNotOpen for a cancelled event and RegistrationClosed once it has
    started. Someone without an open offer may still take a seat that stands free with nobody else
    waiting for it (see the module's docstring).
    """
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        now = timezone.now()
        if registration.status == Status.REGISTERED:
            return registration  # a second click, or a second tab: the seat is theirs already
        if not registration.is_active:
            raise NotActive
        if event.status != EventStatus.PUBLISHED:
            raise EventNotOpen
        if now >= event.starts_at:
            raise RegistrationClosed
        open_offer = registration.offer_expires_at is not None and now < registration.offer_expires_at
        if not open_offer:
            expired = registration.offer_expires_at is not None or registration.offer_lapsed_at is not None
            # An expired offer not yet passed on still counts as taken: it is the next person's.
            if registration.offer_expires_at is not None or event.seat_limit - seats_taken(event) <= 0:
                raise OfferExpired if expired else NoSeatOffered
        _give_seat(registration, event, now)
        audit("registration.offer_taken", event_id=event.pk, registration_id=registration.pk)
        notifications.send_promotion(registration)
    return registration


def due_offers(now: dt.datetime) -> list[tuple[int, int]]:
    """(registration id, event id) of each open offer whose window has run out, or whose event
    has started or is no longer published (the partial index registration_open_offers)."""
    return list(
        Registration.objects.filter(
            Q(offer_expires_at__lte=now)
            | ~Q(event__status=EventStatus.PUBLISHED)
            | Q(event__starts_at__lte=now),
            offer_expires_at__isnull=False,
        ).values_list("pk", "event_id")
    )


def pass_on_lapsed_offers(*, now: dt.datetime | None = None) -> int:
    """Offers whose window has run out go to the next in the queue (the worker, every minute).

    Safe with two workers: each lapsed offer is handled in a transaction that locks the event row
    (as every seat change does) and claims the offer with a conditional UPDATE; the worker that
    comes second finds it cleared and does nothing, so the person gets one "the offer has passed"
    e-mail and the next one offer. Offers of a cancelled or started event are voided without mail.
    Returns how many offers lapsed.
    """
    now = now or timezone.now()
    lapsed = 0
    for pk, event_id in due_offers(now):
        with transaction.atomic():
            event = lock_event(event_id)
            if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
                void = Registration.objects.filter(pk=pk, offer_expires_at__isnull=False)
                void.update(offer_expires_at=None)
                continue
            claimed = Registration.objects.filter(
                pk=pk, status=Status.WAITLISTED, offer_expires_at__lte=now
            ).update(offer_expires_at=None, offer_lapsed_at=now)
            if not claimed:
                continue  # the other worker was first, or the person took the seat meanwhile
            audit("registration.offer_lapsed", event_id=event.pk, registration_id=pk)
            registration = Registration.objects.get(pk=pk)
            notifications.send_offer_lapsed(registration)
            promote_from_waiting_list(event=event)
            lapsed += 1
    return lapsed


def void_offers(event: Event) -> int:
    """The event is cancelled: open offers end (their seats no longer exist). Call inside the
    cancellation's transaction; returns how many."""
    open_offers = Registration.objects.filter(event=event, offer_expires_at__isnull=False)
    return open_offers.update(offer_expires_at=None)
