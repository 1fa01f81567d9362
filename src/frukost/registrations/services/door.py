"""A seat for someone standing at the door (a walk-in), on the same lock as every other seat.

The check-in app decides who may ask for one and checks the person in (checkin.services
.register_walk_in); this module only allocates the seat, so that a walk-in and an online
registration racing for the last seat are serialised by the same event lock (seats.lock_event)
and never overbook by accident. Call inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.registrations.enums import ACTIVE_STATUSES, Language, Status
from frukost.registrations.exceptions import (
    EventNotOpen,
    InvalidRegistrationData,
    NoFreeSeat,
    RegistrationClosed,
)
from frukost.registrations.models import Registration, normalise_email
from frukost.registrations.services.seats import lock_event, seats_taken


@dataclass(frozen=True)
class DoorSeat:
    registration: Registration
    # The address was registered for the event already: that registration was seated (and
    # confirmed, since the person is standing there), no new one was made.
    found: bool
    beyond_capacity: bool


def seat_at_door(
    *,
    event: Event,
    first_name: str,
    last_name: str,
    email: str = "",
    workplace: str = "",
    language: Language | str = Language.SWEDISH,
    actor=None,
    beyond_capacity: bool = False,
) -> DoorSeat:
    """Give a seat to someone at the door: a new confirmed registration, or the one their address
    already has (confirmed now, and moved up from the waiting list if that is where it was).

    Nobody is e-mailed: the person is standing there. The registration deadline does not apply,
    the end of the event does (RegistrationClosed); a draft or cancelled event takes nobody
    (EventNotOpen). When every seat is taken NoFreeSeat, unless `beyond_capacity` (the caller has
    checked the actor may decide that). InvalidRegistrationData for an empty name or a malformed
    address; the e-mail is optional.
    """
    first_name, last_name, workplace = first_name.strip(), last_name.strip(), workplace.strip()
    email = normalise_email(email)
    if not first_name:
        raise InvalidRegistrationData("first_name")
    if not last_name:
        raise InvalidRegistrationData("last_name")
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidRegistrationData("email") from exc
    event = lock_event(event.pk)
    now = timezone.now()
    if event.status != EventStatus.PUBLISHED:
        raise EventNotOpen
    if now >= event.ends_at:
        raise RegistrationClosed
    existing = None
    if email:
        existing = (
            Registration.objects.select_for_update()
            .filter(event=event, email=email, status__in=ACTIVE_STATUSES)
            .first()
        )
    if existing is not None and existing.status == Status.REGISTERED:
        if not existing.is_confirmed:
            existing.confirmed_at = now
            existing.hold_expires_at = existing.remind_after = None
            existing.invitation_held = False
            existing.save(
                update_fields=["confirmed_at", "hold_expires_at", "remind_after", "invitation_held"]
            )
            audit(
                "registration.confirmed_at_door", event_id=event.pk, registration_id=existing.pk, actor=actor
            )
        return DoorSeat(registration=existing, found=True, beyond_capacity=False)

    over = event.seat_limit - seats_taken(event) <= 0  # the one seat limit (capacity + overbooking)
    if existing is not None and existing.has_open_offer:
        over = False  # a seat was offered to them from the waiting list: it is theirs to use
    if over and not beyond_capacity:
        raise NoFreeSeat
    if existing is not None:  # on the waiting list: they came anyway, and a seat is given
        existing.status = Status.REGISTERED
        existing.promoted_at = now
        existing.confirmed_at = existing.confirmed_at or now
        existing.invitation_held = False
        existing.offer_expires_at = None
        existing.save(
            update_fields=["status", "promoted_at", "confirmed_at", "invitation_held", "offer_expires_at"]
        )
        audit(
            "registration.promoted", event_id=event.pk, registration_id=existing.pk, actor=actor,
            manual=True, at_door=True, beyond_capacity=over,
        )  # fmt: skip
        return DoorSeat(registration=existing, found=True, beyond_capacity=over)

    registration = Registration.objects.create(
        event=event,
        first_name=first_name,
        last_name=last_name,
        email=email,
        workplace=workplace,
        language=language,
        status=Status.REGISTERED,
        confirmed_at=now,
    )
    audit(
        "registration.created", event_id=event.pk, registration_id=registration.pk, actor=actor,
        status=registration.status, colleague=False, walk_in=True, beyond_capacity=over,
    )  # fmt: skip
    return DoorSeat(registration=registration, found=False, beyond_capacity=over)
