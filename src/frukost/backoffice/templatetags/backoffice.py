from django import template

from frukost.backoffice import navigation

register = template.Library()


def _current(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


@register.simple_tag(takes_context=True)
def organisation_menu(context):
    request = context["request"]
    member = getattr(request, "member", None)
    return navigation.organisation_menu(member, _current(request)) if member else []


@register.simple_tag(takes_context=True)
def event_menu(context, event):
    request = context["request"]
    member = getattr(request, "member", None)
    return navigation.event_menu(member, event, _current(request)) if member else []


@register.simple_tag(takes_context=True)
def organisation_home(context) -> str:
    """The organisation's first page for the signed-in member (navigation.landing_url)."""
    member = getattr(context["request"], "member", None)
    return navigation.landing_url(member) if member else ""


@register.filter
def percent(part, whole) -> int:
    """Part of whole as a whole percentage for bar widths, 0–100."""
    try:
        return max(0, min(100, round(100 * part / whole)))
    except (TypeError, ZeroDivisionError):
        return 0


@register.simple_tag
def comparison_chart(comparison):
    """The fill of each event in a comparison (registrations.statistics.compare_events) as SVG bars."""
    from django.utils.translation import gettext as _

    from frukost.backoffice import charts
    from frukost.core import formats

    bars = [
        charts.Bar(
            label=f"{row.event.title}, {formats.short_date(row.event.starts_at)}",
            value=row.figures.seats_taken,
            of=row.figures.capacity,
            text=_("%(value)d of %(whole)d")
            % {"value": row.figures.seats_taken, "whole": row.figures.capacity},
        )
        for row in comparison.rows
    ]
    title = _("Seats taken per event")
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return charts.bar_chart(chart_id="chart-comparison", title=title, description=description, bars=bars)


@register.filter
def moment(value) -> str:
    """'1 december 2026 kl. 10.23' / '1 December 2026 at 10:23' (Stockholm time)."""
    from django.utils.translation import gettext as _

    from frukost.core import formats

    if not value:
        return ""
    return _("%(date)s at %(time)s") % {"date": formats.short_date(value), "time": formats.clock(value)}
