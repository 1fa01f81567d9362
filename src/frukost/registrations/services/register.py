from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from frukost.core import ratelimit
from frukost.core.inserts import build, insert_with
from frukost.core.models import AuditLog, audit
from frukost.events.models import Event
from frukost.registrations import notifications
from frukost.registrations.enums import ACTIVE_STATUSES, Status
from frukost.registrations.exceptions import ColleagueLimitReached, ColleagueNotAllowed, NotActive
from frukost.registrations.models import Registration, normalise_email
from frukost.registrations.services.consent import apply_consent
from frukost.registrations.services.data import Answers, ColleagueData, PersonData, RegistrationResult
from frukost.registrations.services.seats import (
    active_emails,
    ensure_open,
    hold_seat_for_colleague,
    lock_event,
    lock_event_rules_and_count,
    seats_taken,
)


def register(
    *, event: Event, person: PersonData, colleagues: Sequence[ColleagueData] = ()
) -> RegistrationResult:
    """Register a person and the colleagues they bring, or put them on the waiting list.

    Each colleague becomes a registration of their own with a seat held (or a place in the
    queue) until they confirm for themselves. On an event that asks people to confirm their
    address (`Event.confirm_email`) the registrant's own seat is held the same way until they
    confirm through the link in their e-mail.

    Whatever is already registered, the registrant and anyone watching the registrant's inbox
    see the same (issue 7): if the address already has an active registration nothing new is
    created for it and the person is e-mailed their personal link (at most
    FRUKOST_MAIL_PER_ADDRESS_PER_HOUR times an hour, silently; never to a colleague whose
    invitation still waits for the registrant's confirmation, who has not been told of the seat).
    A colleague whose address is already registered is not created, but their name is kept with
    the names the registrant gave.

    Forms for an already registered address bring only what is left of the limit after the
    colleagues its owner brought and those such forms brought before; any past it are skipped
    without a word (so someone watching the colleagues' inboxes can see fewer invitations than
    named when the owner brought colleagues: docs/safety.md, abuse). They never use up the
    owner's own allowance (owner_may_add_colleague counts only the owner's colleagues), so a
    stranger who knows the address cannot stop its owner bringing theirs.

    On an event that asks people to confirm their address, a colleague's invitation waits until
    the person who brought them has confirmed theirs (`invitation_held`; confirm_colleague sends
    it), so the form cannot mail strangers; a form for an address already registered there
    brings nobody (its owner can add colleagues from the personal page their mail links to).

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
    inviter_name = f"{person.first_name.strip()} {person.last_name.strip()}"

    with transaction.atomic():
        # Lock the event row: two requests for the last seat must not both win. (A closed
        # event's counts are read for nothing: one statement where the database allows it.)
        event, taken, existing_id = lock_event_rules_and_count(event, email)
        now = timezone.now()
        ensure_open(event, now)
        free = event.seat_limit - taken
        status_for_newcomer = Status.REGISTERED if free > 0 else Status.WAITLISTED

        if existing_id is not None:
            existing = Registration.objects.get(pk=existing_id)
            # A colleague whose invitation waits for the registrant's confirmation has not been
            # told of their seat: no link for them before that (the page looks the same).
            if not existing.invitation_held and ratelimit.may_mail(email):
                notifications.send_personal_link(existing)
            audit("registration.repeated", event_id=event.pk, registration_id=existing.pk)
            # Only as many as the address may still bring, and none where the address must be
            # confirmed: the person sending this form has proven nothing (see the docstring).
            allowance = 0 if event.confirm_email else event.max_colleagues - colleagues_brought(existing)
            brought = list(colleagues[: max(allowance, 0)])
            if brought:
                existing.colleagues_added_by_others += len(brought)
                existing.save(update_fields=["colleagues_added_by_others"])
            _bring_colleagues(
                existing, brought, event=event, now=now, free=free, inviter_name=inviter_name,
                language=person.language,
            )  # fmt: skip
            return RegistrationResult(
                status=status_for_newcomer, registration=existing, already_registered=True
            )

        # Checked again against the locked row: the organiser may have lowered the limit since
        # the page the form came from was read.
        if len(colleagues) > event.max_colleagues:
            raise ColleagueLimitReached
        registration = _create(
            event=event,
            now=now,
            free=free,
            first_name=person.first_name,
            last_name=person.last_name,
            email=email,
            language=person.language,
            answers=person.answers,
            confirmed=not event.confirm_email,
            colleague_names=_names(colleagues),
        )
        free -= registration.status == Status.REGISTERED
        apply_consent(registration, person.answers, had_consent=False)
        notifications.send_registration_receipt(registration)
        _bring_colleagues(
            registration, colleagues, event=event, now=now, free=free, inviter_name=inviter_name,
            language=person.language, hold_invitations=not registration.is_confirmed,
        )  # fmt: skip
        return RegistrationResult(status=registration.status, registration=registration)


def _bring_colleagues(
    registration: Registration,
    colleagues: Sequence[ColleagueData],
    *,
    event: Event,
    now,
    free: int,
    inviter_name: str,
    language: str,
    hold_invitations: bool = False,
) -> int:
    """Register and invite each colleague whose address is not registered yet; returns the seats
    left. The one already registered is skipped without a word (telling would reveal it).
    With `hold_invitations` (the registrant has yet to confirm their address) nobody is mailed
    now: the invitations go out when the registrant confirms (confirm_colleague)."""
    if not colleagues:
        return free
    emails = [normalise_email(c.email) for c in colleagues]
    already_active = active_emails(event, emails)
    for colleague, email in zip(colleagues, emails, strict=True):
        if email in already_active:
            # Registered already: nothing to create, and nobody is told (that would reveal it).
            continue
        guest = _create(
            event=event,
            now=now,
            free=free,
            first_name=colleague.first_name,
            last_name=colleague.last_name,
            email=email,
            language=language,
            answers=Answers(),
            confirmed=False,
            invited_by=registration,
            invited_by_name=inviter_name,
            invitation_held=hold_invitations,
        )
        free -= guest.status == Status.REGISTERED
        if not hold_invitations:
            notifications.send_colleague_invitation(guest)
    return free


def _names(colleagues: Sequence[ColleagueData]) -> str:
    """The colleagues' names as the registrant gave them, one a line (Registration.colleague_names)."""
    return "\n".join(f"{c.first_name.strip()} {c.last_name.strip()}" for c in colleagues)


