"""Series: events that belong together (one programme in many cities), side by side."""

from __future__ import annotations

from django.db.models import Count, Max, Min
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import member_required
from frukost.events.models import Series
from frukost.registrations import queries, statistics


@member_required(Permission.MANAGE_EVENTS)
@require_GET
def series_list(request):
    """The organisation's series with how many events each has and when they run."""
    series = (
        Series.objects.filter(organisation=request.organisation)
        .annotate(event_count=Count("events"), first=Min("events__starts_at"), last=Max("events__starts_at"))
        .order_by("name", "id")
    )
    return render(request, "backoffice/series_list.html", {"series_list": list(series)})


@member_required(Permission.MANAGE_EVENTS)
@require_GET
def series_detail(request, series_id: int):
    """The series' events side by side: date, city, status, seats, waiting list, how full (one query)."""
    series = get_object_or_404(Series.objects.filter(organisation=request.organisation), pk=series_id)
    events = list(
        queries.events_at_a_glance(
            access.events_for(request.member, Permission.MANAGE_EVENTS).filter(series=series)
        ).order_by("starts_at", "id")
    )
    totals = {
        "capacity": sum(e.capacity for e in events),
        "seats_taken": sum(e.seats_taken for e in events),
        "waiting": sum(e.waiting for e in events),
    }
    comparison = statistics.compare_events(
        events,
        include_membership=access.has_permission(request.member, Permission.VIEW_SPECIAL_CATEGORY),
    )
    return render(
        request,
        "backoffice/series_detail.html",
        {"series": series, "events": events, "totals": totals, "comparison": comparison},
    )
