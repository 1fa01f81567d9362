from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from frukost.core.models import audit
from frukost.events.models import Event
from frukost.registrations import notifications
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import NotActive
from frukost.registrations.models import Registration
from frukost.registrations.services.colleagues import release_held_colleagues
from frukost.registrations.services.seats import lock_event
from frukost.registrations.services.waitlist import promote_from_waiting_list


def cancel_registration(*, registration: Registration, actor=None) -> Registration:
    """Cancel a registration, free its seat and move the waiting list up.

    Colleagues the person brought keep their own registrations. The person gets a receipt.
    """
    with transaction.atomic():
        registration, event, had_seat = _cancel(registration, actor=actor)
        notifications.send_cancellation_receipt(registration)
        if had_seat:
            promote_from_waiting_list(event=event)
    return registration


def cancel_before_erasure(*, registration: Registration) -> tuple[Registration, int]:
    """Cancel because the person asked for their data to be erased (frukost.privacy): the seat is
    freed and the waiting list moves up as with cancel_registration, but no cancellation receipt
    is queued. The erasure sends its own, composed before the address is erased; this one would
    be composed by the worker after it, for nobody. Call inside the erasure's transaction, and
    only before the event starts (after it, the row is a seat that was used: see
    privacy.selfservice.erase_registration). Returns the registration and how many moved up.
    """
    with transaction.atomic():
        registration, event, had_seat = _cancel(registration, actor=None)
        promoted = promote_from_waiting_list(event=event) if had_seat else []
    return registration, len(promoted)


def _cancel(registration: Registration, *, actor) -> tuple[Registration, Event, bool]:
    event = lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not registration.is_active:
        raise NotActive
    had_seat = registration.status == Status.REGISTERED
    registration.status = Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.hold_expires_at = None
    registration.remind_after = None
    # An open offer ends with the registration; its seat goes to the next in the queue below.
    had_seat = had_seat or registration.offer_expires_at is not None
    registration.offer_expires_at = None
    registration.save()
    audit("registration.cancelled", event_id=event.pk, registration_id=registration.pk, actor=actor)
    notifications.withdraw_outdated(registration)
    # Cancelled before confirming their address: the colleagues waiting for that go with them.
    had_seat = release_held_colleagues(registration) > 0 or had_seat
    return registration, event, had_seat
