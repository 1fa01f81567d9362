"""Who came: attendance figures, no-shows and the no-show rate of a series.

An event's attendance is open until it is closed (`AttendanceClosing`): by the worker at the end
of the event's day in Stockholm when the door checked anyone in, or by an organiser. Only then
is anyone a no-show: a seated, confirmed registration without a check-in. No-shows are derived,
never stored, so an organiser's correction is simply a check-in made (or undone) afterwards, and
an event whose door used no phone never turns everyone into a no-show.

The series' no-show rate (over its last closed events before a given one) is what an organiser
bases overbooking on, so it is computed from the same definition: no-shows / expected, summed
over the events (not an average of rates, which would weigh a 10-seat event like a 200-seat one).

Corrections (`mark_arrived`, `mark_absent`) are allowed from the event's start, open or closed;
closing by hand from its end (`ensure_closable`); never for a cancelled event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frukost.checkin.exceptions import AttendanceNotYet
from frukost.checkin.models import AttendanceClosing, CheckIn
from frukost.checkin.services import CheckInResult, check_in, undo_check_in
from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event
from frukost.registrations.enums import Status
from frukost.registrations.exports import Column
from frukost.registrations.models import Registration

_EXPECTED = Q(status=Status.REGISTERED, confirmed_at__isnull=False)


@dataclass(frozen=True)
class Attendance:
    """One event's funnel: registered → confirmed → arrived, and the no-shows once closed.

    `registered` is everyone who ever registered (cancelled, released and waiting list included,
    colleagues too); `confirmed` those with a confirmed seat, walk-ins included; `expected` those
    of them who registered before the day (walk-ins were never expected: they cannot be no-shows,
    and counting them would make a door that takes walk-ins look as if fewer stayed away).
    """

    event_id: int
    registered: int
    confirmed: int
    arrived: int
    not_arrived: int  # confirmed seats without a check-in (no-shows once `closed`)
    closed: bool
    walk_ins: int = 0

    @property
    def expected(self) -> int:
        return self.confirmed - self.walk_ins

    @property
    def no_shows(self) -> int | None:
        return self.not_arrived if self.closed else None

    @property
    def no_show_rate(self) -> float | None:
        """No-shows among those expected, 0–1; None while open or when nobody was expected."""
        if not self.closed or not self.expected:
            return None
        return self.not_arrived / self.expected


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
        walk_ins=Count("check_in", filter=Q(check_in__walk_in=True)),
    )


def attendance_of_events(events: Iterable[Event]) -> dict[int, Attendance]:
    """Attendance per event id, two queries however many events."""
    ids = [event.pk for event in events]
    closed = set(AttendanceClosing.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    rows = {row["event_id"]: row for row in _figures(Registration.objects.filter(event_id__in=ids))}
    empty = {"registered": 0, "confirmed": 0, "arrived": 0, "not_arrived": 0, "walk_ins": 0}
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


def not_arrived(event: Event) -> QuerySet[Registration]:
    """Everyone expected (a confirmed seat) who has not been checked in, by name, open or closed:
    the list an organiser ticks from the paper door list; the no-shows once closed."""
    return Registration.objects.filter(_EXPECTED, event=event, check_in__isnull=True).order_by(
        "last_name", "first_name", "pk"
    )


def closing(event: Event) -> AttendanceClosing | None:
    """The event's closing (when, and by whom: None for the worker), or None while open."""
    return AttendanceClosing.objects.select_related("closed_by").filter(event=event).first()


