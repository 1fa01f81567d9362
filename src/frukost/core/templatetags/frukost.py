from django import template

from frukost.core import formats
from frukost.core.markdown import render_markdown

register = template.Library()


@register.filter
def long_date(value, language=None):
    return formats.long_date(value, language) if value else ""


@register.filter
def short_date(value, language=None):
    return formats.short_date(value, language) if value else ""


@register.filter
def clock(value, language=None):
    return formats.clock(value, language) if value else ""


@register.simple_tag
def time_range(start, end, language=None):
    return formats.time_range(start, end, language)


@register.filter
def markdown(value):
    return render_markdown(value or "")


@register.filter
def percentage(share, language=None):
    """A share (0–1) as '7 %' / '7%'; empty for None."""
    return formats.percent(share, language) if share is not None else ""
