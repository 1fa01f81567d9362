"""The "Still coming?" page the reminder e-mail's button opens (registrations.services.reminders).

A page of the personal link (/r/<token>/kommer-du/, see views.personal_page): it shows the event
and two buttons. Only a POST changes anything: "I can't come" cancels through the one cancel
service (receipt, and the seat goes to the first on the waiting list, who is e-mailed), "I'm
coming" changes nothing and thanks them. A mail scanner that opens the link cancels nobody.
"""

from __future__ import annotations

import contextlib

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from frukost.public.views import personal_page
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import NotActive
from frukost.registrations.services import cancel_registration

CANNOT_COME = "cannot_come"
COMING = "coming"
# What the page says after a POST (the redirect's ?done=…).
DONE = ("cancelled", "already_cancelled", "coming")


@personal_page
@require_http_methods(["GET", "HEAD", "POST"])
def registration_still_coming(request, token, link):
    registration = link.registration
    event = registration.event
    here = reverse("public:registration-still-coming", kwargs={"token": token})
    answerable = registration.is_active and not event.is_cancelled and timezone.now() < event.starts_at
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == CANNOT_COME:
            done = "already_cancelled"
            if registration.is_active and answerable:
                # Twice (a double click, a second tab): the second finds it cancelled already.
                with contextlib.suppress(NotActive):
                    cancel_registration(registration=registration)
                    done = "cancelled"
            elif registration.is_active:
                status = 409  # the event has started or is cancelled: nothing to give up
            if status == 200:
                return redirect(f"{here}?done={done}")
        elif action == COMING and answerable:
            return redirect(f"{here}?done=coming")
        else:
            status = 400
    done = request.GET.get("done", "")
    context = {
        "registration": registration,
        "event": event,
        "organisation": event.organisation,
        "answerable": answerable,
        "seated": registration.status == Status.REGISTERED,
        "done": done if done in DONE else "",
        "token": token,
        "actions": {"cannot_come": CANNOT_COME, "coming": COMING},
    }
    return TemplateResponse(request, "public/registration_still_coming.html", context, status=status)
