"""What an invitee does with an invitation: open it, register through it, decline, unsubscribe.

Each is recorded as a time on the Invitee (the funnel counts them). Opening means the answer link
was used: no tracking pixels. Registering goes through registrations.services.register, exactly
as the public form does (deadline, capacity, waiting list, colleagues); the registration is then
linked to the invitee. Someone who registered through the public page with the invited address
counts as registered too (`registration_for`), so nobody who answered that way is reminded.

Unsubscribing puts the address on the organisation's do-not-mail list (contacts.suppression):
from that moment no invitation or reminder from the organisation reaches it, from any list, and
every later import shows it. Mail about the person's own registration still goes.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from frukost.contacts import suppression
from frukost.contacts.enums import SuppressionReason
from frukost.core import erasure_journal
from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.invitations.models import InvitationList, Invitee
from frukost.mail.enums import UNSUBSCRIBABLE_KINDS
from frukost.registrations.enums import ACTIVE_STATUSES
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from frukost.registrations.services.consent import withdraw_future_invitations
from frukost.registrations.services.data import ColleagueData, PersonData, RegistrationResult


class AlreadyRegistered(Exception):
    """The invitee has a registration: "I can't come" is a cancellation, made on its own page."""

    def __init__(self, registration: Registration):
        super().__init__("already registered")
        self.registration = registration


class NotInvitedTo(Exception):
    """The event is not one the invitation is for."""


def list_events(invitation_list: InvitationList) -> QuerySet[Event]:
    """Every event the list is about (the event, or all of the series' events)."""
    if invitation_list.event_id:
        return Event.objects.filter(pk=invitation_list.event_id)
    return Event.objects.filter(series_id=invitation_list.series_id)


def open_events(invitation_list: InvitationList, *, now=None) -> list[Event]:
    """The list's events one can still register for (published, before the deadline), by date."""
    now = now or timezone.now()
    events = (
        list_events(invitation_list)
        .filter(status=EventStatus.PUBLISHED, starts_at__gt=now)
        .select_related("organisation")
        .order_by("starts_at", "id")
    )
    return [event for event in events if now < event.registration_closes_at]


def answered_registrations(invitation_list: InvitationList) -> QuerySet[Registration]:
    """Active registrations at the list's events: those made through an invitation and those made
    on the public page (matched by address)."""
    return Registration.objects.filter(
        event__in=list_events(invitation_list), status__in=ACTIVE_STATUSES, anonymised_at__isnull=True
    )


def registration_for(invitee: Invitee) -> Registration | None:
    """The invitee's active registration at the list's event(s): the one made through the
    invitation, or one made on the public page with the invited address."""
    return (
        answered_registrations(invitee.invitation_list)
        .filter(Q(pk=invitee.registration_id) | Q(email=invitee.email))
        .select_related("event__organisation")
        .order_by("-pk")
        .first()
    )


def has_answered(invitee: Invitee) -> bool:
    """Registered (either way), declined or unsubscribed: no reminder, no second invitation."""
    if invitee.declined_at or invitee.unsubscribed_at or invitee.registered_at:
        return True
    return registration_for(invitee) is not None


def open_invitation(invitee: Invitee) -> bool:
    """Record that the answer link was used (the first time only). Returns whether it was the first."""
    now = timezone.now()
    first = bool(Invitee.objects.filter(pk=invitee.pk, opened_at__isnull=True).update(opened_at=now))
    if first:
        invitee.opened_at = now
    return first


def prefill(invitee: Invitee) -> dict[str, str]:
    """What the registration form starts with: what the list knew."""
    return {
        "first_name": invitee.first_name,
        "last_name": invitee.last_name,
        "email": invitee.email,
        "workplace": invitee.workplace,
        "job_title": invitee.job_title,
    }


def register_invitee(
    *, invitee: Invitee, event: Event, person: PersonData, colleagues: Sequence[ColleagueData] = ()
) -> RegistrationResult:
    """Register through the invitation: registrations.services.register, then the registration
    is linked to the invitee (in the same transaction). Raises what register raises, and
    NotInvitedTo for an event the invitation is not for."""
    if not list_events(invitee.invitation_list).filter(pk=event.pk).exists():
        raise NotInvitedTo
    with transaction.atomic():
        result = register(event=event, person=person, colleagues=colleagues)
        registration = result.registration
        # A form for an address already registered shows what a newcomer would see; the invitee
        # is linked only to a registration that is theirs (their own, or the invited address's).
        if not result.already_registered or registration.email == invitee.email:
            now = timezone.now()
            Invitee.objects.filter(pk=invitee.pk).update(
                registration=registration, registered_at=now, opened_at=invitee.opened_at or now
            )
            invitee.registration, invitee.registered_at = registration, now
    return result


def decline(*, invitee: Invitee) -> bool:
    """ "I can't come": record it (once). Returns whether this call declined.

    Raises AlreadyRegistered when the invitee has an active registration: that is cancelled on
    its own page (the personal link in their confirmation), which frees the seat properly.
    """
    now = timezone.now()
    with transaction.atomic():
        # The event rows' write lock, which register() takes too: a registration at the same
        # moment is either seen here (and the decline refused) or made after it.
        list(list_events(invitee.invitation_list).order_by("pk").select_for_update().values_list("pk"))
        registration = registration_for(invitee)
        if registration is not None:
            raise AlreadyRegistered(registration)
        declined = bool(
            Invitee.objects.filter(pk=invitee.pk, declined_at__isnull=True).update(
                declined_at=now, opened_at=invitee.opened_at or now
            )
        )
        if declined:
            invitee.declined_at = now
            audit(
                "invitation.declined",
                organisation_id=invitee.invitation_list.organisation_id,
                list_id=invitee.invitation_list_id,
            )
    return declined


def unsubscribe(*, invitee: Invitee) -> None:
    """No more invitations from the organisation to this address, at once (idempotent).

    The address goes on the do-not-mail list (which withdraws a consent to future invitations),
    the box "send me invitations" is unticked on the person's registrations with the organisation
    (so saving their personal page later does not give the consent again behind their back), and
    the erasure journal names the invitee, so a restored backup puts the address back on the list
    (privacy.invitation_data.replay_invitees).
    """
    now = timezone.now()
    organisation = invitee.invitation_list.organisation
    with transaction.atomic():
        suppression.suppress(
            organisation=organisation, email=invitee.email, reason=SuppressionReason.UNSUBSCRIBED
        )
        withdraw_future_invitations(organisation=organisation, email=invitee.email)
        journal_line = {
            "organisation_id": organisation.pk,
            "unsubscribed": [(invitee.pk, invitee.invitation_list.created_at)],
        }
        transaction.on_commit(lambda: erasure_journal.record(**journal_line))
        # Every list of the organisation with the address: the funnel shows it on each.
        Invitee.objects.filter(
            invitation_list__organisation_id=invitee.invitation_list.organisation_id,
            email=invitee.email,
            unsubscribed_at__isnull=True,
        ).update(unsubscribed_at=now)
        invitee.unsubscribed_at = invitee.unsubscribed_at or now


def suppress_bounced_invitation(message, error: str) -> None:
    """The mail worker's bounce hook: an invitation or reminder the server refused for good puts
    the address on the organisation's do-not-mail list (later imports show it as undeliverable)."""
    if message.kind not in UNSUBSCRIBABLE_KINDS or message.ref_id is None:
        return
    invitee = (
        Invitee.objects.select_related("invitation_list__organisation").filter(pk=message.ref_id).first()
    )
    if invitee is None:
        return
    suppression.suppress(
        organisation=invitee.invitation_list.organisation,
        email=invitee.email,
        reason=SuppressionReason.BOUNCED,
        detail=error,
    )
