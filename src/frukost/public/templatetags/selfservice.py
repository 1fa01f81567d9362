"""How the values of frukost.privacy.selfservice.personal_data read on a page."""

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from frukost.core import formats

register = template.Library()


@register.filter
def personal_value(value, language=None) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return _("%(date)s at %(time)s") % {
            "date": formats.long_date(value, language),
            "time": formats.clock(value, language),
        }
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
