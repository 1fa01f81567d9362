"""Feedback results per event and per series: how many answered, the average, the distribution,
and the texts (a name only where the person agreed and the registration still has one).

A fixed number of queries however many answers or events: the feedback rows with their
registration in one, the attendance figures in two (checkin.attendance.attendance_of_events).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from frukost.checkin.attendance import attendance_of_events
from frukost.events.models import Event
from frukost.followup.enums import RATINGS
from frukost.followup.models import Feedback


@dataclass(frozen=True)
class Comment:
    event: Event
    rating: int
    most_useful: str
    comment: str
    name: str  # empty unless the person agreed and still has a name
    given_at: dt.datetime


@dataclass
class Results:
    answers: int = 0
    arrived: int = 0
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))
    comments: list[Comment] = field(default_factory=list)

    @property
    def average(self) -> float | None:
        if not self.answers:
            return None
        return sum(rating * count for rating, count in self.distribution.items()) / self.answers

    @property
    def average_text(self) -> str:
        """ "4,2" (one decimal, a decimal comma as Swedish and the back office write it)."""
        average = self.average
        return "" if average is None else f"{average:.1f}".replace(".", ",")


@dataclass(frozen=True)
class EventRow:
    event: Event
    results: Results


def _results_for(events: Sequence[Event]) -> dict[int, Results]:
    ids = [event.pk for event in events]
    by_id = {event.pk: event for event in events}
    figures = attendance_of_events(events)
    results = {pk: Results(arrived=figures[pk].arrived) for pk in ids}
    rows = (
        Feedback.objects.filter(event_id__in=ids)
        .select_related("registration")
        .order_by("-created_at", "-id")
    )
    for feedback in rows:
        result = results[feedback.event_id]
        result.answers += 1
        result.distribution[feedback.rating] += 1
        if feedback.most_useful or feedback.comment:
            result.comments.append(
                Comment(
                    event=by_id[feedback.event_id],
                    rating=feedback.rating,
                    most_useful=feedback.most_useful,
                    comment=feedback.comment,
                    name=feedback.shown_name,
                    given_at=feedback.created_at,
                )
            )
    return results


def event_results(event: Event) -> Results:
    return _results_for([event])[event.pk]


def series_results(events: Iterable[Event]) -> tuple[Results, list[EventRow]]:
    """The series' events together, and each event's own results (in the order given)."""
    events = list(events)
    per_event = _results_for(events)
    total = Results()
    for event in events:
        result = per_event[event.pk]
        total.answers += result.answers
        total.arrived += result.arrived
        for rating, count in result.distribution.items():
            total.distribution[rating] += count
        total.comments.extend(result.comments)
    total.comments.sort(key=lambda c: c.given_at, reverse=True)
    return total, [EventRow(event=event, results=per_event[event.pk]) for event in events]
