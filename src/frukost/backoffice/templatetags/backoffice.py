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


@register.filter
def percent(part, whole) -> int:
    """Part of whole as a whole percentage for bar widths, 0–100."""
    try:
        return max(0, min(100, round(100 * part / whole)))
    except (TypeError, ZeroDivisionError):
        return 0
