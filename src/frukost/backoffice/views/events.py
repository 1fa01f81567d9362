"""The organisation's events: the list at a glance."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.events.models import Event
from frukost.registrations import queries


@member_required(Permission.CHECK_IN)
@require_GET
def event_list(request):
    """Every event the member can reach, upcoming first, then the past ones (most recent first).

    Door staff see the events they were given, with a link to the door list only.
    """
    member = request.member
    can_manage = access.has_permission(member, Permission.MANAGE_EVENTS)
    permission = Permission.MANAGE_EVENTS if can_manage else Permission.CHECK_IN
    events = list(
        queries.events_at_a_glance(access.events_for(member, permission)).order_by("starts_at", "id")
    )
    now = timezone.now()
    today = timezone.localdate()
    for event in events:
        last_day = event.registration_deadline or timezone.localdate(event.starts_at)
        # 0: today is the last day to register; None: registration has closed.
        event.days_to_deadline = (last_day - today).days if event.registration_closes_at > now else None
    upcoming = [e for e in events if e.ends_at >= now]
    past = sorted((e for e in events if e.ends_at < now), key=lambda e: e.starts_at, reverse=True)
    return render(
        request,
        "backoffice/event_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "can_manage": can_manage,
        },
    )


@member_required(Permission.MANAGE_EVENTS)
@require_GET
def event_overview(request, event_id: int):
    """One event: its facts and state, seats, waiting list and what to do next."""
    event = event_for(request, event_id, Permission.MANAGE_EVENTS)
    counts = queries.events_at_a_glance(Event.objects.filter(pk=event.pk)).get()
    return render(
        request,
        "backoffice/event_overview.html",
        {
            "event": event,
            "counts": counts,
            "state": queries.registration_state(event, seats_taken=counts.seats_taken),
            "seats_left": queries.seats_left(event, counts.seats_taken),
        },
    )
