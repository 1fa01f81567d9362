"""Make an Event out of an EventDraft: the one place the command, the admin page and the demo
seed create an imported event."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event, Organisation
from frukost.events.services import save_new_event, validate_event
from frukost.importer.draft import EventDraft
from frukost.importer.exceptions import DraftIncomplete

SLUG_LENGTH = Event._meta.get_field("slug").max_length

# Draft fields copied to the event as they are ("" where the draft found nothing).
_TEXT_FIELDS = [
    "title",
    "host_name",
    "host_role",
    "lead",
    "body",
    "gift",
    "venue_name",
    "street_address",
    "postal_code",
    "city",
    "online_url",
    "contact_name",
    "contact_email",
    "contact_phone",
]


def event_fields(draft: EventDraft) -> dict:
    """The Event field values a draft provides (for a new event or a pre-filled form)."""
    fields = {name: getattr(draft, name) or "" for name in _TEXT_FIELDS}
    fields.update(
        questions="\n".join(draft.questions),
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        doors_at=draft.doors_at,
        online=draft.online,
        registration_deadline=draft.registration_deadline,
    )
    return fields


def unique_slug(*, organisation: Organisation, title: str, starts_at=None, city: str = "") -> str:
    """A slug from the title, made unique within the organisation by the date, then the city,
    then a number ("chefsfrukost-leda-med-tillit-2029-05-16")."""
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "evenemang"
    taken = set(
        Event.objects.filter(organisation=organisation, slug__startswith=base).values_list("slug", flat=True)
    )
    candidates = [base]
    if starts_at is not None:
        candidates.append(f"{base[: SLUG_LENGTH - 11]}-{starts_at.astimezone(STOCKHOLM):%Y-%m-%d}")
    if city:
        candidates.append(f"{candidates[-1][: SLUG_LENGTH - len(slugify(city)) - 1]}-{slugify(city)}")
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[-1][: SLUG_LENGTH - 4]}-{number}" in taken:
        number += 1
    return f"{candidates[-1][: SLUG_LENGTH - 4]}-{number}"


def create_event_from_draft(
    *, draft: EventDraft, organisation: Organisation, capacity: int, publish: bool = False, actor=None
) -> Event:
    """Create an event from an imported draft, as a draft unless `publish`.

    Raises DraftIncomplete when the title, start or end is missing, and ValidationError when a
    value does not fit the event (an end before the start, a malformed e-mail address).
    """
    missing = [name for name in ("title", "starts_at", "ends_at") if not getattr(draft, name)]
    if missing:
        raise DraftIncomplete(missing)
    with transaction.atomic():
        event = Event(
            organisation=organisation,
            status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
            capacity=capacity,
            slug=unique_slug(
                organisation=organisation, title=draft.title, starts_at=draft.starts_at, city=draft.city or ""
            ),
            **event_fields(draft),
        )
        # The address is checked (and a free one taken) as the event is saved: save_new_event.
        event.full_clean(exclude=["slug"])
        save_new_event(event)
        audit("event.imported", event_id=event.pk, actor=actor, warnings=len(draft.warnings))
    return event


def save_checked_event(*, event: Event, actor=None) -> Event:
    """Save an event an organiser has checked and corrected on the import page (validated by
    its form) and record who created it.

    The event is always saved as a draft (it is published from its page, where the publishing
    rules apply) and validated here too, whatever the form checked: raises InvalidEvent. Two
    imports of the same invitation can pass the form's address check at the same time: the
    second then gets the next free address (save_new_event) instead of an error page.
    """
    event.status = EventStatus.DRAFT
    validate_event(event)
    with transaction.atomic():
        save_new_event(event)
        audit("event.imported", event_id=event.pk, actor=actor)
    return event
