"""The door list: who is coming, for the people who welcome them. Names and workplace only.

Door staff see the events they were given (access.events_for) and never membership, diets or
needs: the query does not even load those columns.

Checking in is server-rendered and works without JavaScript: every button is a small POST form
that redirects back to the list with the search kept (POST-redirect-GET), and the outcome is a
message at the top ("Anna Svensson checked in at 07.42." / "already checked in at 07.42"). Each
form carries a client id generated when the page was rendered, so a double tap or a resent POST
is one check-in (checkin.services is idempotent by it).

door.js adds the offline mode on top: `door_data` gives the device the list it holds
(checkin.device) and `door_sync` takes the taps it queued while offline (checkin.sync).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.backoffice.door_rows import door_rows
from frukost.checkin import codes, device, sync
from frukost.checkin import services as checkin
from frukost.checkin.exceptions import CheckInError, InvalidBatch
from frukost.checkin.queries import door_people
from frukost.core.formats import clock
from frukost.core.http import permissions_policy
from frukost.registrations import queries
from frukost.registrations.models import Registration


@permissions_policy(camera="self")  # the "Scan with the camera" button
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
        "door_js": _door_js(request, event),
    }
    return TemplateResponse(request, "backoffice/door_list.html", context)


def _door_js(request, event) -> dict:
    """What door.js needs to work offline: its addresses and its words, in the page's language."""
    slug = request.organisation.slug
    return {
        "event": event.pk,
        "user": request.user.pk,
        "dataUrl": reverse("backoffice:event-door-data", args=[slug, event.pk]),
        "syncUrl": reverse("backoffice:event-door-sync", args=[slug, event.pk]),
        "actionUrl": reverse("backoffice:event-door-action", args=[slug, event.pk, 0, "checkin"]),
        "logoutUrl": reverse("account_logout"),
        "decoderUrl": static("frukost/vendor/jsqr-1.4.0/jsQR.js"),
        "text": {
            # ngettext for the forms door.js picks between; "%s" is the number.
            "waitingOne": ngettext(
                "Offline – %(count)s check-in waiting to sync",
                "Offline – %(count)s check-ins waiting to sync",
                1,
            )
            % {"count": "%s"},
            "waitingMany": ngettext(
                "Offline – %(count)s check-in waiting to sync",
                "Offline – %(count)s check-ins waiting to sync",
                2,
            )
            % {"count": "%s"},
            "offline": _("Offline – the list on this phone is used"),
            "syncing": _("Back online – syncing…"),
            "synced": _("Back online: everything is synced."),
            "conflicts": _("Synced. Check these:"),
            "checkedIn": _("Checked in: %s"),
            "already": _("%(name)s was already checked in at %(time)s.") % {"name": "%s", "time": "%s"},
            "noSeat": _("%s has no seat (waiting list, cancelled or not confirmed)."),
            "unknownCode": _(
                "No one at this event has the code “%(code)s”. Check the code or search by name."
            )
            % {"code": "%s"},
            "noCodesOffline": _("Codes cannot be matched offline in this browser. Search by name."),
            "checkedInAt": _("Checked in %(time)s") % {"time": "%s"},
            "bookDone": _("Book handed out"),
            "checkIn": _("Check in"),
            "book": _("Book handed out"),
            "unbook": _("Undo book"),
            "undo": _("Undo"),
            "notConfirmed": _("Not confirmed"),
            "seat": _("Seat"),
            "waitingList": _("Waiting list"),
            "walkIn": _("Walk-in"),
            "scan": _("Scan with the camera"),
            "stopScan": _("Stop the camera"),
            "aim": _("Hold the QR code in front of the camera."),
            "cameraDenied": _("The camera may not be used: allow it in the browser, or type the code."),
            "noCamera": _("No camera was found. Type the code instead."),
            "signInAgain": _("Sign in again to sync: %s taps are waiting on this phone."),
            "signOutQueued": _(
                "Check-ins made offline have not been synced yet and would be lost. Sign out anyway?"
            ),
        },
    }


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
            # The arrival the page showed: a check-in made since on another phone is not undone.
            arrived = (
                parse_datetime(request.POST.get("arrived", "")[:40]) if request.POST.get("arrived") else None
            )
            if arrived is not None and timezone.is_naive(arrived):
                arrived = None
            checkin.undo_check_in(registration=registration, actor=request.user, at=arrived)
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


@member_required(Permission.CHECK_IN)
@require_GET
def door_data(request, event_id: int):
    """The event's door list as JSON, for a device to hold while offline (see checkin.device).

    The same people, scoping and permission as the door list page, and nothing the page does not
    show: names, workplace, seat or queue, check-in and book, plus a salted key per code.
    """
    event = event_for(request, event_id, Permission.CHECK_IN)
    return JsonResponse(device.door_list_for_device(event))


@member_required(Permission.CHECK_IN)
def door_sync(request, event_id: int):
    """Apply the taps a device queued offline (POST JSON, CSRF token in X-CSRFToken).

    Answers each tap (done / already / refused, with a message) and the fresh counters. A batch
    that cannot be read, or that names someone not at this event, is a 400 and applies nothing.
    """
    event = event_for(request, event_id, Permission.CHECK_IN)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        payload = json.loads(request.body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; deep nesting recurses
        return JsonResponse({"error": _("The sync request is not valid JSON.")}, status=400)
    try:
        operations = sync.parse_operations(payload)
        results = sync.apply_operations(event=event, operations=operations, actor=request.user)
    except InvalidBatch as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(
        {"results": [result.as_json() for result in results], "counts": asdict(checkin.door_counts(event))}
    )
