"""An invitation list's mail: write → preview in Swedish and English → send (once), the reminder to
those who have not answered (days before the deadline and its text, previewed), and the figures
(progress from the outbox, the funnel) for the list page and the invitations overviews."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from frukost.accounts.enums import Permission
from frukost.backoffice import charts
from frukost.backoffice.decorators import invitation_list_for, member_required
from frukost.core.tokens import new_token
from frukost.events.models import Event, Series
from frukost.invitations import funnel, reminders, responses, sending
from frukost.invitations.composer import MailText
from frukost.invitations.models import InvitationList
from frukost.mail.enums import MailKind
from frukost.messaging.exceptions import InvalidAnnouncement
from frukost.messaging.forms import MessageTextForm

PERMISSION = Permission.SEND_MESSAGES


def _list_of(request, list_id: int) -> InvitationList:
    return invitation_list_for(request, list_id, PERMISSION)


def _base(invitation_list: InvitationList) -> dict:
    if invitation_list.event_id:
        return {"event": invitation_list.event, "base_template": "backoffice/event_base.html"}
    return {"series": invitation_list.series, "base_template": "backoffice/invitations/series_base.html"}


def list_url(invitation_list: InvitationList) -> str:
    return reverse("backoffice:invitation-list", args=[invitation_list.organisation.slug, invitation_list.pk])


def funnel_context(figures: funnel.Funnel, *, after_event: bool, chart_id: str = "chart-funnel") -> dict:
    """The funnel's table and its bars (charts.bar_chart, each against the invited)."""
    steps = [
        (pgettext("invitation funnel", "Invited"), figures.invited),
        (pgettext("invitation funnel", "Opened the invitation page"), figures.opened),
        (pgettext("invitation funnel", "Registered"), figures.registered),
        (pgettext("invitation funnel", "Declined"), figures.declined),
        # As in the table: registered + declined + unsubscribed + no answer = invited.
        (pgettext("invitation funnel", "Unsubscribed"), figures.unsubscribed),
        (pgettext("invitation funnel", "No answer"), figures.no_answer),
    ]
    if after_event:
        steps.append((pgettext("invitation funnel", "Came"), figures.came))
    bars = [
        charts.Bar(label=label, value=value, of=figures.invited, text=str(value)) for label, value in steps
    ]
    chart = (
        charts.bar_chart(
            chart_id=chart_id,
            title=_("How the invitation went"),
            description="; ".join(f"{bar.label}: {bar.text}" for bar in bars),
            bars=bars,
        )
        if figures.invited
        else ""
    )
    return {"funnel": figures, "funnel_chart": chart, "after_event": after_event}


def sending_context(invitation_list: InvitationList) -> dict:
    """What the list page shows of the mail: progress of the invitation and the reminder, the
    reminder's time, and the funnel (a handful of queries whatever the size)."""
    invitation_progress = sending.progress(invitation_list)
    reminder_progress = sending.progress(invitation_list, MailKind.INVITATION_REMINDER)
    send_at = reminders.reminder_send_at(invitation_list)
    return {
        "invitation_progress": invitation_progress,
        "invitation_progress_text": sending.progress_text(invitation_progress),
        "reminder_progress": reminder_progress,
        "reminder_progress_text": sending.progress_text(reminder_progress),
        "reminder_send_at": send_at,
        "reminder_passed": send_at is not None and send_at <= timezone.now(),
    } | funnel_context(funnel.list_funnel(invitation_list), after_event=_after(invitation_list))


def target_funnel_context(target: Event | Series) -> dict:
    """The funnel of an event's (or a series') lists, for its invitations overview."""
    if isinstance(target, Event):
        figures = funnel.event_funnel(target)
        after = target.starts_at <= timezone.now()
    else:
        figures = funnel.series_funnel(target)
        after = Event.objects.filter(series=target, starts_at__lte=timezone.now()).exists()
    return funnel_context(figures, after_event=after)


def _after(invitation_list: InvitationList) -> bool:
    """Whether the list's (first) event has started: "came" is shown from then."""
    events = responses.list_events(invitation_list)
    return events.filter(starts_at__lte=timezone.now()).exists()


def _text_form(data=None, *, initial: MailText | None = None) -> MessageTextForm:
    if data is not None:
        return MessageTextForm(data)
    return MessageTextForm(initial=initial.__dict__ if initial else None)


def _text(form: MessageTextForm) -> MailText:
    data = form.cleaned_data
    return MailText(data["subject"], data["body"], data.get("subject_en", ""), data.get("body_en", ""))


