"""Leads: the people who said yes, after an event, to being contacted by the local representative.

The representative (and owners and organisers: VIEW_LEADS) sees them organisation-wide or per
event, filters by event and by whether they have been contacted, marks each contacted (with a
short note) or undoes that, and exports the list as CSV or XLSX. Nothing here shows a membership
answer, a diet or a need: a lead holds none (frukost.contacts.Lead).
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.contacts.exceptions import NoteTooLong
from frukost.contacts.exports import export_leads
from frukost.contacts.models import Lead
from frukost.contacts.queries import lead_events, leads_for
from frukost.contacts.services import NOTE_MAX_LENGTH, mark_contacted, unmark_contacted, withdraw_lead
from frukost.core.spreadsheets import ExportFormat

PAGE_SIZE = 50
CONTACTED = {"yes": True, "no": False}


class LeadFilter(forms.Form):
    """The list's filters (GET) and the export's (POST): an unknown value is a form error, shown."""

    event = forms.TypedChoiceField(label=gettext_lazy("Event"), required=False, coerce=int, empty_value=None)
    contacted = forms.ChoiceField(
        label=gettext_lazy("Contacted"),
        required=False,
        choices=[
            ("", gettext_lazy("Everyone")),
            ("no", gettext_lazy("Not contacted yet")),
            ("yes", gettext_lazy("Contacted")),
        ],
    )

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", _("Every event"))] + [
            (event.pk, f"{event.title} ({event.starts_at:%Y-%m-%d})") for event in events
        ]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"event_id": data.get("event"), "contacted": CONTACTED.get(data.get("contacted") or "")}


def _render_list(request, *, event=None):
    organisation = request.organisation
    events = [] if event else list(lead_events(organisation))
    form = LeadFilter(request.GET or None, events=events)
    if event:
        del form.fields["event"]
    filters = form.filters() if form.is_bound else {"event_id": None, "contacted": None}
    if event:
        filters["event_id"] = event.pk
    page = Paginator(leads_for(organisation, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "event": event,
        "filters": filters,
        "contacted_value": request.GET.get("contacted", "") if form.is_bound and form.is_valid() else "",
        "query": query.urlencode(),
        "here": request.get_full_path(),
        "total": Lead.objects.filter(
            organisation=organisation, **({"source_event": event} if event else {})
        ).count(),
        "note_max_length": NOTE_MAX_LENGTH,
        "retain_months": settings.FRUKOST_RETAIN_LEADS_MONTHS,
        "formats": ExportFormat.choices,
    }
    template = "backoffice/event_leads.html" if event else "backoffice/lead_list.html"
    return render(request, template, context, status=400 if form.is_bound and not form.is_valid() else 200)


@member_required(Permission.VIEW_LEADS)
@require_GET
def lead_list(request):
    return _render_list(request)


@member_required(Permission.VIEW_LEADS)
@require_GET
def event_leads(request, event_id: int):
    return _render_list(request, event=event_for(request, event_id, Permission.VIEW_LEADS))


def _back(request) -> str:
    """Where the button was pressed (the list with its filters and page), if it is a leads page."""
    organisation = request.organisation.slug
    back = request.POST.get("next", "")
    prefix = f"/backoffice/{organisation}/"
    if back.startswith(prefix) and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("backoffice:leads", args=[organisation])


@member_required(Permission.VIEW_LEADS)
@require_POST
def lead_contacted(request, lead_id: int):
    """Mark a lead contacted (with the optional note), or undo that."""
    lead = get_object_or_404(Lead, pk=lead_id, organisation=request.organisation)
    name = lead.full_name or lead.email
    if request.POST.get("action") == "undo":
        unmark_contacted(lead, actor=request.user)
        messages.success(request, _("%(name)s is marked not contacted again.") % {"name": name})
    else:
        try:
            mark_contacted(lead, actor=request.user, note=request.POST.get("note", ""))
        except NoteTooLong:
            messages.error(
                request,
                _("The note can be at most %(n)s characters; shorten it and try again.")
                % {"n": NOTE_MAX_LENGTH},
            )
        else:
            messages.success(request, _("%(name)s is marked contacted.") % {"name": name})
    return redirect(_back(request))


@member_required(Permission.VIEW_LEADS)
@require_http_methods(["GET", "HEAD", "POST"])
def lead_remove(request, lead_id: int):
    """The person said no after all (on the phone, by e-mail): withdraw the lead on their behalf."""
    lead = get_object_or_404(Lead, pk=lead_id, organisation=request.organisation)
    back = reverse("backoffice:leads", args=[request.organisation.slug])
    if request.method == "POST":
        withdraw_lead(
            organisation=request.organisation, email=lead.email, event=lead.source_event, actor=request.user
        )
        messages.success(request, _("%(email)s is no longer on the list.") % {"email": lead.email})
        return redirect(back)
    return render(
        request,
        "backoffice/confirm.html",
        {
            "title": _("Remove %(name)s from the leads?") % {"name": lead.full_name or lead.email},
            "lead": _("Do this when the person no longer wants to be contacted."),
            "consequences": [
                _("Their yes is withdrawn and the lead deleted, with what they answered and your note."),
                _("Their registration and any consent to invitations are not affected."),
                _("No e-mail is sent."),
            ],
            "button": _("Remove from the leads"),
            "danger": True,
            "back_url": back,
        },
    )


@member_required(Permission.VIEW_LEADS)
@require_POST
def leads_export(request):
    return _export(request)


# The file is personal data: a recent password first, as for the registrations' export
# (allauth replays the POST once it is given).
@reauthentication_required(allow_get=True)
def _export(request):
    organisation = request.organisation
    form = LeadFilter(request.POST, events=lead_events(organisation))
    file_format = request.POST.get("format", "")
    if not form.is_valid() or file_format not in ExportFormat.values:
        messages.error(request, _("The export could not be made; check your choices."))
        return redirect(_back(request))
    export = export_leads(organisation=organisation, format=file_format, actor=request.user, **form.filters())
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
