"""The invitation funnel: invited → opened the page → registered (seat / waiting list) → declined →
no answer, and after the event → came.

"Opened the page" means the invitation link was used (no tracking pixels). Registered counts the
registration made through the link and one made on the public page with the invited address
(active: a seat or the waiting list; a cancelled one is no longer registered). Declined and no
answer exclude the registered, and registered, declined, unsubscribed and no answer add up to the
invited. Came: a registered invitee who
was checked in (checkin). One query for any number of invitees and lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from frukost.checkin.models import CheckIn
from frukost.events.models import Event, Series
from frukost.invitations.models import InvitationList, Invitee
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration


@dataclass(frozen=True)
class Funnel:
    invited: int = 0
    opened: int = 0
    seat: int = 0
    waiting_list: int = 0
    declined: int = 0
    unsubscribed: int = 0
    no_answer: int = 0
    came: int = 0

    @property
    def registered(self) -> int:
        return self.seat + self.waiting_list

    def share(self, value: int) -> int:
        """A share of the invited, in whole per cent."""
        return round(100 * value / self.invited) if self.invited else 0

    @property
    def shares(self) -> dict[str, int]:
        steps = ("opened", "seat", "waiting_list", "declined", "unsubscribed", "no_answer", "came")
        return {step: self.share(getattr(self, step)) for step in steps}


def _funnel(invitees: QuerySet[Invitee], events: QuerySet[Event]) -> Funnel:
    theirs = Q(email=OuterRef("email")) | Q(pk=OuterRef("registration_id"))
    at_events = Registration.objects.filter(theirs, event__in=events)
    seat = Exists(at_events.filter(status=Status.REGISTERED))
    waiting = Exists(at_events.filter(status=Status.WAITLISTED))
    came = Exists(
        CheckIn.objects.filter(
            Q(registration__email=OuterRef("email")) | Q(registration_id=OuterRef("registration_id")),
            event__in=events,
        )
    )
    rows = invitees.filter(invited_at__isnull=False).annotate(has_seat=seat, waiting=waiting, has_come=came)
    registered = Q(has_seat=True) | Q(waiting=True)
    figures = rows.aggregate(
        invited=Count("pk"),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        seat=Count("pk", filter=Q(has_seat=True)),
        waiting_list=Count("pk", filter=Q(has_seat=False, waiting=True)),
        declined=Count("pk", filter=Q(declined_at__isnull=False) & ~registered),
        unsubscribed=Count(
            "pk", filter=Q(unsubscribed_at__isnull=False, declined_at__isnull=True) & ~registered
        ),
        no_answer=Count("pk", filter=~registered & Q(declined_at__isnull=True, unsubscribed_at__isnull=True)),
        came=Count("pk", filter=Q(has_come=True)),
    )
    return Funnel(**{key: value or 0 for key, value in figures.items()})


def list_funnel(invitation_list: InvitationList) -> Funnel:
    if invitation_list.event_id:
        events = Event.objects.filter(pk=invitation_list.event_id)
    else:
        events = Event.objects.filter(series_id=invitation_list.series_id)
    return _funnel(Invitee.objects.filter(invitation_list=invitation_list), events)


def event_funnel(event: Event) -> Funnel:
    """Every list for the event (a series' lists are counted on the series)."""
    return _funnel(Invitee.objects.filter(invitation_list__event=event), Event.objects.filter(pk=event.pk))


def series_funnel(series: Series) -> Funnel:
    """Every list for the series or one of its events, counted at any of its events."""
    lists = Q(invitation_list__series=series) | Q(invitation_list__event__series=series)
    return _funnel(Invitee.objects.filter(lists), Event.objects.filter(series=series))
