"""The organisation's events: the list at a glance, one event's overview, and creating, changing,
previewing, publishing, closing, reopening, cancelling and cloning events."""

from __future__ import annotations

import copy
import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.backoffice.overbooking import overbooking_line, suggestion_hint
from frukost.backoffice.views.attendance import state_of
from frukost.checkin.overbooking import overbooking_basis
from frukost.core import formats
from frukost.core.forms import add_errors
from frukost.events.enums import EventStatus, RegistrationState
from frukost.events.exceptions import CapacityBelowSeatsTaken, InvalidEvent, WrongStatus
from frukost.events.forms import EventForm
from frukost.events.models import Event
from frukost.events.services import (
    create_event,
)
from frukost.registrations import queries
from frukost.registrations.enums import Status
from frukost.registrations.forms import RegistrationForm
from frukost.registrations.services import (
    preview_event_change,
    update_event,
)
from frukost.registrations.services.event_changes import NOTIFYING_FIELDS


@member_required(Permission.CHECK_IN)
@require_GET
def event_list(request):
    """Every event the member can reach, upcoming first, then the past ones (most recent first).

    Door staff see the events they were given, with a link to the door list only.
    """
    member = request.member
    can_manage = access.has_permission(member, Permission.MANAGE_EVENTS)
    permission = Permission.MANAGE_EVENTS if can_manage else Permission.CHECK_IN
    events = list(
        queries.events_at_a_glance(access.events_for(member, permission)).order_by("starts_at", "id")
    )
    now = timezone.now()
    today = timezone.localdate()
    for event in events:
        last_day = event.registration_deadline or timezone.localdate(event.starts_at)
        # 0: today is the last day to register; None: registration has closed.
        event.days_to_deadline = (last_day - today).days if event.registration_closes_at > now else None
    upcoming = [e for e in events if e.ends_at >= now]
    past = sorted((e for e in events if e.ends_at < now), key=lambda e: e.starts_at, reverse=True)
    return render(
        request,
        "backoffice/event_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "can_manage": can_manage,
        },
    )


@member_required(Permission.MANAGE_EVENTS)
@require_GET
def event_overview(request, event_id: int):
    """One event: its facts and state, seats, waiting list and what to do next."""
    event = event_for(request, event_id, Permission.MANAGE_EVENTS)
    counts = queries.events_at_a_glance(Event.objects.filter(pk=event.pk)).get()
    now = timezone.now()
    published = event.status == EventStatus.PUBLISHED
    open_now = published and now < event.registration_closes_at and now < event.starts_at
    return render(
        request,
        "backoffice/event_overview.html",
        {
            "event": event,
            "counts": counts,
            "state": queries.registration_state(event, seats_taken=counts.seats_taken),
            "seats_left": queries.seats_left(event, counts.seats_taken),
            "overbooking_line": overbooking_line(event),
            "actions": {
                "edit": not event.is_cancelled,
                "publish": event.status == EventStatus.DRAFT and event.starts_at > now,
                "close": open_now,
                "reopen": published and event.registration_closed_at is not None,
                "cancel": published,
            },
            "attendance": _attendance_state(request, event, now),
        },
    )


def _attendance_state(request, event, now):
    """After the event, for those who see registrations: is the attendance open or closed."""
    if now < event.ends_at or not access.has_permission(request.member, Permission.VIEW_REGISTRATIONS):
        return None
    state = state_of(event, now=now)
    return state if state["started"] else None


# --- Create, change, preview ---------------------------------------------------------------------


@member_required(Permission.MANAGE_EVENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request):
    """A new event from a blank form, saved as a draft."""
    organisation = request.organisation
    form = EventForm(request.POST or None, instance=Event(organisation=organisation))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                event = create_event(event=form.save(commit=False), actor=request.user)
            except InvalidEvent as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(
                    request,
                    _("The event “%(title)s” was saved as a draft. Preview it, then publish it.")
                    % {"title": event.title},
                )
                return redirect("backoffice:event", organisation.slug, event.pk)
        status = 400
    return TemplateResponse(request, "backoffice/event_form.html", _form_context(form, None), status=status)


def _form_context(form: EventForm, event: Event | None) -> dict:
    """The form, and the overbooking suggestion by its field (from the saved series and capacity)."""
    context = {"form": form, "event": event}
    if event is not None:
        basis = overbooking_basis(event)
        context["overbooking_hint"] = suggestion_hint(basis)
        context["overbooking_suggestion"] = basis.suggestion if basis.rate is not None else None
    else:
        context["overbooking_hint"] = _(
            "Once the event is saved in a series, a suggestion from the series' past no-shows is shown here."
        )
    return context


