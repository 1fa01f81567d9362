"""What the door list shows, in one query: names, workplace, seat or queue, and arrival.

Plain rows, not model instances: at 1,000 attendees building two thousand Registration and
CheckIn objects was most of the page's CPU once the rows were no longer a template loop
(benchmarks/door.py). Membership, diets and needs are never selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import BooleanField, ExpressionWrapper, Q

from frukost.core.collation import by_name
from frukost.registrations.enums import ACTIVE_STATUSES, Status
from frukost.registrations.models import Registration
from frukost.registrations.queries import folded

# The list is read again after every tap; the same thousand names need folding only once.
_folded = lru_cache(maxsize=16384)(folded)


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


@dataclass(slots=True)
class DoorPerson:
    pk: int
    first_name: str
    last_name: str
    workplace: str
    status: str
    confirmed: bool
    invited_by_name: str  # "First Last" of the person who brought them, or ""
    checked_in_at: dt.datetime | None
    book_handed: bool
    walk_in: bool
    search: str  # the name folded for matching: "asa" finds "Åsa"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_seated(self) -> bool:
        return self.status == Status.REGISTERED


def door_people(event) -> list[DoorPerson]:
    """Everyone with a seat or on the waiting list, in Swedish order by last name (as the printed
    door list), with their check-in: one query."""
    rows = (
        Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
        .order_by("last_name", "first_name", "id")
        # Flags rather than times where only "whether" is shown: a datetime costs a parse a row.
        .annotate(
            door_confirmed=_flag(Q(confirmed_at__isnull=False)),
            door_book=_flag(Q(check_in__book_handed_at__isnull=False)),
        )
        .values_list(
            "pk", "first_name", "last_name", "workplace", "status", "door_confirmed",
            "invited_by__first_name", "invited_by__last_name",
            "check_in__checked_in_at", "door_book", "check_in__walk_in",
        )
    )  # fmt: skip
    people = []
    for pk, first, last, workplace, status, confirmed, by_first, by_last, arrived, book, walk_in in rows:
        people.append(
            DoorPerson(
                pk=pk,
                first_name=first,
                last_name=last,
                workplace=workplace,
                status=status,
                confirmed=bool(confirmed),
                invited_by_name=f"{by_first} {by_last}" if by_first is not None else "",
                checked_in_at=arrived,
                book_handed=bool(book),
                walk_in=bool(walk_in),
                search=_folded(f"{first} {last}"),
            )
        )
    people.sort(key=lambda person: by_name(person.last_name, person.first_name, person.pk))
    return people