def colleagues_brought(registration: Registration) -> int:
    """How many colleagues count against what a form registering the address again may bring:
    the names its owner gave (an address already registered counts too, so probing addresses
    uses up the allowance) and those that such forms brought before. Forms by others can so
    bring at most max_colleagues per address and event, all of them together."""
    return len(registration.colleague_names_given()) + registration.colleagues_added_by_others


def owner_may_add_colleague(registration: Registration) -> bool:
    """Whether the owner's own allowance (the personal page) has room for one more: only the
    colleagues they brought themselves count (the names of their first form and those added on
    the personal page), never those that strangers' forms for their address brought."""
    return len(registration.colleague_names_given()) < registration.event.max_colleagues


def add_colleague(*, registration: Registration, colleague: ColleagueData) -> Registration | None:
    """Bring one more colleague to an existing registration while registration is open.

    Returns the colleague's registration, or None when the address is already registered
    (the registrant is not told, so the form cannot be used to probe addresses: the name is
    listed and counted against the limit either way). The limit counts only the colleagues the
    owner brought (owner_may_add_colleague); ColleagueLimitReached past it.
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
        registration.event = event
        if not owner_may_add_colleague(registration):
            raise ColleagueLimitReached
        # (Registered before names were kept: the list starts from the colleagues created then.)
        registration.colleague_names = "\n".join([*registration.colleague_names_given(), _names([colleague])])
        registration.save(update_fields=["colleague_names"])
        audit("registration.colleague_added", event_id=event.pk, registration_id=registration.pk)
        if Registration.objects.filter(event=event, email=email, status__in=ACTIVE_STATUSES).exists():
            return None
        now = timezone.now()
        guest = _create(
            event=event,
            now=now,
            free=event.seat_limit - seats_taken(event),
            first_name=colleague.first_name,
            last_name=colleague.last_name,
            email=email,
            language=registration.language,
            answers=Answers(),
            confirmed=False,
            invited_by=registration,
            invited_by_name=registration.full_name,
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
        # Through the personal link: the address is the person's own.
        apply_consent(registration, answers, had_consent=had_consent, address_proven=True)
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
    invited_by_name: str = "",
    colleague_names: str = "",
    invitation_held: bool = False,
    actor=None,
    by_organiser: bool = False,
) -> Registration:
    registration = build(  # Registration(...), made faster (core.inserts.build)
        Registration,
        event=event,
        invited_by=invited_by,
        invited_by_name=invited_by_name,
        colleague_names=colleague_names,
        invitation_held=invitation_held,
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
    registration.email = normalise_email(registration.email)  # as Registration.save() does
    # Both INSERTs with their SQL built once per process (core.inserts: the ORM compiling them
    # cost more than running them), on PostgreSQL in one statement (insert_with). The entry is
    # written at once, before the registration's e-mail: the history orders both by their time.
    entry = _created_entry(registration, event=event, actor=actor, by_organiser=by_organiser)
    insert_with(registration, entry, field="registration_id")
    return registration


def _created_entry(registration: Registration, *, event: Event, actor, by_organiser: bool) -> AuditLog:
    """The "registration.created" entry, as core.models.audit writes it, but with the event's
    organisation given rather than looked up by a subquery in the INSERT: building that subquery
    cost the ORM more CPU than the whole INSERT (issue 10)."""
    data = {"status": registration.status, "colleague": registration.invited_by_id is not None}
    if by_organiser:
        data["by_organiser"] = True
    return build(
        AuditLog,
        action="registration.created",
        organisation_id=event.organisation_id,
        event_id=event.pk,
        registration_id=registration.pk,
        actor=actor,
        data=data,
    )
