"""The page of a seat offered from the waiting list (registrations.services.waitlist).

A page of the personal link (/r/<token>/plats/, see views.personal_page) that the offer e-mail's
button opens: it shows the event, the deadline and a "Take the seat" button. Only the POST takes
the seat: a mail scanner that opens the link takes nothing. Whatever the state (taken already,
too late, the event cancelled or started), the page says so kindly; it never answers 500.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frukost.public.views import personal_page
from frukost.registrations import queries
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import (
    EventNotOpen,
    NoSeatOffered,
    NotActive,
    OfferExpired,
    RegistrationClosed,
)
from frukost.registrations.services import take_offered_seat

TAKE = "take"


def _refusal(exc: Exception) -> str:
    if isinstance(exc, OfferExpired):
        return _(
            "The time to take the seat has run out, so it has gone to the next person in the queue. "
            "You are still on the waiting list."
        )
    if isinstance(exc, NoSeatOffered):
        return _(
            "No seat is free for you right now. You are on the waiting list, and we e-mail you if one is."
        )
    if isinstance(exc, NotActive):
        return _("This registration is cancelled, so the seat can no longer be taken.")
    if isinstance(exc, EventNotOpen):
        return _("The event is cancelled, so there is no seat to take.")
    return _("The event has started, so the seat can no longer be taken.")


@personal_page
@require_http_methods(["GET", "HEAD", "POST"])
def registration_offer(request, token, link):
    registration = link.registration
    event = registration.event
    here = reverse("public:registration-offer", kwargs={"token": token})
    error = ""
    status = 200
    if request.method == "POST":
        if request.POST.get("action") != TAKE:
            status = 400
            error = _("Press the button “Take the seat” to take it.")
        else:
            try:
                take_offered_seat(registration=registration)
            except (OfferExpired, NoSeatOffered, NotActive, EventNotOpen, RegistrationClosed) as exc:
                error, status = _refusal(exc), 409
            else:
                return redirect(f"{here}?done=taken")
        registration.refresh_from_db()
    now = timezone.now()
    offer_open = registration.has_open_offer and now < registration.offer_expires_at
    # Nobody else waiting for a free seat (the offers went round): they may take it too.
    seat_free = (
        registration.status == Status.WAITLISTED
        and not registration.has_open_offer
        and event.seat_limit - queries.taken_seats(event) > 0
    )
    context = {
        "registration": registration,
        "event": event,
        "organisation": event.organisation,
        "token": token,
        "action": TAKE,
        "error": error,
        "done": request.GET.get("done") == "taken" and registration.status == Status.REGISTERED,
        "open": event.status == "published" and now < event.starts_at,
        "offer_open": offer_open,
        "seat_free": seat_free,
    }
    return TemplateResponse(request, "public/registration_offer.html", context, status=status)
