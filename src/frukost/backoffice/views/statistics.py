"""An event's statistics: charts an organiser would rather look at than read, numbers beside them."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice import charts
from frukost.backoffice.decorators import event_for, member_required
from frukost.backoffice.overbooking import overbooking_line
from frukost.checkin import attendance
from frukost.core import formats
from frukost.registrations.statistics import EventStatistics, event_statistics


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def event_statistics_page(request, event_id: int):
    """Registrations per day against the deadline, fill, colleagues, waiting list, cancellations,
    and (for those who may see membership) members and non-members."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    statistics = event_statistics(event)
    can_view_special = access.has_permission(request.member, Permission.VIEW_SPECIAL_CATEGORY)
    sections = _bar_sections(statistics, can_view_special)
    funnel = attendance.attendance(event)
    return render(
        request,
        "backoffice/event_statistics.html",
        {
            "event": event,
            "statistics": statistics,
            "figures": statistics.figures,
            "overbooking_line": overbooking_line(event),
            "can_view_special": can_view_special,
            "per_day_chart": _per_day_chart(statistics),
            "sections": sections,
            "funnel": funnel,
            "funnel_chart": _funnel_chart(funnel),
            "no_shows": _no_shows_text(funnel),
        },
    )


def _funnel_chart(funnel: attendance.Attendance):
    """Registered → confirmed → arrived, each bar against everyone who registered."""
    whole = funnel.registered
    bars = [
        charts.Bar(pgettext("funnel", "Registered"), funnel.registered, whole, str(funnel.registered)),
        charts.Bar(pgettext("funnel", "Confirmed"), funnel.confirmed, whole, str(funnel.confirmed)),
        charts.Bar(pgettext("funnel", "Arrived"), funnel.arrived, whole, str(funnel.arrived)),
    ]
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return charts.bar_chart(
        chart_id="chart-attendance",
        title=_("Registered, confirmed, arrived"),
        description=description,
        bars=bars,
    )


def _no_shows_text(funnel: attendance.Attendance) -> str:
    """ "6 of 58 (10 %)" once closed; empty while open."""
    if funnel.no_show_rate is None:
        return ""
    return _("%(value)d of %(whole)d (%(percent)s)") % {
        "value": funnel.no_shows,
        "whole": funnel.expected,
        "percent": formats.percent(funnel.no_show_rate),
    }


def _per_day_chart(statistics: EventStatistics):
    if not statistics.days:
        return ""
    language = get_language()
    figures = statistics.figures
    start, end = statistics.axis_start, statistics.axis_end
    deadline = statistics.deadline
    description = _("%(total)d registrations from %(start)s to %(end)s, against %(capacity)d seats.") % {
        "total": statistics.days[-1].total,
        "start": formats.short_date(start, language),
        "end": formats.short_date(statistics.days[-1].day, language),
        "capacity": figures.capacity,
    }
    if deadline:
        description += " " + _("Last day to register: %(date)s.") % {
            "date": formats.long_date(deadline, language)
        }
    return charts.cumulative_chart(
        chart_id="chart-per-day",
        title=_("Registrations so far, per day"),
        description=description,
        points=[charts.Point(day=d.day, total=d.total) for d in statistics.days],
        start=start,
        end=end,
        capacity=figures.capacity,
        deadline=deadline,
        capacity_label=_("%(count)d seats") % {"count": figures.capacity},
        deadline_label=_("Last day to register"),
        language=language,
    )


def _of(value: int, whole: int) -> str:
    return _("%(value)d of %(whole)d") % {"value": value, "whole": whole}


def _bar_sections(statistics: EventStatistics, can_view_special: bool) -> list[dict]:
    """Each section: a heading, its bars, the SVG and the same numbers for a table."""
    f = statistics.figures
    sections = [
        (
            "fill",
            _("Seats"),
            [
                charts.Bar(_("Seats taken"), f.seats_taken, f.seat_limit, _of(f.seats_taken, f.seat_limit)),
                charts.Bar(_("On the waiting list"), f.waiting, f.seat_limit, str(f.waiting)),
            ],
        ),
        (
            "colleagues",
            _("Colleagues brought"),
            [
                charts.Bar(
                    _("Colleagues brought"),
                    f.colleagues_brought,
                    f.registrations_total,
                    _of(f.colleagues_brought, f.registrations_total),
                ),
                charts.Bar(
                    _("Of them confirmed"),
                    f.colleagues_confirmed,
                    f.colleagues_brought,
                    _of(f.colleagues_confirmed, f.colleagues_brought),
                ),
            ],
        ),
        (
            "ended",
            _("Cancellations"),
            [
                charts.Bar(
                    _("Cancelled registrations"),
                    f.cancelled,
                    f.registrations_total,
                    _of(f.cancelled, f.registrations_total),
                ),
                charts.Bar(
                    _("Held seats released"),
                    f.released,
                    f.registrations_total,
                    _of(f.released, f.registrations_total),
                ),
            ],
        ),
    ]
    if can_view_special:
        sections.append(
            (
                "membership",
                _("Members among those with a seat"),
                [
                    charts.Bar(_("Members"), f.members, f.seats_taken, _of(f.members, f.seats_taken)),
                    charts.Bar(
                        _("Not members"), f.not_members, f.seats_taken, _of(f.not_members, f.seats_taken)
                    ),
                    charts.Bar(
                        _("Prefer not to say"),
                        f.undisclosed,
                        f.seats_taken,
                        _of(f.undisclosed, f.seats_taken),
                    ),
                    charts.Bar(
                        _("Not answered yet"), f.unanswered, f.seats_taken, _of(f.unanswered, f.seats_taken)
                    ),
                ],
            )
        )
    result = []
    for key, heading, bars in sections:
        description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
        result.append(
            {
                "key": key,
                "heading": heading,
                "bars": bars,
                "svg": charts.bar_chart(
                    chart_id=f"chart-{key}", title=heading, description=description, bars=bars
                ),
            }
        )
    return result
