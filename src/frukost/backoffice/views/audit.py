"""The organisation's audit log, for owners: who did what, when, to which registration.

Entries belong to an organisation through AuditLog.organisation_id, which audit() fills in
from the event (or the caller passes, for organisation-level actions like member.added). Only
ids, action names and a few whitelisted details are shown: never names or special-category values.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from frukost.accounts.enums import Permission
from frukost.backoffice.audit_actions import action_label, shown_details
from frukost.backoffice.decorators import member_required
from frukost.core.models import AuditLog
from frukost.events.models import Event

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    event = forms.TypedChoiceField(label=_("Event"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("What"), required=False)
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, events, actions, actors, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["event"].choices = everything + [(e.pk, str(e)) for e in events]
        self.fields["action"].choices = everything + sorted(
            ((a, action_label(a)) for a in actions), key=lambda choice: choice[1]
        )
        self.fields["actor"].choices = everything + [(pk, email) for pk, email in actors]


@member_required(Permission.VIEW_AUDIT_LOG)
@require_GET
def audit_log(request):
    """The organisation's entries, newest first, 50 a page, filtered by event, action and actor."""
    organisation = request.organisation
    entries = AuditLog.objects.filter(organisation_id=organisation.pk)
    events = list(Event.objects.filter(organisation=organisation).only("pk", "title", "starts_at"))
    actions = entries.order_by().values_list("action", flat=True).distinct()
    actors = (
        entries.filter(actor__isnull=False)
        .order_by("actor__email")
        .values_list("actor_id", "actor__email")
        .distinct()
    )
    form = AuditFilterForm(request.GET or None, events=events, actions=list(actions), actors=list(actors))
    if form.is_bound and form.is_valid():
        if form.cleaned_data["event"]:
            entries = entries.filter(event_id=form.cleaned_data["event"])
        if form.cleaned_data["action"]:
            entries = entries.filter(action=form.cleaned_data["action"])
        if form.cleaned_data["actor"]:
            entries = entries.filter(actor_id=form.cleaned_data["actor"])
    page = Paginator(entries.select_related("actor").order_by("-at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    titles = {event.pk: event.title for event in events}
    rows = [_row(entry, titles, organisation.slug) for entry in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/audit_log.html",
        {"form": form, "page": page, "rows": rows, "filter_query": query.urlencode()},
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def _row(entry: AuditLog, titles: dict[int, str], slug: str) -> dict:
    return {
        "at": entry.at,
        "actor": entry.actor.email if entry.actor else "",
        "action": entry.action,
        "label": action_label(entry.action),
        "event_id": entry.event_id,
        "event_title": titles.get(entry.event_id, "") if entry.event_id else "",
        "registration_id": entry.registration_id,
        "registration_url": _registration_url(slug, entry.event_id, entry.registration_id),
        "details": shown_details(entry.data),
    }


def _registration_url(slug: str, event_id: int | None, registration_id: int | None) -> str:
    if not (event_id and registration_id):
        return ""
    # The registration page belongs to another part of the back office; link it if it is there.
    for args in ([slug, event_id, registration_id], [slug, registration_id]):
        try:
            return reverse("backoffice:registration", args=args)
        except NoReverseMatch:
            continue
    return ""