def _shown(value) -> str:
    """A field's value as the organiser reads it on the confirmation page."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return _("%(date)s at %(time)s") % {"date": formats.long_date(value), "time": formats.clock(value)}
    return str(value)


def _change_lines(change) -> list[str]:
    lines = []
    for name, (old, new) in change.changed.items():
        if name not in NOTIFYING_FIELDS:
            continue
        label = capfirst(Event._meta.get_field(name).verbose_name)
        lines.append(
            _("%(field)s: %(old)s → %(new)s") % {"field": label, "old": _shown(old), "new": _shown(new)}
        )
    return lines


@member_required(Permission.MANAGE_EVENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request, event_id: int):
    """Change an event. A new time or place for people already registered is shown first: who
    will be told and the e-mail they get; only the confirmation saves and sends."""
    event = event_for(request, event_id, Permission.MANAGE_EVENTS)
    organisation = request.organisation
    overview = reverse("backoffice:event", args=[organisation.slug, event.pk])
    if event.is_cancelled:
        messages.error(request, _("A cancelled event cannot be changed."))
        return redirect(overview)
    form = EventForm(request.POST or None, instance=event)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = form.changes()
            try:
                if request.POST.get("confirm") != "yes":
                    preview = preview_event_change(event=event, changes=changes)
                    if preview.change.notifies and preview.recipients.total:
                        return _confirm_change(request, event, form, preview, overview)
                result = update_event(event=event, changes=changes, actor=request.user)
            except InvalidEvent as exc:
                add_errors(form, exc.errors)
            except CapacityBelowSeatsTaken as exc:
                form.add_error("capacity", str(exc.message))
            except WrongStatus as exc:
                messages.error(request, exc.message)
                return redirect(overview)
            else:
                messages.success(request, _saved_message(result))
                return redirect(overview)
        status = 400
    return TemplateResponse(request, "backoffice/event_form.html", _form_context(form, event), status=status)


def _saved_message(result) -> str:
    if not result.changed:
        return _("Nothing was changed.")
    parts = [_("Your changes are saved.")]
    if result.notifies:
        parts.append(_("Everyone registered or on the waiting list is being told by e-mail."))
    # The claim window: most are offered the new seats; too close to the start, they get them.
    offered = sum(r.status == Status.WAITLISTED for r in result.promoted)
    if offered:
        parts.append(
            ngettext(
                "%(count)d person on the waiting list is being offered a seat by e-mail.",
                "%(count)d people on the waiting list are being offered a seat by e-mail.",
                offered,
            )
            % {"count": offered}
        )
    if len(result.promoted) - offered:
        parts.append(
            ngettext(
                "%(count)d person moved up from the waiting list and is being told.",
                "%(count)d people moved up from the waiting list and are being told.",
                len(result.promoted) - offered,
            )
            % {"count": len(result.promoted) - offered}
        )
    return " ".join(parts)


def _confirm_change(request, event, form, preview, back_url):
    recipients = preview.recipients
    hidden = [(name, value) for name in form.fields for value in request.POST.getlist(name)]
    consequences = [
        *_change_lines(preview.change),
        ngettext(
            "%(registered)d person with a seat and %(waitlisted)d on the waiting list will get an e-mail "
            "with the new details and an updated calendar file.",
            "%(registered)d people with a seat and %(waitlisted)d on the waiting list will get an e-mail "
            "with the new details and an updated calendar file.",
            recipients.registered,
        )
        % {"registered": recipients.registered, "waitlisted": recipients.waitlisted},
    ]
    context = {
        "event": event,
        "title": _("Tell everyone about the change?"),
        "lead": _("You are changing the time or place of “%(title)s”, which people have registered for.")
        % {"title": event.title},
        "consequences": consequences,
        "button": _("Save and tell everyone"),
        "danger": False,
        "back_url": back_url,
        "preview": recipients.message,
        "hidden": hidden,
    }
    return TemplateResponse(request, "backoffice/confirm.html", context)


@member_required(Permission.MANAGE_EVENTS)
@require_GET
def event_preview(request, event_id: int):
    """The public page as it will look (drafts too), marked as a preview, its form inert."""
    event = event_for(request, event_id, Permission.MANAGE_EVENTS)
    taken = queries.events_at_a_glance(Event.objects.filter(pk=event.pk)).get().seats_taken
    as_published = copy.copy(event)
    if as_published.status == EventStatus.DRAFT:
        as_published.status = EventStatus.PUBLISHED
    state = queries.registration_state(as_published, seats_taken=taken)
    form = None
    if state in (RegistrationState.OPEN, RegistrationState.FEW_LEFT, RegistrationState.WAITING_LIST):
        form = RegistrationForm(event=event)
    context = {
        "event": event,
        "organisation": event.organisation,
        "state": state,
        "states": RegistrationState,
        "seats_left": queries.seats_left(event, taken),
        "form": form,
        "preview": True,
        "back_url": reverse("backoffice:event", args=[request.organisation.slug, event.pk]),
    }
    return TemplateResponse(request, "public/event_detail.html", context)
