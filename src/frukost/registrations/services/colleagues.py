from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from frukost.core.models import audit
from frukost.registrations import notifications
from frukost.registrations.enums import ACTIVE_STATUSES, Status
from frukost.registrations.exceptions import NotActive, SeatReleased
from frukost.registrations.models import Registration
from frukost.registrations.services.consent import apply_consent
from frukost.registrations.services.data import Answers
from frukost.registrations.services.register import _apply_answers
from frukost.registrations.services.seats import hold_seat_for_colleague, lock_event
from frukost.registrations.services.waitlist import promote_from_waiting_list


def confirm_colleague(
    *, registration: Registration, answers: Answers, language: str | None = None
) -> Registration:
    """A colleague confirms their own registration and answers their own questions.

    Their held seat becomes theirs for good (or they keep their place in the queue). A colleague
    whose invitation still waits for the person who brought them (confirm-your-address mode) can
    get here through a link of their own (the data request mails one): having confirmed, they are
    no longer waiting for anyone, so announcements and event changes reach them and the
    registrant's lapse no longer takes their seat.
    Raises SeatReleased if the hold ran out first, NotActive if they cancelled.
    """
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Status.RELEASED:
            raise SeatReleased
        if not registration.is_active:
            raise NotActive
        if registration.is_confirmed:
            return registration
        _apply_answers(registration, answers)
        if language:
            registration.language = language
        registration.confirmed_at = timezone.now()
        registration.invitation_held = False
        registration.hold_expires_at = None
        registration.remind_after = None
        registration.save()
        # Through the colleague's own confirm link: the address is theirs.
        apply_consent(registration, answers, had_consent=False, address_proven=True)
        audit("registration.confirmed", event_id=registration.event_id, registration_id=registration.pk)
        notifications.send_registration_receipt(registration)
        _send_held_invitations(registration)
    return registration


def _send_held_invitations(registration: Registration) -> None:
    """The person has confirmed their address: invite the colleagues they brought, whose
    invitations waited for it (register, confirm-your-address mode). Each held seat is held
    afresh from now, as if the colleague had been registered this moment."""
    now = timezone.now()
    held = registration.colleagues.select_for_update().filter(
        invitation_held=True, status__in=ACTIVE_STATUSES
    )
    for guest in held:
        guest.invitation_held = False
        if guest.status == Status.REGISTERED and not guest.is_confirmed:
            hold_seat_for_colleague(guest, registration.event, now)
        guest.save(update_fields=["invitation_held", "hold_expires_at", "remind_after"])
        notifications.send_colleague_invitation(guest)


def release_held_colleagues(registration: Registration) -> int:
    """The person never confirmed (their hold ran out, or they cancelled first): the colleagues
    whose invitations waited for them lose their places too, without a mail (they were never
    told of them). A colleague who confirmed meanwhile (through a link of their own) keeps their
    seat. Returns the seats freed; call with the event locked, then move the queue up."""
    freed = 0
    held = registration.colleagues.select_for_update().filter(
        invitation_held=True, confirmed_at__isnull=True, status__in=ACTIVE_STATUSES
    )
    for guest in held:
        freed += guest.status == Status.REGISTERED
        guest.status = Status.RELEASED
        guest.hold_expires_at = None
        guest.remind_after = None
        guest.save(update_fields=["status", "hold_expires_at", "remind_after"])
        audit("registration.released", event_id=guest.event_id, registration_id=guest.pk)
    return freed


def remind_unconfirmed_colleagues(*, now: dt.datetime | None = None) -> int:
    """Remind each colleague with a held seat, once, half-way through the hold."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=Status.REGISTERED,
        invitation_held=False,  # never told of the seat: nothing to remind them of
        confirmed_at__isnull=True,
        reminded_at__isnull=True,
        remind_after__lte=now,
        hold_expires_at__gt=now,
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        with transaction.atomic():
            # Re-check under lock: two workers must not both remind.
            registration = (
                Registration.objects.select_for_update()
                .filter(pk=pk, reminded_at__isnull=True, confirmed_at__isnull=True, status=Status.REGISTERED)
                .first()
            )
            if registration is None:
                continue
            registration.reminded_at = now
            registration.save(update_fields=["reminded_at"])
            notifications.send_colleague_reminder(registration)
            count += 1
    return count


def release_expired_holds(*, now: dt.datetime | None = None) -> int:
    """Release seats held for colleagues who did not confirm in time; the queue moves up."""
    now = now or timezone.now()
    expired = Registration.objects.filter(
        status=Status.REGISTERED, confirmed_at__isnull=True, hold_expires_at__lte=now
    ).values_list("pk", "event_id")
    count = 0
    for pk, event_id in list(expired):
        with transaction.atomic():
            event = lock_event(event_id)
            registration = (
                Registration.objects.select_for_update()
                .filter(pk=pk, status=Status.REGISTERED, confirmed_at__isnull=True)
                .first()
            )
            if registration is None:
                continue
            registration.status = Status.RELEASED
            registration.hold_expires_at = None
            registration.remind_after = None
            registration.save()
            audit("registration.released", event_id=event_id, registration_id=pk)
            notifications.withdraw_outdated(registration)
            if not registration.invitation_held:  # never told of the seat, so not of its loss
                notifications.send_seat_released(registration)
            release_held_colleagues(registration)
            promote_from_waiting_list(event=event)
            count += 1
    return count
