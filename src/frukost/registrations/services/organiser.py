"""What an organiser does to one registration in the back office (and, later, through the API).

Each function locks what it changes, checks the rule itself (not only in a form), writes the
audit entry with the organiser as actor and queues the e-mail in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.registrations import links, notifications
from frukost.registrations.enums import ACTIVE_STATUSES, Membership, Status
from frukost.registrations.exceptions import (
    EmailAlreadyRegistered,
    EventNotOpen,
    InvalidRegistrationData,
    InvitationHeld,
    NoAddress,
    NoFreeSeat,
    NotActive,
    NotWaitlisted,
    RegistrationClosed,
)
from frukost.registrations.models import Registration, email_taken, normalise_email
from frukost.registrations.services.data import PersonData
from frukost.registrations.services.register import _create
from frukost.registrations.services.seats import hold_seat_for_colleague, lock_event, seats_taken

# Fields an organiser edit may change that are special-category data: named in the audit entry
# only as "special category answers", never one by one or with values.
SPECIAL_CATEGORY_FIELDS = ("membership", "diets", "diet_other", "other_needs")


@dataclass(frozen=True)
class SpecialAnswers:
    """Membership, diets and needs (GDPR art. 9): only from someone allowed to see them."""

    membership: Membership | str = ""
    diets: Sequence[str] = ()
    diet_other: str = ""
    other_needs: str = ""


@dataclass(frozen=True)
class RegistrationEdit:
    """What an organiser may correct. `special=None` leaves membership, diets and needs untouched
    (an editor who may not see them cannot change them either)."""

    first_name: str
    last_name: str
    email: str
    workplace: str = ""
    job_title: str = ""
    answer: str = ""
    special: SpecialAnswers | None = None


def _valid_person(
    first_name: str, last_name: str, email: str, *, email_optional: bool = False
) -> tuple[str, str, str]:
    first_name, last_name, email = first_name.strip(), last_name.strip(), normalise_email(email)
    if not first_name:
        raise InvalidRegistrationData("first_name")
    if not last_name:
        raise InvalidRegistrationData("last_name")
    if not email and email_optional:
        return first_name, last_name, email
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidRegistrationData("email") from exc
    return first_name, last_name, email


def add_registration_by_organiser(*, event: Event, person: PersonData, actor) -> Registration:
    """Register someone on their behalf (a phone call, a note at the desk) and e-mail them as usual.

    Unlike the public form, an organiser may add people after the registration deadline, up to
    the end of the event. Capacity still holds: when every seat is taken the person joins the
    waiting list (an organiser who wants them in raises the capacity, then moves them up).
    Refused for a draft or cancelled event (EventNotOpen), an ended one (RegistrationClosed) and an
    address that already has an active registration (EmailAlreadyRegistered: the organiser may
    know that, unlike someone on the public form).
    """
    first_name, last_name, email = _valid_person(person.first_name, person.last_name, person.email)
    with transaction.atomic():
        event = lock_event(event.pk)
        now = timezone.now()
        if event.status != EventStatus.PUBLISHED:
            raise EventNotOpen
        if now >= event.ends_at:
            raise RegistrationClosed
        if email_taken(event.pk, email):
            raise EmailAlreadyRegistered
        registration = _create(
            event=event,
            now=now,
            free=event.seat_limit - seats_taken(event),
            first_name=first_name,
            last_name=last_name,
            email=email,
            language=person.language,
            answers=person.answers,
            confirmed=True,
            actor=actor,
            by_organiser=True,
        )
        notifications.send_registration_receipt(registration)
    return registration


def update_registration(*, registration: Registration, edit: RegistrationEdit, actor) -> Registration:
    """Correct a registration's names, address, workplace, title and answers.

    The address is lower-cased and must not be another active registration's at the same event
    (EmailAlreadyRegistered; the database constraint backs this up under a race); it may stay
    empty only for a walk-in who gave none at the door. Cancelled and
    released registrations are history and are not edited (NotActive). Nobody is e-mailed; the
    audit entry names the fields changed, never their values.
    """
    first_name, last_name, email = _valid_person(
        # A walk-in who gave no address at the door may keep none.
        edit.first_name,
        edit.last_name,
        edit.email,
        email_optional=not registration.email,
    )
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise NotActive
        if email != registration.email and email_taken(registration.event_id, email, registration.pk):
            raise EmailAlreadyRegistered
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "workplace": edit.workplace.strip(),
            "job_title": edit.job_title.strip(),
            "answer": edit.answer.strip(),
        }
        if edit.special is not None:
            values |= {
                "membership": edit.special.membership,
                "diets": list(dict.fromkeys(edit.special.diets)),
                "diet_other": edit.special.diet_other.strip(),
                "other_needs": edit.special.other_needs.strip(),
            }
        changed = [name for name, value in values.items() if getattr(registration, name) != value]
        if not changed:
            return registration
        for name in changed:
            setattr(registration, name, values[name])
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError as exc:  # another request took the address meanwhile
            raise EmailAlreadyRegistered from exc
        ordinary = [name for name in changed if name not in SPECIAL_CATEGORY_FIELDS]
        audit(
            "registration.changed",
            event_id=registration.event_id,
            registration_id=registration.pk,
            actor=actor,
            fields=ordinary,
            special_category=len(ordinary) != len(changed),
        )
    return registration


def ensure_promotable(registration: Registration, event: Event, *, seats_taken: int) -> None:
    """The rule promote_registration enforces (see there), for a caller that asks first (the back
    office's confirmation page) as well as for the service itself under the event lock."""
    if registration.status != Status.WAITLISTED:
        raise NotWaitlisted
    if registration.invitation_held:
        raise InvitationHeld
    if event.status == EventStatus.CANCELLED:
        raise EventNotOpen
    # Someone with an open offer is moved up into the seat set aside for them.
    if event.seat_limit - seats_taken <= 0 and not registration.has_open_offer:
        raise NoFreeSeat


def promote_registration(*, registration: Registration, actor) -> Registration:
    """Move one person up from the waiting list (in any order the organiser chooses) and tell them.

    Only when a seat is free (NoFreeSeat otherwise: the organiser raises the capacity or cancels
    someone first); only someone waiting (NotWaitlisted); not for a cancelled event (EventNotOpen).
    A colleague who has not confirmed gets a held seat, as in the automatic queue. Refused for a
    colleague whose invitation still waits for the registrant to confirm their address
    (InvitationHeld): the promotion mail would tell them of a place before their invitation.
    """
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        ensure_promotable(registration, event, seats_taken=seats_taken(event))
        now = timezone.now()
        registration.status = Status.REGISTERED
        registration.promoted_at = now
        registration.offer_expires_at = None  # an open offer is taken for them
        if not registration.is_confirmed:
            hold_seat_for_colleague(registration, event, now)
        registration.save()
        audit(
            "registration.promoted",
            event_id=event.pk,
            registration_id=registration.pk,
            actor=actor,
            manual=True,
        )
        notifications.send_promotion(registration)
    return registration


def ensure_link_resendable(registration: Registration) -> None:
    """The rule resend_personal_link enforces, for a caller that asks first (the back office's
    confirmation page): NotActive once cancelled, InvitationHeld while the invitation waits,
    NoAddress for a walk-in who gave no address."""
    if registration.status not in ACTIVE_STATUSES:
        raise NotActive
    if registration.invitation_held:
        raise InvitationHeld
    if not registration.email:
        raise NoAddress


def resend_personal_link(*, registration: Registration, actor) -> Registration:
    """E-mail the person a new personal link; the links they had stop working. Only while active.

    The person asked for it (lost the e-mail, or a forwarded one reached someone else), so the
    old links are revoked in the same transaction: only the new e-mail opens the registration.
    Refused (InvitationHeld) for a colleague whose invitation still waits for the registrant to
    confirm their address: they get their link with the invitation.
    """
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        ensure_link_resendable(registration)
        revoked = links.revoke_links(registration)
        audit(
            "registration.link_resent",
            event_id=registration.event_id,
            registration_id=registration.pk,
            actor=actor,
            revoked=revoked,
        )
        notifications.send_link_resent(registration)
    return registration


def revoke_personal_links(*, registration: Registration, actor) -> int:
    """Make every personal link of the registration stop working (any state); returns how many.

    For a link that reached the wrong person. Nothing is e-mailed: the organiser sends a new link
    (resend_personal_link) when the person should have one. Queued mail still gets a fresh link
    when it is sent, since links are minted as a message is handed over.
    """
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        revoked = links.revoke_links(registration)
        audit(
            "registration.links_revoked",
            event_id=registration.event_id,
            registration_id=registration.pk,
            actor=actor,
            revoked=revoked,
        )
    return revoked
