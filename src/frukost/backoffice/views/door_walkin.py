"""Adding a walk-in at the door: one short form, then back to the door list (POST-redirect-GET).

Door staff and organisers alike (Permission.CHECK_IN). When every seat is taken, door staff are
told to ask an organiser; an organiser (Permission.MANAGE_EVENTS) gets a second button that
gives a seat beyond capacity. The service checks both permissions itself.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from frukost.accounts.enums import Permission
from frukost.accounts.exceptions import NotAllowed
from frukost.backoffice.decorators import event_for, member_required
from frukost.checkin import services as checkin
from frukost.checkin.exceptions import EventFull, InvalidWalkIn, WalkInRefused
from frukost.checkin.forms import WalkInForm
from frukost.registrations import queries
from frukost.registrations.enums import Language


@member_required(Permission.CHECK_IN)
@require_http_methods(["GET", "HEAD", "POST"])
def door_walk_in(request, event_id: int):
    """Register someone who did not sign up and check them in at once."""
    event = event_for(request, event_id, Permission.CHECK_IN)
    form = WalkInForm(request.POST or None)
    may_decide = checkin.may_seat_beyond_capacity(request.member)
    status, refusal = 200, ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            language = Language.ENGLISH if (get_language() or "").startswith("en") else Language.SWEDISH
            try:
                result = checkin.register_walk_in(
                    event=event,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    workplace=data["workplace"],
                    email=data["email"],
                    language=language,
                    actor=request.user,
                    beyond_capacity=request.POST.get("beyond_capacity") == "1",
                )
            except NotAllowed as exc:
                raise PermissionDenied from exc
            except InvalidWalkIn as exc:
                form.add_error(exc.field, str(exc))
            except EventFull as exc:
                refusal, status = str(exc), 409  # not the person's input to correct: a notice
            except WalkInRefused as exc:
                form.add_error(None, str(exc))
            else:
                (messages.info if result.found else messages.success)(request, result.message)
                url = reverse("backoffice:event-door", args=[request.organisation.slug, event.pk])
                return redirect(f"{url}#p{result.registration.pk}")
    free = event.seat_limit - queries.taken_seats(event)
    context = {
        "event": event,
        "form": form,
        "free": max(free, 0),
        "may_decide": may_decide,
        "refusal": refusal,
    }
    return TemplateResponse(request, "backoffice/door_walk_in.html", context, status=status)
