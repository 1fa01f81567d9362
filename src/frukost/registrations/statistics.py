"""Figures about an event's registrations for the back office's statistics (read-only).

Two queries per event whatever its size: one aggregate over its registrations and one count
per Stockholm calendar day. Membership counts are special-category aggregates (GDPR art. 9):
computed here, shown only to those who may see membership (the view decides).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from frukost.events.models import STOCKHOLM, Event
from frukost.registrations.enums import Diet, Membership, Status
from frukost.registrations.models import EventTally, Registration

_R = "registrations__"
_SEATED = Q(**{f"{_R}status": Status.REGISTERED})
_COLLEAGUE = Q(**{f"{_R}invited_by__isnull": False})

FIGURES = {
    "seats_taken": Count("registrations", filter=_SEATED),
    "waiting": Count("registrations", filter=Q(**{f"{_R}status": Status.WAITLISTED})),
    "cancelled": Count("registrations", filter=Q(**{f"{_R}status": Status.CANCELLED})),
    "released": Count("registrations", filter=Q(**{f"{_R}status": Status.RELEASED})),
    "registrations_total": Count("registrations"),
    "colleagues_brought": Count("registrations", filter=_COLLEAGUE),
    "colleagues_confirmed": Count(
        "registrations", filter=_COLLEAGUE & Q(**{f"{_R}confirmed_at__isnull": False})
    ),
    # Among those with a seat.
    "members": Count("registrations", filter=_SEATED & Q(**{f"{_R}membership": Membership.MEMBER})),
    "not_members": Count("registrations", filter=_SEATED & Q(**{f"{_R}membership": Membership.NOT_MEMBER})),
    "undisclosed": Count("registrations", filter=_SEATED & Q(**{f"{_R}membership": Membership.UNDISCLOSED})),
    "unanswered": Count("registrations", filter=_SEATED & Q(**{f"{_R}membership": ""})),
}


@dataclass(frozen=True)
class Figures:
    """Counts for one event. Membership counts are among those with a seat; `unanswered` are
    mostly colleagues who have not confirmed (and so not answered) yet."""

    capacity: int
    seats_taken: int
    waiting: int
    cancelled: int
    released: int
    registrations_total: int
    colleagues_brought: int
    colleagues_confirmed: int
    members: int
    not_members: int
    undisclosed: int
    unanswered: int
    overbooking: int = 0  # extra registrations beyond the capacity (Event.overbooking)

    @property
    def seat_limit(self) -> int:
        return self.capacity + self.overbooking

    @property
    def fill(self) -> float:
        """Seats taken as a share of capacity (passes 1.0 when overbooked or capacity was lowered)."""
        return self.seats_taken / self.capacity if self.capacity else 0.0

    @property
    def fill_percent(self) -> int:
        return round(100 * self.fill)

    @property
    def seats_left(self) -> int:
        return max(self.seat_limit - self.seats_taken, 0)


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    new: int
    total: int


@dataclass(frozen=True)
class EventStatistics:
    """An event's figures and its registrations per day.

    `days` runs without gaps from the day of the first registration to today (or to the end of
    the axis, if that has passed); `axis_end` is the last day to register (or the event's day,
    or the last registration's, whichever is latest), so a chart can show the time still left.
    """

    event: Event
    figures: Figures
    days: list[DayCount] = field(default_factory=list)
    axis_start: dt.date | None = None
    axis_end: dt.date | None = None
    deadline: dt.date | None = None


@dataclass(frozen=True)
class ComparisonRow:
    event: Event
    figures: Figures


@dataclass(frozen=True)
class Comparison:
    """Figures for several events side by side (a series). `include_membership` says whether the
    membership columns may be shown (the viewer may see special-category data)."""

    rows: list[ComparisonRow]
    include_membership: bool = False

    @property
    def largest_capacity(self) -> int:
        return max((row.figures.capacity for row in self.rows), default=0)


# The membership counts retention kept when it erased the answers (EventTally): a figure is the
# tally plus what is still stored, so it stays right before, during and after erasure.
TALLIED = ("members", "not_members", "undisclosed")
TALLY_FIELDS = {f"tally_{name}": F(f"tally__{name}") for name in TALLIED}


def _figures(event: Event, values: dict) -> Figures:
    counts = {name: values[name] or 0 for name in FIGURES}
    for name in TALLIED:
        kept = values.get(f"tally_{name}") or 0
        counts[name] += kept
        # Those counted in the tally were asked and answered; their rows now read "unanswered".
        counts["unanswered"] = max(counts["unanswered"] - kept, 0)
    return Figures(capacity=event.capacity, overbooking=event.overbooking, **counts)


def event_statistics(event: Event, *, today: dt.date | None = None) -> EventStatistics:
    """The event's figures and cumulative registrations per Stockholm day."""
    today = today or timezone.localdate(timezone.now(), STOCKHOLM)
    values = (
        Event.objects.filter(pk=event.pk)
        .annotate(**FIGURES, **TALLY_FIELDS)
        .values(*FIGURES, *TALLY_FIELDS)
        .get()
    )
    figures = _figures(event, values)
    per_day = dict(
        Registration.objects.filter(event=event)
        .annotate(day=TruncDate("created_at", tzinfo=STOCKHOLM))
        .values("day")
        .annotate(count=Count("id"))
        .order_by("day")
        .values_list("day", "count")
    )
    deadline = event.registration_deadline
    last_day = deadline or timezone.localdate(event.starts_at, STOCKHOLM)
    if not per_day:
        return EventStatistics(event=event, figures=figures, axis_end=last_day, deadline=deadline)
    first, latest = min(per_day), max(per_day)
    axis_end = max(last_day, latest)
    until = max(min(today, axis_end), latest)
    days, total = [], 0
    for offset in range((until - first).days + 1):
        day = first + dt.timedelta(days=offset)
        total += per_day.get(day, 0)
        days.append(DayCount(day=day, new=per_day.get(day, 0), total=total))
    return EventStatistics(
        event=event, figures=figures, days=days, axis_start=first, axis_end=axis_end, deadline=deadline
    )


def compare_events(
    events: Iterable[Event] | QuerySet[Event], *, include_membership: bool = False
) -> Comparison:
    """Figures for each of the events (one query), in the order they take place."""
    if not isinstance(events, QuerySet):
        events = Event.objects.filter(pk__in=[event.pk for event in events])
    # Prefixed: the caller's queryset may carry annotations of the same names (seats_taken …).
    annotated = events.annotate(
        **{f"stat_{name}": count for name, count in FIGURES.items()},
        **{f"stat_{name}": value for name, value in TALLY_FIELDS.items()},
    )
    names = [*FIGURES, *TALLY_FIELDS]
    rows = [
        ComparisonRow(
            event=event,
            figures=_figures(event, {name: getattr(event, f"stat_{name}") for name in names}),
        )
        for event in annotated.select_related("organisation").order_by("starts_at", "id")
    ]
    return Comparison(rows=rows, include_membership=include_membership)


def diet_counts(event: Event) -> dict[str, int]:
    """How many confirmed people with a seat asked for each diet (Diet codes with a count above
    zero, in the form's order): the tally retention kept plus the answers still stored. Two
    queries."""
    counts: dict[str, int] = {}
    tally = EventTally.objects.filter(event=event).first()
    if tally is not None:
        for code, number in (tally.diets or {}).items():
            counts[code] = counts.get(code, 0) + int(number)
    rows = Registration.objects.filter(
        event=event, status=Status.REGISTERED, confirmed_at__isnull=False
    ).exclude(diets=[])
    for diets in rows.values_list("diets", flat=True):
        for code in dict.fromkeys(diets or []):
            counts[code] = counts.get(code, 0) + 1
    return {code: counts[code] for code in Diet.values if counts.get(code)}
