"""Who came: attendance figures, no-shows and the no-show rate of a series.

An event's attendance is open until it is closed (`AttendanceClosing`): by the worker at the end
of the event's day in Stockholm when the door checked anyone in, or by an organiser. Only then
is anyone a no-show: a seated, confirmed registration without a check-in. No-shows are derived,
never stored, so an organiser's correction is simply a check-in made (or undone) afterwards, and
an event whose door used no phone never turns everyone into a no-show.

The series' no-show rate (over its last closed events before a given one) is what an organiser
bases overbooking on, so it is computed from the same definition: no-shows / expected, summed
over the events (not an average of rates, which would weigh a 10-seat event like a 200-seat one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from frukost.checkin.models import AttendanceClosing, CheckIn
from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration

_EXPECTED = Q(status=Status.REGISTERED, confirmed_at__isnull=False)


@dataclass(frozen=True)
class Attendance:
    """One event's funnel: registered → confirmed → arrived, and the no-shows once closed.

    `registered` is everyone who ever registered (cancelled, released and waiting list included,
    colleagues too); `confirmed` those with a confirmed seat, i.e. expected at the door.
    """

    event_id: int
    registered: int
    confirmed: int
    arrived: int
    not_arrived: int  # confirmed seats without a check-in (no-shows once `closed`)
    closed: bool

    @property
    def no_shows(self) -> int | None:
        return self.not_arrived if self.closed else None

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among those expected, 0–1; None while open or when nobody was expected."""
        if not self.closed or not self.confirmed:
            return None
        return self.not_arrived / self.confirmed


@dataclass(frozen=True)
class NoShowRate:
    rate: float  # 0–1
    events: int  # how many closed events it is taken from
    no_shows: int
    expected: int


def _figures(registrations: QuerySet) -> QuerySet:
    return registrations.values("event_id").annotate(
        registered=Count("pk"),
        confirmed=Count("pk", filter=_EXPECTED),
        arrived=Count("check_in"),
        not_arrived=Count("pk", filter=_EXPECTED & Q(check_in__isnull=True)),
    )


def attendance_of_events(events: Iterable[Event]) -> dict[int, Attendance]:
    """Attendance per event id, two queries however many events."""
    ids = [event.pk for event in events]
    closed = set(AttendanceClosing.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    rows = {row["event_id"]: row for row in _figures(Registration.objects.filter(event_id__in=ids))}
    empty = {"registered": 0, "confirmed": 0, "arrived": 0, "not_arrived": 0}
    return {
        pk: Attendance(
            event_id=pk,
            closed=pk in closed,
            **{key: rows.get(pk, empty)[key] for key in empty},
        )
        for pk in ids
    }


def attendance(event: Event) -> Attendance:
    return attendance_of_events([event])[event.pk]


def is_closed(event: Event) -> bool:
    return AttendanceClosing.objects.filter(event=event).exists()


def no_shows(event: Event) -> QuerySet[Registration]:
    """The no-shows of a closed event (none while attendance is open), by name."""
    if not is_closed(event):
        return Registration.objects.none()
    return Registration.objects.filter(_EXPECTED, event=event, check_in__isnull=True).order_by(
        "last_name", "first_name", "pk"
    )


def arrived(event: Event) -> QuerySet[Registration]:
    """Everyone checked in (walk-ins included), by name."""
    return Registration.objects.filter(event=event, check_in__isnull=False).order_by(
        "last_name", "first_name", "pk"
    )


def series_no_show_rate(series, *, before: Event | None = None, last: int = 5) -> NoShowRate | None:
    """The no-show rate over the series' last `last` closed events that started before `before`.

    None when the series has no closed event with anyone expected: there is nothing to go on.
    """
    events = Event.objects.filter(series=series, attendance_closing__isnull=False).exclude(
        status=EventStatus.CANCELLED
    )
    if before is not None:
        events = events.filter(starts_at__lt=before.starts_at).exclude(pk=before.pk)
    figures = [
        figure
        for figure in attendance_of_events(events.order_by("-starts_at")[: max(last, 0)]).values()
        if figure.confirmed
    ]
    expected = sum(figure.confirmed for figure in figures)
    if not expected:
        return None
    missing = sum(figure.not_arrived for figure in figures)
    return NoShowRate(rate=missing / expected, events=len(figures), no_shows=missing, expected=expected)


def close_attendance(event: Event, *, actor=None, at: dt.datetime | None = None) -> AttendanceClosing:
    """Make the event's attendance final (idempotent: closing twice keeps the first closing)."""
    try:
        with transaction.atomic():
            closing = AttendanceClosing.objects.create(
                event=event, closed_at=at or timezone.now(), closed_by=actor
            )
            audit("attendance.closed", event_id=event.pk, actor=actor)
    except IntegrityError:
        return AttendanceClosing.objects.get(event=event)
    return closing


def reopen_attendance(event: Event, *, actor) -> None:
    """Open the attendance again (to tick late arrivals from the paper list, say)."""
    with transaction.atomic():
        deleted, _rows = AttendanceClosing.objects.filter(event=event).delete()
        if deleted:
            audit("attendance.reopened", event_id=event.pk, actor=actor)


def close_finished_events(now: dt.datetime) -> dict[str, int]:
    """The worker's daily job: close every event whose day in Stockholm is over and whose door
    checked someone in. Events nobody was checked in at stay open for the organiser to close."""
    today = timezone.localtime(now, STOCKHOLM).date()
    midnight = dt.datetime.combine(today, dt.time(0), tzinfo=STOCKHOLM)
    due = (
        Event.objects.filter(ends_at__lt=midnight, attendance_closing__isnull=True)
        .exclude(status=EventStatus.CANCELLED)
        .filter(pk__in=CheckIn.objects.values("event_id"))
    )
    closed = 0
    for event in due:
        close_attendance(event, at=now)
        closed += 1
    return {"closed": closed}
