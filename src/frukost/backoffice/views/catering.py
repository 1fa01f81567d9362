"""Catering: the figures for the venue (never names), books to order, sending the list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.catering import services
from frukost.catering.exceptions import InvalidCateringPlan, NoVenueContact
from frukost.catering.forms import CateringPlanForm
from frukost.core.forms import add_errors


def _context(request, event) -> dict:
    member = request.member
    figures = services.catering_figures(event)
    plan = services.plan_for(event)
    return {
        "event": event,
        "plan": plan,
        "figures": figures,
        "books": services.Books(
            confirmed=figures.confirmed, held=figures.unconfirmed, margin=plan.book_margin
        ),
        # The free-text notes are special-category data; the counts are aggregates.
        "show_notes": access.has_permission(member, Permission.VIEW_SPECIAL_CATEGORY),
        "can_manage": access.has_permission(member, Permission.MANAGE_EVENTS),
    }


@member_required(Permission.VIEW_REGISTRATIONS)
@require_http_methods(["GET", "HEAD", "POST"])
def event_catering(request, event_id: int):
    """The figures, books to order, the venue contact and margin, and the lists sent so far."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    context = _context(request, event)
    form = CateringPlanForm(instance=context["plan"])
    status = 200
    if request.method == "POST":
        if not context["can_manage"]:
            raise PermissionDenied
        form = CateringPlanForm(request.POST, instance=services.plan_for(event))
        if form.is_valid():
            try:
                services.update_catering_plan(event=event, actor=request.user, **form.cleaned_data)
            except InvalidCateringPlan as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(request, _("The catering settings are saved."))
                return redirect("backoffice:event-catering", request.organisation.slug, event.pk)
        status = 400
    context |= {"form": form, "history": services.history(event)}
    return render(request, "backoffice/catering.html", context, status=status)


@member_required(Permission.VIEW_REGISTRATIONS)
@require_GET
def event_catering_print(request, event_id: int):
    """A page to print for the kitchen: counts and notes, no names."""
    event = event_for(request, event_id, Permission.VIEW_REGISTRATIONS)
    return render(request, "backoffice/catering_print.html", _context(request, event))


@member_required(Permission.MANAGE_EVENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def event_catering_send(request, event_id: int):
    """Ask first (with the e-mail the venue will get), then send the list on POST."""
    event = event_for(request, event_id, Permission.MANAGE_EVENTS)
    back = reverse("backoffice:event-catering", args=[request.organisation.slug, event.pk])
    plan = services.plan_for(event)
    if not plan.venue_email:
        messages.error(request, _("Add the venue contact's e-mail address first."))
        return redirect(back)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.send_catering_list(event=event, actor=request.user)
        except NoVenueContact:
            messages.error(request, _("Add the venue contact's e-mail address first."))
        else:
            messages.success(
                request, _("The catering list is on its way to %(address)s.") % {"address": plan.venue_email}
            )
        return redirect(back)
    previous = services.last_sent_list(event)
    consequences = [
        _(
            "It contains the number of people, the count per diet and the diet notes, never names or e-mail "
            "addresses."
        ),
    ]
    if previous:
        consequences.append(_("It says what has changed since the last list sent."))
    return render(
        request,
        "backoffice/confirm.html",
        {
            "event": event,
            "title": _("Send the catering list to the venue?"),
            "lead": _("The figures as they are now are e-mailed to %(address)s.")
            % {"address": plan.venue_email},
            "consequences": consequences,
            "button": _("Send to the venue"),
            "back_url": back,
            "preview": services.preview_catering_mail(event),
        },
    )
