"""The door list: who is coming, for the people who welcome them. Names and workplace only.

Door staff see the events they were given (access.events_for) and never membership, diets or
needs: the query does not even load those columns. Checking in comes later.
"""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from frukost.accounts.enums import Permission
from frukost.backoffice.decorators import event_for, member_required
from frukost.registrations import queries
from frukost.registrations.enums import Status


@member_required(Permission.CHECK_IN)
@require_GET
def door_list(request, event_id: int):
    """Everyone with a seat or on the waiting list, by last name; search ignores case and accents.

    The whole list is read once and searched in Python: an event's list is a few hundred people,
    and "asa" must find "Åsa" on SQLite and PostgreSQL alike without an extension.
    """
    event = event_for(request, event_id, Permission.CHECK_IN)
    search = request.GET.get("q", "").strip()[:100]
    people = list(queries.door_list(event))
    seated = sum(person.status == Status.REGISTERED for person in people)
    waiting = len(people) - seated
    if search:
        words = queries.folded(search).split()
        people = [
            person
            for person in people
            if all(word in queries.folded(f"{person.first_name} {person.last_name}") for word in words)
        ]
    context = {
        "event": event,
        "people": people,
        "search": search,
        "seated": seated,
        "waiting": waiting,
    }
    return TemplateResponse(request, "backoffice/door_list.html", context)
