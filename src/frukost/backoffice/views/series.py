"""Series: events that belong together (one programme in many cities), side by side."""

from __future__ import annotations

from django.db.models import Count, Max, Min
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice import charts
from frukost.backoffice.decorators import member_required
from frukost.checkin import attendance
from frukost.core import formats
from frukost.events.enums import EventStatus
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
        {"series": series, "events": events, "totals": totals, "comparison": comparison}
        | _attendance(events),
    )


def _attendance(events) -> dict:
    """Each event's funnel and no-shows, the series' no-show rate over its closed events (summed,
    as checkin.attendance.series_no_show_rate does) and a bar per closed event: two queries."""
    figures = attendance.attendance_of_events(events)
    now = timezone.now()
    rows = [{"event": event, "figures": figures[event.pk], "ended": event.ends_at <= now} for event in events]
    counted = [row["figures"] for row in rows if row["event"].status != EventStatus.CANCELLED]
    overall = attendance.overall_rate(counted)
    bars = [
        charts.Bar(
            label=", ".join(filter(None, [formats.short_date(row["event"].starts_at), row["event"].city])),
            value=row["figures"].not_arrived,
            of=row["figures"].expected,
            text=formats.percent(row["figures"].no_show_rate),
        )
        for row in rows
        if row["figures"].no_show_rate is not None and row["event"].status != EventStatus.CANCELLED
    ]
    chart = ""
    if bars:
        chart = charts.bar_chart(
            chart_id="chart-no-shows",
            title=_("No-show rate per event"),
            description="; ".join(f"{bar.label}: {bar.text}" for bar in bars),
            bars=bars,
        )
    return {"attendance_rows": rows, "no_show_rate": overall, "no_show_chart": chart}
