"""The admin page "New event from invitation": paste, check what was read, correct, save."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.importer.forms import ImportedEventForm, InvitationTextForm
from frukost.importer.parse import parse_invitation
from frukost.importer.services import event_fields, save_checked_event, unique_slug


def import_invitation_view(request):
    if not request.user.has_perm("events.add_event"):
        raise PermissionDenied
    text_form = InvitationTextForm(user=request.user)
    event_form = None
    warnings: list[str] = []
    step = request.POST.get("step") if request.method == "POST" else None

    if step == "read":
        text_form = InvitationTextForm(request.POST, user=request.user)
        if text_form.is_valid():
            draft = parse_invitation(text_form.cleaned_data["text"], today=timezone.localdate())
            organisation = text_form.cleaned_data["organisation"]
            initial = event_fields(draft) | {
                "organisation": organisation,
                "status": EventStatus.DRAFT,
                "capacity": text_form.cleaned_data["capacity"],
                "max_colleagues": 1,
                "slug": unique_slug(
                    organisation=organisation,
                    title=draft.title or "",
                    starts_at=draft.starts_at,
                    city=draft.city or "",
                ),
            }
            event_form = ImportedEventForm(initial=initial, user=request.user)
            warnings = draft.warnings
    elif step == "save":
        event_form = ImportedEventForm(request.POST, user=request.user)
        text_form = InvitationTextForm(initial={"text": request.POST.get("text", "")}, user=request.user)
        if event_form.is_valid():
            event = save_checked_event(event=event_form.save(commit=False), actor=request.user)
            messages.success(
                request, _("The event “%(title)s” was created from the invitation.") % {"title": event}
            )
            return redirect(reverse("admin:events_event_change", args=[event.pk]))

    context = {
        **admin.site.each_context(request),
        "title": _("New event from invitation"),
        "text_form": text_form,
        "event_form": event_form,
        "warnings": warnings,
        "invitation_text": request.POST.get("text", "") if request.method == "POST" else "",
        "opts": Event._meta,
    }
    return TemplateResponse(request, "importer/invitation_import.html", context)
