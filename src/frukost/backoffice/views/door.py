"""The door list: who is coming, for the people who welcome them. Names and workplace only.

Door staff see the events they were given (access.events_for) and never membership, diets or
needs: the query does not even load those columns.

Checking in is server-rendered and works without JavaScript: every button is a small POST form
that redirects back to the list with the search kept (POST-redirect-GET), and the outcome is a
message at the top ("Anna Svensson checked in at 07.42." / "already checked in at 07.42"). Each
form carries a client id generated when the page was rendered, so a double tap or a resent POST
is one check-in (checkin.services is idempotent by it).
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.backoffice.door_rows import door_rows
from frukost.checkin import codes
from frukost.checkin import services as checkin
from frukost.checkin.exceptions import CheckInError
from frukost.checkin.queries import door_people
from frukost.core.formats import clock
from frukost.registrations import queries
from frukost.registrations.models import Registration


@member_required(Permission.CHECK_IN)
@require_GET
def door_list(request, event_id: int):
    """Everyone with a seat or on the waiting list, by last name; search ignores case and accents.

    The whole list is read once and searched in Python: an event's list is a few hundred people,
    and "asa" must find "Åsa" on SQLite and PostgreSQL alike without an extension.
    """
    event = event_for(request, event_id, Permission.CHECK_IN)
    search = request.GET.get("q", "").strip()[:100]
    people = door_people(event)
    seated = sum(person.is_seated for person in people)
    waiting = len(people) - seated
    if search:
        words = queries.folded(search).split()
        people = [person for person in people if all(word in person.search for word in words)]
    client_id = uuid.uuid4()
    context = {
        "event": event,
        "people": people,
        "search": search,
        "seated": seated,
        "waiting": waiting,
        "counts": checkin.door_counts(event),
        "client_id": client_id,
        # The rows in Python, not a template loop: ~500 ms of CPU at 1,000 people otherwise.
        "rows": door_rows(people, request=request, event=event, client_id=client_id, search=search),
        "scanning": request.GET.get("scan") == "1",
    }
    return TemplateResponse(request, "backoffice/door_list.html", context)


ACTIONS = ("checkin", "undo", "book", "unbook")


def _back(request, event, *, person=None, scanning=False):
    """The list again, with the search the form was sent from, scrolled to the person tapped;
    after a code, with the code field focused again for the next scan."""
    url = reverse("backoffice:event-door", args=[request.organisation.slug, event.pk])
    query = {"q": request.POST.get("q", "").strip()[:100]}
    if scanning:
        query["scan"] = "1"
    query = urlencode({key: value for key, value in query.items() if value})
    return redirect(url + (f"?{query}" if query else "") + (f"#p{person.pk}" if person else ""))


def _checked_in_message(result) -> str:
    name = result.check_in.registration.full_name
    time = clock(result.check_in.checked_in_at)
    if result.already:
        return _("%(name)s was already checked in at %(time)s.") % {"name": name, "time": time}
    return _("%(name)s checked in at %(time)s.") % {"name": name, "time": time}


def _client_id(request, registration):
    """The page's id, one per rendering, made particular to the person tapped."""
    try:
        return uuid.uuid5(uuid.UUID(request.POST.get("client_id", "")), str(registration.pk))
    except ValueError:
        return None


@member_required(Permission.CHECK_IN)
def door_action(request, event_id: int, registration_id: int, action: str):
    """One tap on the door list: check in, undo, book handed out, book undone."""
    event = event_for(request, event_id, Permission.CHECK_IN)  # 404 before 405: nothing leaks
    if action not in ACTIONS:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    registration = get_object_or_404(Registration.objects.filter(event=event), pk=registration_id)
    try:
        if action == "checkin":
            result = checkin.check_in(
                registration=registration, actor=request.user, client_id=_client_id(request, registration)
            )
            result.check_in.registration = registration
            (messages.warning if result.already else messages.success)(request, _checked_in_message(result))
        elif action == "undo":
            checkin.undo_check_in(registration=registration, actor=request.user)
            messages.success(request, _("Check-in of %(name)s undone.") % {"name": registration.full_name})
        elif action == "book":
            checkin.hand_out_book(registration=registration, actor=request.user)
            messages.success(request, _("Book handed out to %(name)s.") % {"name": registration.full_name})
        else:  # "unbook"
            checkin.undo_book(registration=registration, actor=request.user)
            messages.success(request, _("Book for %(name)s undone.") % {"name": registration.full_name})
    except CheckInError as exc:
        messages.error(request, str(exc))
    return _back(request, event, person=registration)


@member_required(Permission.CHECK_IN)
def door_code(request, event_id: int):
    """A code typed or scanned (a USB scanner types it and presses Enter) checks its person in."""
    event = event_for(request, event_id, Permission.CHECK_IN)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    text = request.POST.get("code", "")
    registration = codes.registration_for_code(event, text)
    if registration is None:
        messages.error(
            request,
            _("No one at this event has the code “%(code)s”. Check the code or search by name.")
            % {"code": text.strip()[:20]},
        )
        return _back(request, event, scanning=True)
    try:
        result = checkin.check_in(
            registration=registration, actor=request.user, client_id=_client_id(request, registration)
        )
        result.check_in.registration = registration
        (messages.warning if result.already else messages.success)(request, _checked_in_message(result))
    except CheckInError as exc:
        messages.error(request, str(exc))
    return _back(request, event, scanning=True)
