"""Messages to an event's attendees: the history, write → preview in both languages → send."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.core.tokens import new_token
from frukost.messaging import queries
from frukost.messaging.enums import Audience
from frukost.messaging.exceptions import InvalidAnnouncement, NoRecipients
from frukost.messaging.forms import AnnouncementForm
from frukost.messaging.models import Announcement
from frukost.messaging.services import audience_counts, preview_announcement, send_announcement


@member_required(Permission.SEND_MESSAGES)
@require_GET
def message_list(request, event_id: int):
    """What was sent, when, by whom, to which audience, and how far delivery has got."""
    event = event_for(request, event_id, Permission.SEND_MESSAGES)
    return render(
        request,
        "backoffice/event_messages.html",
        {"event": event, "history": queries.announcement_history(event)},
    )


@member_required(Permission.SEND_MESSAGES)
@require_http_methods(["GET", "HEAD", "POST"])
def message_new(request, event_id: int):
    """Write (GET), preview in Swedish and English with the recipient count (POST step=preview),
    change the text (step=edit) or send (step=send, from the preview's form)."""
    event = event_for(request, event_id, Permission.SEND_MESSAGES)
    counts = audience_counts(event=event)
    step = request.POST.get("step") if request.method == "POST" else None
    if step is None:
        form = AnnouncementForm(counts=counts)
        return _compose_page(request, event, form)
    form = AnnouncementForm(request.POST, counts=counts)
    if step == "edit" or not form.is_valid():
        if step == "edit":
            form = AnnouncementForm(initial=request.POST.dict(), counts=counts)
        return _compose_page(request, event, form, status=200 if step == "edit" else 400)
    audience = Audience(form.cleaned_data["audience"])
    try:
        if step == "send":
            announcement = send_announcement(
                event=event,
                text=form.text,
                audience=audience,
                actor=request.user,
                send_key=request.POST.get("send_key", "")[:64] or None,
            )
            messages.success(
                request,
                _("Your message is on its way to %(count)d people. Below you can follow its delivery.")
                % {"count": announcement.recipient_count},
            )
            return redirect("backoffice:event-message", request.organisation.slug, event.pk, announcement.pk)
        preview = preview_announcement(event=event, text=form.text, audience=audience)
    except InvalidAnnouncement as exc:  # the form checks the same rules; kept for safety
        for field, message in exc.errors.items():
            form.add_error(field, message)
        return _compose_page(request, event, form, status=400)
    except NoRecipients:
        form.add_error("audience", _("Nobody is in this group right now. Choose another group."))
        return _compose_page(request, event, form, status=409)
    if not preview.recipient_count:
        form.add_error("audience", _("Nobody is in this group right now. Choose another group."))
        return _compose_page(request, event, form, status=409)
    return render(
        request,
        "backoffice/event_message_preview.html",
        {
            "event": event,
            "preview": preview,
            "audience": audience,
            "text": form.text,
            "send_key": new_token(),
        },
    )


def _compose_page(request, event, form, *, status: int = 200):
    return render(request, "backoffice/event_message_new.html", {"event": event, "form": form}, status=status)


@member_required(Permission.SEND_MESSAGES)
@require_GET
def message_detail(request, event_id: int, announcement_id: int):
    """One message: its text, and each recipient with the delivery status of their e-mail."""
    event = event_for(request, event_id, Permission.SEND_MESSAGES)
    announcement = get_object_or_404(
        Announcement.objects.select_related("created_by"), pk=announcement_id, event=event
    )
    return render(
        request,
        "backoffice/event_message.html",
        {
            "event": event,
            "announcement": announcement,
            "recipients": list(queries.announcement_messages(announcement)),
        },
    )
