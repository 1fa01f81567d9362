from __future__ import annotations

from django.utils import timezone

from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.registrations import notifications
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services.seats import hold_seat_for_colleague, seats_taken


def promote_from_waiting_list(*, event: Event) -> list[Registration]:
    """Give free seats to the people first in the queue and tell them.

    Call inside the transaction that freed the seat, with the event row locked (see
    seats.lock_event). Nobody moves up once the event has started or if it is cancelled.
    A colleague who has not yet confirmed gets a held seat, as at registration.
    """
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return []
    free = event.seat_limit - seats_taken(event)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(event=event, status=Status.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .select_for_update()[:free]
    )
    for registration in promoted:
        registration.status = Status.REGISTERED
        registration.promoted_at = now
        if not registration.is_confirmed:
            hold_seat_for_colleague(registration, event, now)
        registration.save()
        audit("registration.promoted", event_id=event.pk, registration_id=registration.pk)
        if not registration.invitation_held:  # their invitation waits for whoever brought them
            notifications.send_promotion(registration)
    return promoted