@member_required(PERMISSION)
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_send(request, list_id: int):
    """Write (GET: the default or saved text), preview in both languages with the count
    (step=preview), change the text (step=edit), send (step=send, from the preview)."""
    invitation_list = _list_of(request, list_id)
    if invitation_list.sent_at is not None:
        return redirect(list_url(invitation_list))
    step = request.POST.get("step") if request.method == "POST" else None
    if step is None:
        return _compose(request, invitation_list, _text_form(initial=sending.default_text(invitation_list)))
    form = _text_form(request.POST)
    if step == "edit" or not form.is_valid():
        return _compose(request, invitation_list, form, status=200 if step == "edit" else 400)
    text = _text(form)
    try:
        if step == "send":
            count = sending.send_invitations(
                invitation_list=invitation_list,
                text=text,
                actor=request.user,
                send_key=request.POST.get("send_key", "")[:64] or None,
            )
            messages.success(
                request,
                ngettext(
                    "The invitation is on its way to %(count)d person.",
                    "The invitation is on its way to %(count)d people.",
                    count,
                )
                % {"count": count},
            )
            return redirect(list_url(invitation_list))
        preview = sending.preview_invitation(invitation_list=invitation_list, text=text)
    except InvalidAnnouncement as exc:
        form.add_service_errors(exc)
        return _compose(request, invitation_list, form, status=400)
    except sending.AlreadySent:
        messages.info(request, _("The invitation has already been sent."))
        return redirect(list_url(invitation_list))
    except sending.NothingOpen:
        form.add_error(
            None, _("Registration is closed for the list’s events, so there is nothing to invite to.")
        )
        return _compose(request, invitation_list, form, status=409)
    except sending.NoRecipients:
        form.add_error(
            None,
            _(
                "Nobody on the list can be invited: all are registered, have declined or are on the "
                "do-not-mail list."
            ),
        )
        return _compose(request, invitation_list, form, status=409)
    context = _base(invitation_list) | {
        "invitation_list": invitation_list,
        "preview": preview,
        "text": text,
        "send_key": new_token(),
        "list_url": list_url(invitation_list),
    }
    return TemplateResponse(request, "backoffice/invitations/send_preview.html", context)


def _compose(request, invitation_list, form, *, status: int = 200):
    context = _base(invitation_list) | {
        "invitation_list": invitation_list,
        "form": form,
        "recipient_count": sending.recipients(invitation_list).count(),
        "list_url": list_url(invitation_list),
    }
    return TemplateResponse(request, "backoffice/invitations/send.html", context, status=status)


@member_required(PERMISSION)
@require_GET
def invitation_progress(request, list_id: int):
    """How far the invitation has gone, for the list page's small poll (invitation-progress.js)."""
    value = sending.progress(_list_of(request, list_id))
    response = JsonResponse(
        {"text": sending.progress_text(value), "sent": value.sent, "total": value.total, "done": value.done}
    )
    response["Cache-Control"] = "no-store"
    return response


@member_required(PERMISSION)
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_reminder(request, list_id: int):
    """The reminder: days before the deadline (0 = none) and its text; preview (step=preview),
    change (step=edit), save (step=save, from the preview)."""
    invitation_list = _list_of(request, list_id)
    step = request.POST.get("step") if request.method == "POST" else None
    days = request.POST.get("days", "") if step else str(invitation_list.reminder_days_before_deadline)
    if invitation_list.reminders_sent_at is not None:
        messages.info(request, _("The reminder has already been sent."))
        return redirect(list_url(invitation_list))
    if step is None:
        form = _text_form(initial=reminders.reminder_text(invitation_list))
        return _reminder_page(request, invitation_list, form, days)
    form = _text_form(request.POST)
    days_error = ""
    try:
        days_value = reminders.clean_days(days)
    except reminders.InvalidReminder as exc:
        days_error, days_value = exc.errors["days"], None
    if step == "edit" or not form.is_valid() or days_error:
        status = 200 if step == "edit" else 400
        return _reminder_page(request, invitation_list, form, days, days_error=days_error, status=status)
    text = _text(form)
    try:
        if step == "save":
            reminders.update_reminder(
                invitation_list=invitation_list, days=days_value, text=text, actor=request.user
            )
            messages.success(
                request,
                _("The reminder is saved.") if days_value else _("No reminder will be sent for this list."),
            )
            return redirect(list_url(invitation_list))
        preview = reminders.preview_reminder(invitation_list=invitation_list, text=text)
    except InvalidAnnouncement as exc:
        form.add_service_errors(exc)
        return _reminder_page(request, invitation_list, form, days, status=400)
    except reminders.RemindersSent:
        messages.info(request, _("The reminder has already been sent."))
        return redirect(list_url(invitation_list))
    unsaved = InvitationList(
        pk=invitation_list.pk,
        organisation=invitation_list.organisation,
        event=invitation_list.event,
        series=invitation_list.series,
        reminder_days_before_deadline=days_value,
    )
    context = _base(invitation_list) | {
        "invitation_list": invitation_list,
        "preview": preview,
        "text": text,
        "days": days_value,
        "send_at": reminders.reminder_send_at(unsaved),
        "list_url": list_url(invitation_list),
    }
    return TemplateResponse(request, "backoffice/invitations/reminder_preview.html", context)


def _reminder_page(request, invitation_list, form, days, *, days_error: str = "", status: int = 200):
    context = _base(invitation_list) | {
        "invitation_list": invitation_list,
        "form": form,
        "days": days,
        "days_error": days_error,
        "max_days": reminders.MAX_DAYS_BEFORE_DEADLINE,
        "send_at": reminders.reminder_send_at(invitation_list),
        "list_url": list_url(invitation_list),
    }
    return TemplateResponse(request, "backoffice/invitations/reminder.html", context, status=status)
