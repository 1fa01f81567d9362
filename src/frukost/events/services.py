"""Changes to events that touch only events: create, publish, close and reopen registration, clone,
series. Changes that must tell registered people (time, place, capacity, cancelling) live in
frukost.registrations.services.event_changes, because registrations import events, never the reverse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.exceptions import InvalidEvent, WrongStatus
from frukost.events.models import (
    MAX_REMINDER_DAYS_BEFORE,
    RESERVED_EVENT_SLUGS,
    STOCKHOLM,
    Event,
    Organisation,
    Series,
    max_overbooking,
)

SLUG_LENGTH = Event._meta.get_field("slug").max_length
MAX_HOLD_HOURS = 720  # 30 days; the database refuses more as well

# What an organiser may change on an event's form (status has its own actions).
EDITABLE_FIELDS = (
    "title",
    "slug",
    "series",
    "host_name",
    "host_role",
    "lead",
    "body",
    "questions",
    "gift",
    "starts_at",
    "ends_at",
    "doors_at",
    "venue_name",
    "street_address",
    "postal_code",
    "city",
    "online",
    "online_url",
    "registration_deadline",
    "registration_deadline_time",
    "capacity",
    "overbooking",
    "few_seats_threshold",
    "max_colleagues",
    "colleague_hold_hours",
    "custom_question",
    "contact_name",
    "contact_email",
    "contact_phone",
    "confirm_email",
    "reminder_days_before",
)

# Copied by clone_event: the content and the settings, never the date, the place or the people.
CLONED_FIELDS = (
    "title",
    "host_name",
    "host_role",
    "lead",
    "body",
    "questions",
    "gift",
    "registration_deadline_time",
    "capacity",
    "few_seats_threshold",
    "max_colleagues",
    "colleague_hold_hours",
    "custom_question",
    "contact_name",
    "contact_email",
    "contact_phone",
    "confirm_email",
    "reminder_days_before",
)
# Not copied: `overbooking` is decided per event from the series' no-show rate, never silently.


# --- Rules every event keeps (the forms show the same messages) -----------------------------


EARLIEST_YEAR = 2000
YEARS_AHEAD = 10


def event_problems(values: Mapping) -> dict[str, list[str]]:
    """What is wrong with these event values, field by field (empty when nothing is).

    Takes a mapping so a form can ask before an Event exists; missing keys are not checked.
    """
    problems: dict[str, list[str]] = {}
    starts, ends, doors = values.get("starts_at"), values.get("ends_at"), values.get("doors_at")
    for name in ("starts_at", "ends_at", "doors_at"):
        moment = values.get(name)
        if moment and not EARLIEST_YEAR <= moment.year <= timezone.now().year + YEARS_AHEAD:
            # Also keeps date arithmetic (a copy's end, a colleague's hold) far from datetime's limits.
            problems.setdefault(name, []).append(
                _("Give a date between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": timezone.now().year + YEARS_AHEAD}
            )
    if starts and ends and ends <= starts:
        problems.setdefault("ends_at", []).append(_("The event must end after it starts."))
    if starts and doors and doors > starts:
        problems.setdefault("doors_at", []).append(
            _("Breakfast must be served from the start of the event or before it.")
        )
    deadline = values.get("registration_deadline")
    if starts and deadline and deadline > starts.astimezone(STOCKHOLM).date():
        problems.setdefault("registration_deadline", []).append(
            _("The last day to register must be on or before the day of the event.")
        )
    capacity = values.get("capacity")
    if capacity is not None and capacity < 1:
        problems.setdefault("capacity", []).append(_("An event needs at least one seat."))
    overbooking = values.get("overbooking")
    if overbooking is not None and capacity is not None and capacity >= 1:
        most = max_overbooking(capacity)
        if overbooking > most:
            problems.setdefault("overbooking", []).append(
                _("Overbook by at most half the seats: %(most)d of %(capacity)d.")
                % {"most": most, "capacity": capacity}
            )
    days = values.get("reminder_days_before")
    if days is not None and days > MAX_REMINDER_DAYS_BEFORE:
        problems.setdefault("reminder_days_before", []).append(
            _("Send it at most %(max)d days before the event (0: not at all).")
            % {"max": MAX_REMINDER_DAYS_BEFORE}
        )
    hours = values.get("colleague_hold_hours")
    if hours is not None and not 1 <= hours <= MAX_HOLD_HOURS:
        problems.setdefault("colleague_hold_hours", []).append(
            _("Hold a colleague's seat for between 1 and %(max)d hours (30 days).") % {"max": MAX_HOLD_HOURS}
        )
    return problems


def validate_event(event: Event) -> None:
    """Raise InvalidEvent unless the event's fields and our rules hold (the slug may be taken:
    saving picks the next free one)."""
    errors: dict[str, list[str]] = {}
    try:
        event.full_clean(exclude=["organisation"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = {name: list(messages) for name, messages in exc.message_dict.items()}
    for name, messages in event_problems(
        {f.name: getattr(event, f.name) for f in Event._meta.fields}
    ).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise InvalidEvent(errors)


# --- Addresses -----------------------------------------------------------------------------------


def free_slug(*, organisation: Organisation, slug: str, exclude_pk: int | None = None) -> str:
    """`slug` if no other event of the organisation has it, else the first free `slug-2`, `slug-3` …"""
    slug = slug[:SLUG_LENGTH].strip("-") or "evenemang"
    taken = set(
        Event.objects.filter(organisation=organisation, slug__startswith=slug)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    taken |= RESERVED_EVENT_SLUGS  # the organisation's own pages (its privacy notice)
    if slug not in taken:
        return slug
    number = 2
    while f"{slug[: SLUG_LENGTH - 4]}-{number}" in taken:
        number += 1
    return f"{slug[: SLUG_LENGTH - 4]}-{number}"


def dated_slug(*, title: str, starts_at: dt.datetime, city: str = "") -> str:
    """ "chefsfrukost-leda-med-tillit-2029-05-16-sundsvall"."""
    parts = [slugify(title) or "evenemang", f"{starts_at.astimezone(STOCKHOLM):%Y-%m-%d}"]
    if city:
        parts.append(slugify(city))
    return "-".join(parts)[:SLUG_LENGTH].strip("-")


def save_new_event(event: Event, *, attempts: int = 5) -> Event:
    """Insert a new event, taking the next free address if its slug is (or just became) taken.

    Two organisers saving events with the same title at once both pass the form's uniqueness
    check; the database's unique constraint then refuses the second insert. That insert is
    retried with the next free slug instead of ending as an error page.
    """
    for _attempt in range(attempts):
        event.slug = free_slug(organisation=event.organisation, slug=event.slug)
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError:
            if not Event.objects.filter(organisation=event.organisation, slug=event.slug).exists():
                raise  # some other constraint: not ours to paper over
            event.pk = None
            continue
        return event
    raise IntegrityError(f"no free address for {event.slug!r} after {attempts} attempts")


# --- Services ------------------------------------------------------------------------------------


def _lock(event_id: int) -> Event:
    return Event.objects.select_for_update().select_related("organisation").get(pk=event_id)


def create_event(*, event: Event, actor=None) -> Event:
    """Create a new event (a draft unless its status says otherwise) for `event.organisation`.

    Raises InvalidEvent when a value does not fit. A taken address becomes the next free one.
    """
    if event.pk is not None:
        raise ValueError("create_event takes an unsaved event")
    event.status = event.status or EventStatus.DRAFT
    if event.series_id and event.series.organisation_id != event.organisation_id:
        raise InvalidEvent({"series": [_("Choose one of your own series.")]})
    validate_event(event)
    with transaction.atomic():
        save_new_event(event)
        audit("event.created", event_id=event.pk, actor=actor)
        if event.overbooking:
            audit_overbooking(event, before=0, actor=actor)
    return event


def audit_overbooking(event: Event, *, before: int, actor=None) -> None:
    """Overbooking is never silent: each change is an audit entry of its own, with the numbers."""
    audit(
        "event.overbooking_changed",
        event_id=event.pk,
        actor=actor,
        overbooking_before=before,
        overbooking=event.overbooking,
        capacity=event.capacity,
    )


def publish_event(*, event: Event, actor=None) -> Event:
    """Make a draft public: its page opens and people can register."""
    with transaction.atomic():
        event = _lock(event.pk)
        if event.status != EventStatus.DRAFT:
            raise WrongStatus(_("Only a draft can be published."))
        if event.starts_at <= timezone.now():
            raise WrongStatus(_("The event has already started, so it cannot be published."))
        validate_event(event)
        event.status = EventStatus.PUBLISHED
        event.save(update_fields=["status", "updated_at"])
        audit("event.published", event_id=event.pk, actor=actor)
    return event


def close_registration(*, event: Event, actor=None, now: dt.datetime | None = None) -> Event:
    """Close registration now, before the deadline. Those registered keep their seats and the
    waiting list its order; nobody is e-mailed."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(event.pk)
        if event.status != EventStatus.PUBLISHED:
            raise WrongStatus(_("Registration can only be closed for a published event."))
        if now >= event.registration_closes_at or now >= event.starts_at:
            raise WrongStatus(_("Registration is already closed."))
        event.registration_closed_at = now
        event.save(update_fields=["registration_closed_at", "updated_at"])
        audit("event.registration_closed", event_id=event.pk, actor=actor)
    return event


