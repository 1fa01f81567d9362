"""New event from an invitation text: paste, check what was read, correct, save."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import member_required
from frukost.core.forms import add_errors
from frukost.events.exceptions import InvalidEvent
from frukost.events.models import Event
from frukost.importer.forms import ImportedEventForm, InvitationTextForm
from frukost.importer.parse import parse_invitation
from frukost.importer.services import event_fields, save_checked_event, unique_slug


@member_required(Permission.MANAGE_EVENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def event_import(request):
    organisation = request.organisation
    text_form = InvitationTextForm()
    event_form = None
    warnings: list[str] = []
    step = request.POST.get("step") if request.method == "POST" else None

    if step == "read":
        text_form = InvitationTextForm(request.POST)
        if text_form.is_valid():
            draft = parse_invitation(text_form.cleaned_data["text"], today=timezone.localdate())
            initial = event_fields(draft) | {
                "capacity": text_form.cleaned_data["capacity"],
                "max_colleagues": 1,
                "slug": unique_slug(
                    organisation=organisation,
                    title=draft.title or "",
                    starts_at=draft.starts_at,
                    city=draft.city or "",
                ),
            }
            event_form = ImportedEventForm(initial=initial, instance=Event(organisation=organisation))
            warnings = draft.warnings
    elif step == "save":
        event_form = ImportedEventForm(request.POST, instance=Event(organisation=organisation))
        text_form = InvitationTextForm(initial={"text": request.POST.get("text", "")})
        if event_form.is_valid():
            try:
                event = save_checked_event(event=event_form.save(commit=False), actor=request.user)
            except InvalidEvent as exc:
                add_errors(event_form, exc.errors)
            else:
                messages.success(
                    request,
                    _(
                        "The event “%(title)s” was created from the invitation as a draft. "
                        "Check it, then publish it."
                    )
                    % {"title": event.title},
                )
                return redirect("backoffice:event", organisation.slug, event.pk)

    context = {
        "text_form": text_form,
        "event_form": event_form,
        "warnings": warnings,
        "invitation_text": request.POST.get("text", "") if request.method == "POST" else "",
    }
    return TemplateResponse(request, "backoffice/event_import.html", context)
