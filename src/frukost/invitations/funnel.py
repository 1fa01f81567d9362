"""The invitation funnel: invited → opened the page → registered (seat / waiting list) → declined →
no answer, and after the event → came.

"Opened the page" means the invitation link was used (no tracking pixels). Registered counts the
registration made through the link and one made on the public page with the invited address
(active: a seat or the waiting list; a cancelled one is no longer registered). Declined and no
answer exclude the registered, and registered, declined, unsubscribed and no answer add up to the
invited. Came: a registered invitee who
was checked in (checkin). Invitees erased on the retention schedule (or at their own request)
left their figures in their list's `erased_*` counts (privacy.erasure, counted by `count` below
just before they went), which every funnel adds: two queries for any number of invitees and lists.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

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

    def __add__(self, other: Funnel) -> Funnel:
        return Funnel(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

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


def with_answers(invitees: QuerySet[Invitee], events: QuerySet[Event]) -> QuerySet[Invitee]:
    """The invitees annotated with `has_seat` and `waiting` (an active registration at the events,
    through the link or on the public page with the invited address): what the funnel counts and
    the list page shows for each person, in the same query."""
    theirs = Q(email=OuterRef("email")) | Q(pk=OuterRef("registration_id"))
    at_events = Registration.objects.filter(theirs, event__in=events)
    return invitees.annotate(
        has_seat=Exists(at_events.filter(status=Status.REGISTERED)),
        waiting=Exists(at_events.filter(status=Status.WAITLISTED)),
    )


def count(invitees: QuerySet[Invitee], events: QuerySet[Event]) -> Funnel:
    """The figures of these invitees at these events, as they stand (one query).

    Someone who registered through the invitation and then cancelled has answered (the reminder
    leaves them out, reminders.not_answered): they count as declined, not as no answer."""
    came = Exists(
        CheckIn.objects.filter(
            Q(registration__email=OuterRef("email")) | Q(registration_id=OuterRef("registration_id")),
            event__in=events,
        )
    )
    rows = with_answers(invitees.filter(invited_at__isnull=False), events).annotate(has_come=came)
    registered = Q(has_seat=True) | Q(waiting=True)
    said_no = Q(declined_at__isnull=False) | Q(registered_at__isnull=False)
    figures = rows.aggregate(
        invited=Count("pk"),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        seat=Count("pk", filter=Q(has_seat=True)),
        waiting_list=Count("pk", filter=Q(has_seat=False, waiting=True)),
        declined=Count("pk", filter=said_no & ~registered),
        unsubscribed=Count(
            "pk",
            filter=Q(unsubscribed_at__isnull=False, declined_at__isnull=True, registered_at__isnull=True)
            & ~registered,
        ),
        no_answer=Count(
            "pk",
            filter=~registered
            & Q(declined_at__isnull=True, unsubscribed_at__isnull=True, registered_at__isnull=True),
        ),
        came=Count("pk", filter=Q(has_come=True)),
    )
    return Funnel(**{key: value or 0 for key, value in figures.items()})


# Funnel step -> the InvitationList field that keeps it for erased invitees (no_answer is derived).
ERASED_FIELDS = {
    "invited": "erased_invited",
    "opened": "erased_opened",
    "seat": "erased_registered",
    "waiting_list": "erased_waitlisted",
    "declined": "erased_declined",
    "unsubscribed": "erased_unsubscribed",
    "came": "erased_came",
}


def erased(lists: QuerySet[InvitationList]) -> Funnel:
    """What the erased invitees of these lists had done (one query)."""
    sums = {
        step: value or 0
        for step, value in lists.aggregate(**{s: Sum(f) for s, f in ERASED_FIELDS.items()}).items()
    }
    answered = sums["seat"] + sums["waiting_list"] + sums["declined"] + sums["unsubscribed"]
    return Funnel(**sums, no_answer=max(sums["invited"] - answered, 0))


def list_events(invitation_list: InvitationList) -> QuerySet[Event]:
    if invitation_list.event_id:
        return Event.objects.filter(pk=invitation_list.event_id)
    return Event.objects.filter(series_id=invitation_list.series_id)


def list_funnel(invitation_list: InvitationList) -> Funnel:
    live = count(Invitee.objects.filter(invitation_list=invitation_list), list_events(invitation_list))
    return live + erased(InvitationList.objects.filter(pk=invitation_list.pk))


def event_funnel(event: Event) -> Funnel:
    """Every list for the event (a series' lists are counted on the series)."""
    live = count(Invitee.objects.filter(invitation_list__event=event), Event.objects.filter(pk=event.pk))
    return live + erased(InvitationList.objects.filter(event=event))


def series_funnel(series: Series) -> Funnel:
    """Every list for the series or one of its events, counted at any of its events."""
    lists = Q(invitation_list__series=series) | Q(invitation_list__event__series=series)
    live = count(Invitee.objects.filter(lists), Event.objects.filter(series=series))
    return live + erased(InvitationList.objects.filter(Q(series=series) | Q(event__series=series)))