def reopen_registration(*, event: Event, actor=None) -> Event:
    """Undo an early close. Registration is open again until the deadline (if that has not passed)."""
    with transaction.atomic():
        event = _lock(event.pk)
        if event.status != EventStatus.PUBLISHED or event.registration_closed_at is None:
            raise WrongStatus(_("Registration was not closed early, so there is nothing to reopen."))
        event.registration_closed_at = None
        event.save(update_fields=["registration_closed_at", "updated_at"])
        audit("event.registration_reopened", event_id=event.pk, actor=actor)
    return event


@dataclass(frozen=True)
class Place:
    """Where a cloned event is held."""

    venue_name: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    online: bool = False
    online_url: str = ""


def create_series(*, organisation: Organisation, name: str, actor=None) -> Series:
    """A new series for the organisation, with an address-safe short name of its own."""
    name = name.strip()
    if not name:
        raise InvalidEvent({"name": [_("Give the series a name.")]})
    base = slugify(name)[:100] or "serie"
    taken = set(
        Series.objects.filter(organisation=organisation, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    series = Series.objects.create(organisation=organisation, name=name[:200], slug=slug)
    audit("series.created", actor=actor, organisation_id=organisation.pk, series_id=series.pk)
    return series


def clone_event(*, source: Event, starts_at: dt.datetime, place: Place, actor=None) -> Event:
    """A draft copy of `source` on a new date and at a new place, in the same series.

    Content, questions, gift, contact, capacity and the registration settings are copied; the
    end, doors and deadline move with the start; registrations never are. A source without a
    series gets one named after it, so the two are grouped from now on.
    """
    if timezone.is_naive(starts_at):
        raise InvalidEvent({"starts_at": [_("Give the start as a date and a time.")]})
    problems = event_problems({"starts_at": starts_at})
    if problems:
        raise InvalidEvent(problems)
    shift = starts_at - source.starts_at
    clone = Event(organisation=source.organisation, status=EventStatus.DRAFT)
    for name in CLONED_FIELDS:
        setattr(clone, name, getattr(source, name))
    clone.starts_at = starts_at
    clone.ends_at = source.ends_at + shift
    clone.doors_at = source.doors_at + shift if source.doors_at else None
    if source.registration_deadline:
        days_before = source.starts_at.astimezone(STOCKHOLM).date() - source.registration_deadline
        clone.registration_deadline = starts_at.astimezone(STOCKHOLM).date() - days_before
    for name, value in vars(place).items():
        setattr(clone, name, value.strip() if isinstance(value, str) else value)
    clone.slug = dated_slug(title=clone.title, starts_at=starts_at, city=clone.city)
    validate_event(clone)
    with transaction.atomic():
        source = _lock(source.pk)
        if source.series_id is None:
            source.series = create_series(organisation=source.organisation, name=source.title, actor=actor)
            source.save(update_fields=["series", "updated_at"])
        clone.series = source.series
        save_new_event(clone)
        audit("event.cloned", event_id=clone.pk, actor=actor, source_event_id=source.pk)
    return clone
