"""Who came: an event's attendance after the door, the no-shows, and an organiser's corrections.

Organisers only (VIEW_REGISTRATIONS): door staff see check-in state at the door, never the
no-shows. Every change is a POST; closing an event nobody was checked in at asks first (it would
make everyone expected a no-show). The rules (when attendance can be corrected or closed, who can
"come after all") are checkin.attendance's; the views ask it and say what it answered.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.checkin import attendance
from frukost.checkin.exceptions import CheckInError
from frukost.core import formats
from frukost.events.enums import EventStatus
from frukost.registrations.models import Registration

# Where a correction or a closing sends the organiser back to (`next`), by name.
_BACK = {
    "overview": "backoffice:event",
    "statistics": "backoffice:event-statistics",
}


def _back(request, event, registration=None):
    target = request.POST.get("next", "")
    if target == "registration" and registration is not None:
        return redirect("backoffice:registration", request.organisation.slug, event.pk, registration.pk)
    return redirect(_BACK.get(target, "backoffice:event-attendance"), request.organisation.slug, event.pk)


def state_of(event, *, now=None) -> dict:
    """What the overview's and the attendance page's state box show (one query once started)."""
    now = now or timezone.now()
    started = now >= event.starts_at and event.status != EventStatus.CANCELLED
    closing = attendance.closing(event) if started else None
    return {
        "started": started,
        "ended": started and now >= event.ends_at,
        "closing": closing,
        "closed_by": closing.closed_by.email if closing and closing.closed_by else "",
    }


def _rows(request, event, registrations, *, arrived: bool) -> list[dict]:
    base = reverse("backoffice:event-registrations", args=[request.organisation.slug, event.pk])
    rows = []
    for registration in registrations:
        inviter = registration.invited_by
        anonymised = registration.anonymised_at is not None
        rows.append(
            {
                "pk": registration.pk,
                "url": f"{base}{registration.pk}/",
                "name": _("(anonymised)")
                if anonymised
                else f"{registration.last_name}, {registration.first_name}",
                "workplace": "" if anonymised else registration.workplace,
                "colleague_of": inviter.full_name if inviter and inviter.anonymised_at is None else "",
                "checked_in_at": (formats.clock(registration.check_in.checked_in_at) if arrived else ""),
            }
        )
    return rows


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def event_attendance(request, event_id: int):
    """Who came and who did not, by name, with a button per person to correct it."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    state = state_of(event)
    context = {"event": event, "state": state}
    if state["started"]:
        figures = attendance.attendance(event)
        came = attendance.arrived(event).select_related("invited_by", "check_in")
        missing = attendance.not_arrived(event).select_related("invited_by")
        context |= {
            "figures": figures,
            "arrived": _rows(request, event, came, arrived=True),
            "missing": _rows(request, event, missing, arrived=False),
        }
    return TemplateResponse(request, "backoffice/event_attendance.html", context)


def _registration(event, registration_id: int) -> Registration:
    return get_object_or_404(Registration.objects.select_related("event"), pk=registration_id, event=event)


@member_required(Permission.VIEW_REGISTRATIONS)
@require_POST
def attendance_arrived(request, event_id: int, registration_id: int):
    """ "Came after all": a no-show (or someone not ticked yet) gets a check-in at the event's start."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    try:
        result = attendance.mark_arrived(registration=registration, actor=request.user)
    except CheckInError as exc:
        messages.error(request, str(exc))
    else:
        if result.already:
            messages.info(
                request,
                _("%(name)s was already checked in at %(time)s.")
                % {"name": registration.full_name, "time": formats.clock(result.check_in.checked_in_at)},
            )
        else:
            messages.success(request, _("%(name)s is marked as arrived.") % {"name": registration.full_name})
    return _back(request, event, registration)


@member_required(Permission.VIEW_REGISTRATIONS)
@require_POST
def attendance_absent(request, event_id: int, registration_id: int):
    """ "Did not come": the check-in is taken back."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    try:
        attendance.mark_absent(registration=registration, actor=request.user)
    except CheckInError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s is marked as not arrived.") % {"name": registration.full_name})
    return _back(request, event, registration)


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def attendance_close(request, event_id: int):
    """Make the attendance final. An event nobody was checked in at asks first: closing it makes
    everyone expected a no-show (the door may have used the paper list only)."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    try:
        attendance.ensure_closable(event)
    except CheckInError as exc:
        messages.error(request, str(exc))
        return _back(request, event)
    figures = attendance.attendance(event)
    if figures.closed:
        messages.info(request, _("The attendance is already closed."))
        return _back(request, event)
    asks = figures.arrived == 0 and figures.confirmed > 0
    if request.method == "POST" and (not asks or request.POST.get("confirm") == "yes"):
        attendance.close_attendance(event, actor=request.user)
        messages.success(
            request,
            ngettext(
                "The attendance is closed: %(count)d no-show.",
                "The attendance is closed: %(count)d no-shows.",
                figures.not_arrived,
            )
            % {"count": figures.not_arrived},
        )
        return _back(request, event)
    page = reverse("backoffice:event-attendance", args=[request.organisation.slug, event.pk])
    consequences = [
        ngettext(
            "%(count)d person with a confirmed seat who was not checked in becomes a no-show.",
            "%(count)d people with a confirmed seat who were not checked in become no-shows.",
            figures.not_arrived,
        )
        % {"count": figures.not_arrived},
        _("You can still correct anyone afterwards, and open the attendance again."),
    ]
    if asks:
        consequences.insert(
            0,
            _(
                "Nobody was checked in at this event. If the door used the paper list, tick those who came "
                "on the attendance page first."
            ),
        )
    next_value = request.POST.get("next") or request.GET.get("next", "")
    context = {
        "event": event,
        "title": _("Close the attendance of “%(title)s”?") % {"title": event.title},
        "lead": _(
            "Closing makes the attendance final: everyone expected who was not checked in is a no-show."
        ),
        "consequences": consequences,
        "button": _("Close the attendance"),
        "danger": asks,
        "back_url": page,
        "hidden": [("next", next_value)] if next_value in _BACK else [],
    }
    return TemplateResponse(request, "backoffice/confirm.html", context)


@member_required(Permission.VIEW_REGISTRATIONS)
@require_POST
def attendance_reopen(request, event_id: int):
    """Open the attendance again: nobody is a no-show until it is closed."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    if not attendance.is_closed(event):
        messages.info(request, _("The attendance is open."))
        return _back(request, event)
    attendance.reopen_attendance(event, actor=request.user)
    messages.success(
        request, _("The attendance is open again: nobody counts as a no-show until it is closed.")
    )
    return _back(request, event)
