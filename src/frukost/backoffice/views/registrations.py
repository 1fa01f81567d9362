"""An event's registrations: the table, one registration's page, the waiting list, and the
organiser's actions (add by hand, edit, cancel on their behalf, move up, resend the link).

Actions that e-mail someone or free a seat show a confirmation page on GET and act on POST.
Membership, diets and needs appear only for a role with VIEW_SPECIAL_CATEGORY.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice.audit_actions import action_label
from frukost.backoffice.decorators import event_for, member_required
from frukost.checkin import attendance
from frukost.core import formats
from frukost.events.enums import EventStatus
from frukost.mail.enums import MailKind, MessageStatus
from frukost.registrations import queries, services
from frukost.registrations.enums import Diet, Membership, Status
from frukost.registrations.exceptions import (
    EmailAlreadyRegistered,
    EventNotOpen,
    InvalidRegistrationData,
    InvitationHeld,
    NoAddress,
    NoFreeSeat,
    NotActive,
    NotWaitlisted,
    RegistrationClosed,
)
from frukost.registrations.forms import OrganiserRegistrationForm, RegistrationTableFilterForm
from frukost.registrations.models import Registration

PAGE_SIZE = 50

# The table's columns: (sort key or "", label, special-category?)
COLUMNS = [
    ("name", gettext_lazy("Name"), False),
    ("email", gettext_lazy("E-mail"), False),
    ("workplace", gettext_lazy("Workplace"), False),
    ("status", gettext_lazy("Status"), False),
    ("", gettext_lazy("Registered by"), False),
    ("", gettext_lazy("Member"), True),
    ("", gettext_lazy("Diet"), True),
    ("registered", gettext_lazy("Registered"), False),
    ("attendance", gettext_lazy("Attendance"), False),  # once the event has started
]

# The table's column is narrow: "Member", not the form's "Yes, I am a member".
MEMBERSHIP_SHORT = {
    Membership.MEMBER: gettext_lazy("Member"),
    Membership.NOT_MEMBER: gettext_lazy("Not a member"),
    Membership.UNDISCLOSED: gettext_lazy("Preferred not to say"),
}

FIELD_LABELS = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "email": gettext_lazy("e-mail"),
    "workplace": gettext_lazy("workplace"),
    "job_title": gettext_lazy("job title"),
    "answer": gettext_lazy("answer to the event's question"),
}


def _special(request) -> bool:
    return access.has_permission(request.member, Permission.VIEW_SPECIAL_CATEGORY)


def _registration(event, registration_id: int) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("invited_by", "event__organisation"),
        pk=registration_id,
        event=event,
    )


def _registration_url(request, registration) -> str:
    return reverse(
        "backoffice:registration", args=[request.organisation.slug, registration.event_id, registration.pk]
    )


def _query(params, **changes) -> str:
    """The current GET parameters with some changed (None removes one), as "?…"."""
    merged = {key: value for key, value in params.items() if value}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def registration_table(request, event_id: int):
    """Every registration of the event: search, filters, sortable columns, 50 rows a page."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    special = _special(request)
    closed = attendance.is_closed(event)
    form = RegistrationTableFilterForm(request.GET, special_category=special, attendance=closed)
    order = request.GET.get("sort", "")
    rows = queries.registrations_table(event=event, search=form.search(), filters=form.filters(), order=order)
    rows = attendance.with_check_in_time(attendance.narrow(rows, form.attendance(), closed=closed))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    keys = ("q", "status", "member", "colleague", "diet", "attendance", "sort")
    params = {key: request.GET.get(key, "") for key in keys}
    if request.GET.get("unconfirmed"):
        params["unconfirmed"] = "on"
    if not special:
        params.pop("member")
        params.pop("diet")
    columns = []
    shows_attendance = closed or (timezone.now() >= event.starts_at and event.status != EventStatus.CANCELLED)
    for key, label, is_special in COLUMNS:
        if is_special and not special:
            continue
        if key == "attendance" and not shows_attendance:
            continue
        column = {"label": label, "key": key, "url": "", "sorted": ""}
        if key in queries.TABLE_ORDERS:
            current = order.removeprefix("-")
            descending = order.startswith("-")
            column["sorted"] = ("descending" if descending else "ascending") if current == key else ""
            new_order = f"-{key}" if current == key and not descending else key
            column["url"] = _query(params, sort=new_order, page=None)
        columns.append(column)
    counts = queries.status_counts(event)
    # After retention the rows no longer say who ate what or who is a member; the counts kept do.
    tally = queries.event_tally(event) if special else None
    context = {
        "event": event,
        "erased": _erased(tally),
        "form": form,
        "page": page,
        "rows": _table_rows(request, event, page.object_list, special, closed=closed),
        "shows_attendance": shows_attendance,
        "columns": columns,
        "special": special,
        "counts": [
            {
                "status": status,
                "label": Status(status).label,
                "count": counts[status],
                "url": _query({}, status=status),
            }
            for status in Status.values
        ],  # fmt: skip
        "total": sum(counts.values()),
        "filtered": any(value for key, value in params.items() if key != "sort"),
        "previous_url": _query(params, page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": _query(params, page=page.next_page_number()) if page.has_next() else "",
        "can_add": event.status == EventStatus.PUBLISHED,
    }
    return TemplateResponse(request, "backoffice/registration_table.html", context)


def _erased(tally) -> dict | None:
    """What the table can no longer filter on, and the counts kept instead (None before erasure)."""
    if tally is None or not (tally.needs_erased_at or tally.membership_erased_at):
        return None
    return {
        "needs_on": tally.needs_erased_at,
        "diets": ", ".join(
            f"{str(Diet(code).label).lower()} {tally.diet_count(code)}"
            for code in Diet.values
            if tally.diet_count(code)
        ),
        "membership_on": tally.membership_erased_at,
        "members": tally.members,
        "not_members": tally.not_members,
        "undisclosed": tally.undisclosed,
    }


def _table_rows(request, event, registrations, special: bool, *, closed: bool = False) -> list[dict]:
    """The page's rows as plain values: the template only prints them.

    Reversing a URL and choice labels per cell cost more than the query itself (about 1 ms a
    row); done once here, a page of 50 renders in a few milliseconds.
    """
    base = reverse("backoffice:event-registrations", args=[request.organisation.slug, event.pk])
    statuses = {value: str(label) for value, label in Status.choices}
    memberships = {value: str(label) for value, label in MEMBERSHIP_SHORT.items()}
    diets = {value: str(label) for value, label in Diet.choices}
    came, no_show = _("Came %(time)s"), _("No-show")
    rows = []
    for registration in registrations:
        inviter, created = registration.invited_by, registration.created_at
        row = {
            "url": f"{base}{registration.pk}/",
            "name": (
                f"{registration.last_name}, {registration.first_name}"
                if registration.anonymised_at is None
                else _("(anonymised)")
            ),
            "job_title": registration.job_title,
            "email": registration.email,
            "workplace": registration.workplace,
            "status": registration.status,
            "status_label": statuses.get(registration.status, registration.status),
            "unconfirmed": registration.is_active and registration.confirmed_at is None,
            # The claim window: a seat offered and not yet taken (services.waitlist).
            "offer": (
                _("offered a seat until %(when)s")
                % {
                    "when": f"{formats.short_date(registration.offer_expires_at)} "
                    f"{formats.clock(registration.offer_expires_at)}"
                }
                if registration.has_open_offer
                else _("offer not taken in time")
                if registration.status == Status.WAITLISTED and registration.offer_lapsed_at
                else ""
            ),
            "invited_by": inviter.full_name if inviter else "",
            "invited_by_url": f"{base}{inviter.pk}/" if inviter else "",
            "created": f"{formats.short_date(created)} {formats.clock(created)}",
            "attendance": _attendance_cell(registration, closed, came, no_show),
        }
        if special:
            named = [diets[code] for code in registration.diets if code in diets]
            row["membership"] = memberships.get(registration.membership, "")
            row["diets"] = ", ".join(named + ([registration.diet_other] if registration.diet_other else []))
            row["other_needs"] = bool(registration.other_needs)
        rows.append(row)
    return rows


def _attendance_cell(registration, closed: bool, came: str, no_show: str) -> str:
    """ "Came 07.42", "No-show" once closed (a confirmed seat and no check-in), or nothing."""
    checked_in_at = getattr(registration, "checked_in_at", None)
    if checked_in_at is not None:
        return came % {"time": formats.clock(checked_in_at)}
    if closed and registration.status == Status.REGISTERED and registration.confirmed_at is not None:
        return no_show
    return ""


def _history(request, registration) -> list[dict]:
    special = _special(request)
    entries = []
    for entry in queries.registration_history(registration):
        if entry.kind == "mail":
            message = entry.message
            entries.append(
                {
                    "at": entry.at,
                    "kind": "mail",
                    "label": _("E-mail: %(kind)s") % {"kind": MailKind(message.kind).label}
                    if message.kind in MailKind.values
                    else message.kind,
                    "detail": _mail_state(message),
                    "state": message.status,
                    "actor": "",
                }
            )
            continue
        detail = ""
        if entry.action == "registration.changed":
            names = [str(FIELD_LABELS.get(name, name)) for name in entry.data.get("fields", [])]
            if special and entry.data.get("special_category"):
                names.append(_("membership, diet or needs"))
            detail = ", ".join(names)
        elif entry.action == "registration.created":
            status = entry.data.get("status", "")
            detail = str(Status(status).label) if status in Status.values else ""
            if entry.data.get("by_organiser"):
                detail = _("%(status)s, added by an organiser") % {"status": detail}
        elif entry.action == "registration.promoted" and entry.data.get("manual"):
            detail = _("by an organiser")
        entries.append(
            {
                "at": entry.at,
                "kind": "audit",
                "label": action_label(entry.action),
                "detail": detail,
                "state": "",
                "actor": entry.actor.email if entry.actor else "",
            }
        )
    return entries


def _moment(value) -> str:
    language = translation.get_language()
    return _("%(date)s at %(time)s") % {
        "date": formats.long_date(value, language),
        "time": formats.clock(value, language),
    }


def _mail_state(message) -> str:
    if message.status == MessageStatus.SENT:
        return _("sent")
    if message.status == MessageStatus.SKIPPED:
        return _("not sent: no longer true when it was due")
    if message.status == MessageStatus.FAILED:
        return _("could not be delivered")
    return _("waiting to be sent")


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def registration_detail(request, event_id: int, registration_id: int):
    """One registration: the facts, the answers, colleagues, history and what can be done."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    special = _special(request)
    free = event.seat_limit - queries.taken_seats(event)
    context = {
        "event": event,
        "registration": registration,
        "special": special,
        "colleagues": list(registration.colleagues.all()),
        "history": _history(request, registration),
        "can_promote": registration.status == Status.WAITLISTED and (free > 0 or registration.has_open_offer),
        "free_seats": max(free, 0),
        "presence": _presence(event, registration),
    }
    return TemplateResponse(request, "backoffice/registration_detail.html", context)


def _presence(event, registration):
    """Whether the person came, once the event has started (and who can still be corrected)."""
    if timezone.now() < event.starts_at or event.status == EventStatus.CANCELLED:
        return None
    registration.event = event
    return attendance.presence(registration)


def _refusal(exc: Exception) -> str:
    if isinstance(exc, EmailAlreadyRegistered):
        return _("This address is already registered for the event.")
    if isinstance(exc, EventNotOpen):
        return _("The event is not open: a draft or cancelled event takes no registrations.")
    if isinstance(exc, RegistrationClosed):
        return _("The event has ended.")
    if isinstance(exc, NotActive):
        return _("The registration is cancelled; it can no longer be changed.")
    if isinstance(exc, NotWaitlisted):
        return _("Only someone on the waiting list can be moved up.")
    if isinstance(exc, NoFreeSeat):
        return _("Every seat is taken. Raise the capacity or cancel a registration first.")
    if isinstance(exc, InvitationHeld):
        return _(
            "The colleague gets their invitation once the person who registered them has confirmed"
            " their e-mail address. Nothing can be sent to them before that."
        )
    if isinstance(exc, NoAddress):
        return _("There is no e-mail address for this person (added at the door without one).")
    return _("That could not be done.")


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def registration_add(request, event_id: int):
    """Register someone on their behalf (they phoned); they get the usual e-mail."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    special = _special(request)
    form = OrganiserRegistrationForm(request.POST or None, event=event, special_category=special, adding=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registration = services.add_registration_by_organiser(
                    event=event, person=form.person(), actor=request.user
                )
            except InvalidRegistrationData as exc:
                form.add_error(exc.field, _("Check this field."))
            except EmailAlreadyRegistered as exc:
                form.add_error("email", _refusal(exc))
            except (EventNotOpen, RegistrationClosed) as exc:
                form.add_error(None, _refusal(exc))
            else:
                if registration.status == Status.WAITLISTED:
                    text = _("%(name)s is on the waiting list and has been e-mailed.")
                else:
                    text = _("%(name)s is registered and has been e-mailed.")
                messages.success(request, text % {"name": registration.full_name})
                return redirect(_registration_url(request, registration))
        status = 400
    context = {"event": event, "form": form, "special": special, "adding": True}
    return TemplateResponse(request, "backoffice/registration_form.html", context, status=status)


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def registration_edit(request, event_id: int, registration_id: int):
    """Correct names, address, workplace, title and answers. Nobody is e-mailed."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    special = _special(request)
    if not registration.is_active:
        messages.error(request, _refusal(NotActive()))
        return redirect(_registration_url(request, registration))
    form = OrganiserRegistrationForm(
        request.POST or None,
        initial=OrganiserRegistrationForm.initial_for(registration),
        event=event,
        special_category=special,
        adding=False,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_registration(registration=registration, edit=form.edit(), actor=request.user)
            except InvalidRegistrationData as exc:
                form.add_error(exc.field, _("Check this field."))
            except EmailAlreadyRegistered as exc:
                form.add_error("email", _refusal(exc))
            except NotActive as exc:
                form.add_error(None, _refusal(exc))
            else:
                messages.success(request, _("The registration has been saved."))
                return redirect(_registration_url(request, registration))
        status = 400
    context = {
        "event": event,
        "form": form,
        "special": special,
        "adding": False,
        "registration": registration,
    }
    return TemplateResponse(request, "backoffice/registration_form.html", context, status=status)


def _back_url(request, registration) -> str:
    if request.POST.get("next", request.GET.get("next")) == "waiting-list":
        return reverse(
            "backoffice:event-waiting-list", args=[request.organisation.slug, registration.event_id]
        )
    return _registration_url(request, registration)


def _confirm(request, registration, *, title, lead, consequences, button, danger=False):
    hidden = [("next", "waiting-list")] if request.GET.get("next") == "waiting-list" else []
    context = {
        "title": title,
        "lead": lead,
        "consequences": consequences,
        "button": button,
        "danger": danger,
        "back_url": _back_url(request, registration),
        "hidden": hidden,
    }
    return TemplateResponse(request, "backoffice/confirm.html", context)


def _act(request, registration, action, done: str):
    """Run an action on POST and go back with what happened (or why it was refused)."""
    try:
        action(registration=registration, actor=request.user)
    except (NotActive, NotWaitlisted, NoFreeSeat, EventNotOpen, InvitationHeld, NoAddress) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, done)
    return redirect(_back_url(request, registration))


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request, event_id: int, registration_id: int):
    """Cancel on the person's behalf: their seat goes to the waiting list; they get a receipt."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    if request.method == "POST":
        return _act(
            request,
            registration,
            services.cancel_registration,
            _("The registration of %(name)s is cancelled.") % {"name": registration.full_name},
        )
    if not registration.is_active:
        messages.error(request, _refusal(NotActive()))
        return redirect(_registration_url(request, registration))
    consequences = [
        _("%(email)s gets an e-mail confirming the cancellation.") % {"email": registration.email}
        if registration.email
        else _("Nobody is e-mailed: there is no address for this person.")
    ]
    if registration.status == Status.REGISTERED:
        first = queries.next_to_offer(event).first()
        deadline = services.offer_deadline(event, timezone.now())
        if first is not None and deadline is not None:
            consequences.append(
                _(
                    "The seat is offered to %(name)s, first on the waiting list, who is e-mailed and has "
                    "until %(when)s to take it; otherwise it goes to the next."
                )
                % {"name": first.full_name, "when": _moment(deadline)}
            )
        elif first is not None:
            consequences.append(
                _("The seat goes to %(name)s, first on the waiting list, who is e-mailed at once.")
                % {"name": first.full_name}
            )
        else:
            consequences.append(_("The seat becomes free for someone else to register."))
    return _confirm(
        request,
        registration,
        title=_("Cancel the registration of %(name)s?") % {"name": registration.full_name},
        lead=_("Do this when the person has asked you to cancel for them."),
        consequences=consequences,
        button=_("Cancel the registration"),
        danger=True,
    )


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def registration_promote(request, event_id: int, registration_id: int):
    """Move one person up from the waiting list, in any order, if a seat is free."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    if request.method == "POST":
        return _act(
            request,
            registration,
            services.promote_registration,
            _("%(name)s has a seat now and has been e-mailed.") % {"name": registration.full_name},
        )
    taken = queries.taken_seats(event)
    try:
        services.ensure_promotable(registration, event, seats_taken=taken)
    except (NotWaitlisted, InvitationHeld, EventNotOpen, NoFreeSeat) as exc:
        messages.error(request, _refusal(exc))
        return redirect(_back_url(request, registration))
    free = event.seat_limit - taken
    queue = list(queries.waiting_list(event).values_list("pk", flat=True))
    ahead = queue.index(registration.pk) if registration.pk in queue else 0
    consequences = [
        _("%(email)s gets an e-mail saying that they have a seat.") % {"email": registration.email}
    ]
    if ahead:
        consequences.append(
            ngettext(
                "%(count)s person ahead of them in the queue keeps waiting.",
                "%(count)s people ahead of them in the queue keep waiting.",
                ahead,
            )
            % {"count": ahead}
        )
    if not registration.is_confirmed:
        consequences.append(_("They have not confirmed yet: the seat is held for them for a while."))
    return _confirm(
        request,
        registration,
        title=_("Give %(name)s a seat?") % {"name": registration.full_name},
        lead=ngettext("%(free)s seat is free.", "%(free)s seats are free.", free) % {"free": free},
        consequences=consequences,
        button=_("Give them the seat"),
    )


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def registration_resend_link(request, event_id: int, registration_id: int):
    """E-mail the person a new personal link (they lost theirs)."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    if request.method == "POST":
        return _act(
            request,
            registration,
            services.resend_personal_link,
            _("A new personal link is on its way to %(email)s. The links they had no longer work.")
            % {"email": registration.email},
        )
    try:
        services.ensure_link_resendable(registration)
    except (NotActive, InvitationHeld, NoAddress) as exc:
        messages.error(request, _refusal(exc))
        return redirect(_registration_url(request, registration))
    return _confirm(
        request,
        registration,
        title=_("Send %(name)s a new personal link?") % {"name": registration.full_name},
        lead=_("Through the link they can see, change or cancel their registration."),
        consequences=[
            _("An e-mail with a new link goes to %(email)s.") % {"email": registration.email},
            _("The links they already have stop working: only the new e-mail opens the registration."),
        ],
        button=_("Send the link"),
    )


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def registration_revoke_links(request, event_id: int, registration_id: int):
    """Make the person's personal links stop working (one reached the wrong person)."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    registration = _registration(event, registration_id)
    if request.method == "POST":
        services.revoke_personal_links(registration=registration, actor=request.user)
        messages.success(
            request,
            _("The personal links of %(name)s no longer work. Nothing was e-mailed.")
            % {"name": registration.full_name},
        )
        return redirect(_back_url(request, registration))
    return _confirm(
        request,
        registration,
        title=_("Revoke the personal links of %(name)s?") % {"name": registration.full_name},
        lead=_("Do this when a link has reached someone it should not have."),
        consequences=[
            _("Every link in the e-mails sent to %(email)s stops working at once.")
            % {"email": registration.email},
            _("Nothing is e-mailed. Send a new personal link if they should still reach their registration."),
        ],
        button=_("Revoke the links"),
        danger=True,
    )


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def waiting_list(request, event_id: int):
    """The queue in order (first come, first served), with a button to move someone up."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    taken = queries.taken_seats(event)
    context = {
        "event": event,
        "queue": list(queries.waiting_list(event)),
        "offers": list(queries.open_offers(event)),
        "free_seats": max(event.seat_limit - taken, 0),
        "taken": taken,
    }
    return TemplateResponse(request, "backoffice/waiting_list.html", context)
