"""After the event: the thank-you and "sorry we missed you" mails (write → preview → send), and
the feedback results per event and per series."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice import charts
from frukost.backoffice.decorators import event_for, member_required
from frukost.core.tokens import new_token
from frukost.events.models import Series
from frukost.followup import results as feedback_results
from frukost.followup.enums import RATINGS, FollowUpKind
from frukost.followup.exceptions import AttendanceOpen, NoRecipients, NotSendableNow
from frukost.followup.forms import FollowUpForm
from frukost.followup.services import (
    attendance_is_closed,
    audience,
    default_text,
    preview_followup,
    send_followup,
    sent_followups,
)
from frukost.messaging.exceptions import InvalidAnnouncement


def _audience_or_none(event, kind):
    try:
        return audience(event=event, kind=kind)
    except AttendanceOpen:
        return None


@member_required(Permission.SEND_MESSAGES)
@require_GET
def event_followup(request, event_id: int):
    """The two mails after the event: who each would reach now, and what was sent."""
    event = event_for(request, event_id, Permission.SEND_MESSAGES)
    sent = sent_followups(event)
    cards = [
        {
            "kind": kind,
            "audience": _audience_or_none(event, kind),
            "sent": [follow_up for follow_up in sent if follow_up.kind == kind],
        }
        for kind in FollowUpKind
    ]
    return render(
        request,
        "backoffice/event_followup.html",
        {"event": event, "cards": cards, "closed": attendance_is_closed(event)},
    )


@member_required(Permission.SEND_MESSAGES)
@require_http_methods(["GET", "HEAD", "POST"])
def event_followup_thanks(request, event_id: int):
    """The thank-you to those who came, with the feedback link."""
    return _write_preview_send(request, event_id, FollowUpKind.THANKS)


@member_required(Permission.SEND_MESSAGES)
@require_http_methods(["GET", "HEAD", "POST"])
def event_followup_sorry(request, event_id: int):
    """ "Sorry we missed you" to the no-shows, with the material if any."""
    return _write_preview_send(request, event_id, FollowUpKind.SORRY)


def _write_preview_send(request, event_id: int, kind: FollowUpKind):
    """Write (GET, the default text prefilled), preview in Swedish and English with the count
    (POST step=preview), change the text (step=edit) or send (step=send, from the preview)."""
    event = event_for(request, event_id, Permission.SEND_MESSAGES)
    who = _audience_or_none(event, kind)
    step = request.POST.get("step") if request.method == "POST" else None
    if step is None:
        form = FollowUpForm(initial=default_text(event, kind).__dict__, kind=kind)
        return _compose_page(request, event, kind, form, who)
    form = FollowUpForm(request.POST, kind=kind)
    if step == "edit" or not form.is_valid():
        if step == "edit":
            form = FollowUpForm(initial=request.POST.dict(), kind=kind)
        return _compose_page(request, event, kind, form, who, status=200 if step == "edit" else 400)
    try:
        if step == "send":
            follow_up = send_followup(
                event=event,
                kind=kind,
                text=form.text,
                actor=request.user,
                send_key=request.POST.get("send_key", "")[:64] or None,
            )
            messages.success(
                request,
                _("Your e-mail is on its way to %(count)d people.") % {"count": follow_up.recipient_count},
            )
            return redirect("backoffice:event-followup", request.organisation.slug, event.pk)
        preview = preview_followup(event=event, kind=kind, text=form.text)
    except InvalidAnnouncement as exc:  # the form checks the same rules; kept for safety
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _compose_page(request, event, kind, form, who, status=400)
    except AttendanceOpen:
        form.add_error(None, _("Close the attendance first: until then nobody is a no-show."))
        return _compose_page(request, event, kind, form, who, status=409)
    except NoRecipients:
        form.add_error(None, _("Nobody is left to send it to: everyone has had it already."))
        return _compose_page(request, event, kind, form, who, status=409)
    except NotSendableNow as exc:
        form.add_error(None, str(exc))
        return _compose_page(request, event, kind, form, who, status=409)
    if not preview.recipient_count:
        form.add_error(None, _("Nobody is left to send it to: everyone has had it already."))
        return _compose_page(request, event, kind, form, who, status=409)
    return render(
        request,
        "backoffice/event_followup_preview.html",
        {"event": event, "kind": kind, "preview": preview, "text": form.text, "send_key": new_token()},
    )


def _compose_page(request, event, kind, form, who, *, status: int = 200):
    context = {"event": event, "kind": kind, "form": form, "audience": who}
    return render(request, "backoffice/event_followup_new.html", context, status=status)


def _rating_chart(chart_id: str, results: feedback_results.Results):
    bars = [
        charts.Bar(
            label=_("Rating %(rating)d") % {"rating": rating},
            value=results.distribution[rating],
            of=results.answers,
            text=str(results.distribution[rating]),
        )
        for rating in reversed(RATINGS)
    ]
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return bars, charts.bar_chart(
        chart_id=chart_id, title=_("Ratings, 5 is best"), description=description, bars=bars
    )


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def event_feedback(request, event_id: int):
    """How many of those who came answered, the average, the distribution and the texts."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    results = feedback_results.event_results(event)
    bars, chart = _rating_chart("chart-ratings", results)
    return render(
        request,
        "backoffice/event_feedback.html",
        {"event": event, "results": results, "bars": bars, "chart": chart},
    )


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def series_feedback(request, series_id: int):
    """The series' feedback together, and each event's answers and average side by side."""
    series = get_object_or_404(Series.objects.filter(organisation=request.organisation), pk=series_id)
    events = access.events_for(request.member, Permission.VIEW_REGISTRATIONS).filter(series=series)
    total, rows = feedback_results.series_results(events.order_by("starts_at", "id"))
    bars, chart = _rating_chart("chart-series-ratings", total)
    return render(
        request,
        "backoffice/series_feedback.html",
        {"series": series, "results": total, "rows": rows, "bars": bars, "chart": chart},
    )