def with_check_in_time(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """The registrations with `checked_in_at` (None when not checked in): a join, no extra query."""
    return registrations.annotate(checked_in_at=F("check_in__checked_in_at"))


def narrow(registrations: QuerySet[Registration], state: str, *, closed: bool) -> QuerySet[Registration]:
    """Only those who came (`state` "arrived") or, once closed, the no-shows ("no_show")."""
    if state == "arrived":
        return registrations.filter(check_in__isnull=False)
    if state == "no_show":
        if not closed:
            return registrations.none()
        return registrations.filter(_EXPECTED, check_in__isnull=True)
    return registrations


@dataclass(frozen=True)
class Presence:
    """One registration at its event: checked in (when), a no-show, or neither (yet)."""

    checked_in_at: dt.datetime | None
    no_show: bool


def presence(registration: Registration) -> Presence:
    """Whether the person came (two queries)."""
    row = CheckIn.objects.filter(registration=registration).values_list("checked_in_at", flat=True).first()
    expected = registration.status == Status.REGISTERED and registration.confirmed_at is not None
    no_show = row is None and expected and is_closed(registration.event)
    return Presence(checked_in_at=row, no_show=no_show)


def overall_rate(figures: Iterable[Attendance]) -> NoShowRate | None:
    """No-shows / expected summed over the closed events among `figures` (no query); None when no
    closed event had anyone expected."""
    counted = [figure for figure in figures if figure.closed and figure.expected]
    expected = sum(figure.expected for figure in counted)
    if not expected:
        return None
    missing = sum(figure.not_arrived for figure in counted)
    return NoShowRate(rate=missing / expected, events=len(counted), no_shows=missing, expected=expected)


def series_no_show_rate(series, *, before: Event | None = None, last: int = 5) -> NoShowRate | None:
    """The no-show rate over the series' last `last` closed events that started before `before`.

    None when the series has no closed event with anyone expected: there is nothing to go on.
    """
    events = Event.objects.filter(series=series, attendance_closing__isnull=False).exclude(
        status=EventStatus.CANCELLED
    )
    if before is not None:
        events = events.filter(starts_at__lt=before.starts_at).exclude(pk=before.pk)
    return overall_rate(attendance_of_events(events.order_by("-starts_at")[: max(last, 0)]).values())


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


# --- An organiser's corrections afterwards ------------------------------------------------------


def ensure_correctable(event: Event, *, now: dt.datetime | None = None) -> None:
    """Attendance can be ticked or corrected once the event has started (open or closed)."""
    if event.status == EventStatus.CANCELLED:
        raise AttendanceNotYet(_("The event was cancelled: nobody's attendance is kept."))
    if (now or timezone.now()) < event.starts_at:
        raise AttendanceNotYet(_("Attendance can be recorded once the event has started."))


def ensure_closable(event: Event, *, now: dt.datetime | None = None) -> None:
    """Attendance can be closed (by hand) once the event has ended."""
    ensure_correctable(event, now=now)
    if (now or timezone.now()) < event.ends_at:
        raise AttendanceNotYet(_("Attendance can be closed once the event has ended."))


def mark_arrived(*, registration: Registration, actor) -> CheckInResult:
    """ "Came after all": a check-in at the event's start, made by the organiser and audited as a
    correction (checkin.corrected). Someone already checked in is returned as they are (`already`).

    Raises AttendanceNotYet before the event has started, NoSeat for someone without a confirmed
    seat (the waiting list, cancelled …).
    """
    event = registration.event
    ensure_correctable(event)
    return check_in(registration=registration, actor=actor, at=event.starts_at, correction=True)


def mark_absent(*, registration: Registration, actor) -> None:
    """ "Did not come": the check-in is taken back (audited as checkin.corrected_absent).

    Raises AttendanceNotYet before the event has started, NotCheckedIn if there is no check-in.
    """
    ensure_correctable(registration.event)
    undo_check_in(registration=registration, actor=actor, correction=True)


# --- The export's "Attended" column (registrations.exports) ---------------------------------


def _attended(labels, checked_in_at, closed_at, status, is_confirmed) -> str:
    if checked_in_at is not None:
        return labels.yes
    if closed_at is not None and status == Status.REGISTERED and is_confirmed:
        return labels.no  # a no-show
    return ""  # not expected, or the attendance is still open


def export_column() -> Column:
    """Yes (checked in), No (a no-show, once closed) or empty: read in the export's one query."""
    return Column(
        "attended",
        gettext_lazy("Attended"),
        ("check_in__checked_in_at", "event__attendance_closing__closed_at", "status", "is_confirmed"),
        _attended,
    )
