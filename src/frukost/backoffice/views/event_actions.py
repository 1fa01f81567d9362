"""An event's status and copies: publish, close and reopen registration, cancel (after asking), clone.

Each is a POST (cancelling first shows what will happen); none writes through the ORM itself.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.core.forms import add_errors
from frukost.events.exceptions import InvalidEvent, WrongStatus
from frukost.events.forms import CloneForm
from frukost.events.services import (
    Place,
    clone_event,
    close_registration,
    publish_event,
    reopen_registration,
)
from frukost.registrations.services import cancel_event, preview_event_cancellation

# --- Status: publish, close and reopen registration, cancel; clone --------------------------------


def _act(request, event_id: int, service, done: str):
    event = event_for(request, event_id, Permission.MANAGE_EVENTS)
    try:
        event = service(event=event, actor=request.user)
    except WrongStatus as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("backoffice:event", request.organisation.slug, event.pk)


@member_required(Permission.MANAGE_EVENTS)
@require_POST
def event_publish(request, event_id: int):
    return _act(
        request, event_id, publish_event, _("The event is published: its page is open for registration.")
    )


@member_required(Permission.MANAGE_EVENTS)
@require_POST
def event_close(request, event_id: int):
    return _act(
        request,
        event_id,
        close_registration,
        _("Registration is closed. Those registered keep their seats; you can reopen it."),
    )


@member_required(Permission.MANAGE_EVENTS)
@require_POST
def event_reopen(request, event_id: int):
    event = event_for(request, event_id, Permission.MANAGE_EVENTS)
    try:
        event = reopen_registration(event=event, actor=request.user)
    except WrongStatus as exc:
        messages.error(request, exc.message)
    else:
        if event.registration_closes_at > timezone.now():
            messages.success(request, _("Registration is open again."))
        else:
            messages.warning(
                request,
                _(
                    "The early close is undone, but the last day to register has passed: change it to open "
                    "again."
                ),
            )
    return redirect("backoffice:event", request.organisation.slug, event.pk)


@member_required(Permission.MANAGE_EVENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def event_cancel(request, event_id: int):
    """Ask first (who will be told, the e-mail they get), then cancel and tell everyone."""
    event = event_for(request, event_id, Permission.MANAGE_EVENTS)
    overview = reverse("backoffice:event", args=[request.organisation.slug, event.pk])
    try:
        recipients = preview_event_cancellation(event=event)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            told = cancel_event(event=event, actor=request.user)
            messages.success(
                request,
                ngettext(
                    "The event is cancelled. %(count)d person is being told by e-mail.",
                    "The event is cancelled. %(count)d people are being told by e-mail.",
                    told,
                )
                % {"count": told},
            )
            return redirect(overview)
    except WrongStatus as exc:
        messages.error(request, exc.message)
        return redirect(overview)
    context = {
        "event": event,
        "title": _("Cancel “%(title)s”?") % {"title": event.title},
        "lead": _("Cancel only if the event will not take place. This cannot be undone."),
        "consequences": [
            _(
                "All %(registered)d registered and %(waitlisted)d waitlisted will be told by e-mail, with a "
                "calendar file that removes the event from their calendars."
            )
            % {"registered": recipients.registered, "waitlisted": recipients.waitlisted},
            _("The public page stays up and says “Cancelled”; nobody can register any more."),
        ],
        "button": _("Cancel the event and tell everyone"),
        "danger": True,
        "back_url": overview,
        "preview": recipients.message,
    }
    return TemplateResponse(request, "backoffice/confirm.html", context)


@member_required(Permission.MANAGE_EVENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def event_clone(request, event_id: int):
    """A copy on a new date and at a new place, in the same series; it opens as a draft."""
    source = event_for(request, event_id, Permission.MANAGE_EVENTS)
    initial = {
        "starts_at": source.starts_at,
        "venue_name": source.venue_name,
        "street_address": source.street_address,
        "postal_code": source.postal_code,
        "city": source.city,
        "online": source.online,
    }
    form = CloneForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            place = Place(**{name: data[name] for name in vars(Place()) if name in data})
            try:
                clone = clone_event(
                    source=source, starts_at=data["starts_at"], place=place, actor=request.user
                )
            except InvalidEvent as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(
                    request,
                    _("A copy was made as a draft in the series “%(series)s”. Check it, then publish it.")
                    % {"series": clone.series.name},
                )
                return redirect("backoffice:event-edit", request.organisation.slug, clone.pk)
        status = 400
    return TemplateResponse(
        request, "backoffice/event_clone.html", {"event": source, "form": form}, status=status
    )
