from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from frukost.core.models import audit
from frukost.events.models import Event
from frukost.registrations import notifications
from frukost.registrations.enums import ACTIVE_STATUSES, Status
from frukost.registrations.exceptions import ColleagueLimitReached, ColleagueNotAllowed, NotActive
from frukost.registrations.models import Registration, normalise_email
from frukost.registrations.services.consent import apply_consent
from frukost.registrations.services.data import Answers, ColleagueData, PersonData, RegistrationResult
from frukost.registrations.services.seats import (
    ensure_open,
    hold_seat_for_colleague,
    lock_event,
    seats_taken,
)


def register(
    *, event: Event, person: PersonData, colleagues: Sequence[ColleagueData] = ()
) -> RegistrationResult:
    """Register a person and the colleagues they bring, or put them on the waiting list.

    Each colleague becomes a registration of their own with a seat held (or a place in the
    queue) until they confirm for themselves. If the address already has an active
    registration, nothing new is created: the person is e-mailed a fresh personal link, and
    the result looks exactly like a new registration's.

    Raises EventNotOpen, RegistrationClosed, ColleagueLimitReached, ColleagueNotAllowed. Mail
    is written to the outbox in the same transaction, so a rolled-back registration never
    e-mails anyone.
    """
    email = normalise_email(person.email)
    colleague_emails = [normalise_email(c.email) for c in colleagues]
    if len(colleagues) > event.max_colleagues:
        raise ColleagueLimitReached
    if email in colleague_emails or len(set(colleague_emails)) != len(colleague_emails):
        raise ColleagueNotAllowed

    with transaction.atomic():
        # Lock the event row: two requests for the last seat must not both win.
        event = lock_event(event.pk)
        now = timezone.now()
        ensure_open(event, now)
        free = event.capacity - seats_taken(event)
        status_for_newcomer = Status.REGISTERED if free > 0 else Status.WAITLISTED

        existing = Registration.objects.filter(event=event, email=email, status__in=ACTIVE_STATUSES).first()
        if existing is not None:
            notifications.send_personal_link(existing)
            audit("registration.repeated", event_id=event.pk, registration_id=existing.pk)
            return RegistrationResult(
                status=status_for_newcomer, registration=existing, already_registered=True
            )

        registration = _create(
            event=event,
            now=now,
            free=free,
            first_name=person.first_name,
            last_name=person.last_name,
            email=email,
            language=person.language,
            answers=person.answers,
            confirmed=True,
        )
        free -= registration.status == Status.REGISTERED
        apply_consent(registration, person.answers, had_consent=False)
        notifications.send_registration_receipt(registration)

        already_active = set(
            Registration.objects.filter(
                event=event, email__in=colleague_emails, status__in=ACTIVE_STATUSES
            ).values_list("email", flat=True)
        )
        for colleague in colleagues:
            if normalise_email(colleague.email) in already_active:
                # They are registered already; telling the registrant would reveal that.
                continue
            guest = _create(
                event=event,
                now=now,
                free=free,
                first_name=colleague.first_name,
                last_name=colleague.last_name,
                email=normalise_email(colleague.email),
                language=person.language,
                answers=Answers(),
                confirmed=False,
                invited_by=registration,
            )
            free -= guest.status == Status.REGISTERED
            notifications.send_colleague_invitation(guest)
        return RegistrationResult(status=registration.status, registration=registration)


def add_colleague(*, registration: Registration, colleague: ColleagueData) -> Registration | None:
    """Bring one more colleague to an existing registration while registration is open.

    Returns the colleague's registration, or None when the address is already registered
    (the registrant is not told, so the form cannot be used to probe addresses).
    """
    email = normalise_email(colleague.email)
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise NotActive
        ensure_open(event, timezone.now())
        if email == registration.email or not registration.is_confirmed:
            # A colleague who has not confirmed yet cannot bring colleagues of their own.
            raise ColleagueNotAllowed
        if registration.colleagues.filter(status__in=ACTIVE_STATUSES).count() >= event.max_colleagues:
            raise ColleagueLimitReached
        if Registration.objects.filter(event=event, email=email, status__in=ACTIVE_STATUSES).exists():
            return None
        now = timezone.now()
        guest = _create(
            event=event,
            now=now,
            free=event.capacity - seats_taken(event),
            first_name=colleague.first_name,
            last_name=colleague.last_name,
            email=email,
            language=registration.language,
            answers=Answers(),
            confirmed=False,
            invited_by=registration,
        )
        notifications.send_colleague_invitation(guest)
        return guest


def update_answers(*, registration: Registration, answers: Answers) -> Registration:
    """Change what a person said about themselves (workplace, title, needs, …)."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise NotActive
        had_consent = registration.wants_future_invitations
        _apply_answers(registration, answers)
        registration.save()
        apply_consent(registration, answers, had_consent=had_consent)
        audit("registration.changed", event_id=registration.event_id, registration_id=registration.pk)
    return registration


def _apply_answers(registration: Registration, answers: Answers) -> None:
    registration.workplace = answers.workplace
    registration.job_title = answers.job_title
    registration.membership = answers.membership
    registration.diets = list(dict.fromkeys(answers.diets))
    registration.diet_other = answers.diet_other
    registration.other_needs = answers.other_needs
    registration.answer = answers.answer
    registration.wants_future_invitations = answers.wants_future_invitations


def _create(
    *,
    event: Event,
    now,
    free: int,
    first_name: str,
    last_name: str,
    email: str,
    language: str,
    answers: Answers,
    confirmed: bool,
    invited_by: Registration | None = None,
    actor=None,
    by_organiser: bool = False,
) -> Registration:
    registration = Registration(
        event=event,
        invited_by=invited_by,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        language=language,
        confirmed_at=now if confirmed else None,
    )
    _apply_answers(registration, answers)
    if free > 0:
        registration.status = Status.REGISTERED
        if not confirmed:
            hold_seat_for_colleague(registration, event, now)
    else:
        registration.status = Status.WAITLISTED
        registration.waitlisted_at = now
    registration.save()
    details = {"by_organiser": True} if by_organiser else {}
    audit(
        "registration.created",
        event_id=event.pk,
        registration_id=registration.pk,
        actor=actor,
        status=registration.status,
        colleague=invited_by is not None,
        **details,
    )
    return registration
