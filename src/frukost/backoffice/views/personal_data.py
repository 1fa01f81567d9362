"""An event's personal data: what is still stored, and when retention erases it."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.events.models import STOCKHOLM
from frukost.privacy import retention
from frukost.registrations.enums import Diet

KIND_LABELS = {
    retention.IDENTITY: _("Names, e-mail addresses, workplaces and titles"),
    retention.CANCELLED: _("Cancelled and released registrations"),
    retention.NEEDS: _("Diets and other needs"),
    retention.CATERING_NOTES: _("Diet notes in catering lists"),
    retention.MEMBERSHIP: _("Membership answers"),
    retention.LINKS: _("Personal links"),
    retention.OLD_MAIL: _("E-mails with a recipient"),
    retention.FEEDBACK: _("Feedback tied to a name (the texts stay without it)"),
}


def _amount(kind: str, count: int) -> str:
    if kind == retention.LINKS:
        return ngettext("%(count)d link", "%(count)d links", count) % {"count": count}
    if kind == retention.OLD_MAIL:
        return ngettext("%(count)d e-mail", "%(count)d e-mails", count) % {"count": count}
    if kind == retention.FEEDBACK:
        return ngettext("%(count)d answer", "%(count)d answers", count) % {"count": count}
    if kind == retention.CATERING_NOTES:
        return ngettext("%(count)d list", "%(count)d lists", count) % {"count": count}
    return ngettext("%(count)d registration", "%(count)d registrations", count) % {"count": count}


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def event_personal_data(request, event_id: int):
    """Per kind: how much is still stored and the day it goes (the organisation's retention
    settings), or when it was erased and what was kept as counts."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    inventory = retention.stored_personal_data(event)
    today = timezone.localdate(timezone.now(), STOCKHOLM)
    rows = [
        {
            "kind": item.kind,
            "label": KIND_LABELS[item.kind],
            "amount": _amount(item.kind, item.count),
            "count": item.count,
            "goes_on": item.goes_on,
            "due": item.goes_on <= today,
            "erased_at": item.erased_at,
            "mail": item.kind == retention.OLD_MAIL,
        }
        for item in inventory.kinds
    ]
    tally = inventory.tally
    kept_diets = (
        [(str(Diet(code).label), tally.diet_count(code)) for code in Diet.values if tally.diet_count(code)]
        if tally
        else []
    )
    return render(
        request,
        "backoffice/event_personal_data.html",
        {
            "event": event,
            "rows": rows,
            "schedule": inventory.schedule,
            "tally": tally,
            "kept_diets": kept_diets,
            "mail_days": inventory.mail_days,
        },
    )
