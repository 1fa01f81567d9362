"""Catering figures for the venue and books to order: counts, never names.

The caterer gets the headcount, a count per diet (the 14 allergens, vegetarian, vegan) and the
free-text diet notes without names, sorted so that their order does not reveal who wrote them.
Names, e-mail addresses and membership never leave in these messages (GDPR art. 9: diets can
reveal health or religion).

When registration closes the worker freezes the list (and sends it, if the event has a venue
contact). After that, changes go to the venue as differences against the last list sent
("Since the last list: +2 vegetarian, −1 gluten"): automatically at most once a day until the
event starts, and whenever an organiser presses "Send to the venue".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frukost.catering.enums import ListReason, VenueLanguage
from frukost.catering.exceptions import InvalidCateringPlan, NoVenueContact
from frukost.catering.models import MAX_BOOK_MARGIN, CateringList, CateringPlan
from frukost.core import formats
from frukost.core.models import audit
from frukost.events.enums import EventStatus
from frukost.events.models import Event
from frukost.mail.enums import MailKind
from frukost.mail.outbox import enqueue
from frukost.mail.renderers import Rendered
from frukost.registrations.enums import Diet, Status
from frukost.registrations.models import EventTally, Registration
from frukost.registrations.services.seats import lock_event

# A list sent automatically after a change waits at least this long after the previous one.
CHANGES_AT_MOST_EVERY = dt.timedelta(hours=24)
MINUS = "\u2212"  # "−", the typographic minus sign


@dataclass(frozen=True)
class Figures:
    """What the kitchen needs to know, right now or as frozen in a CateringList.

    `headcount` is everyone with a seat: confirmed attendees plus colleagues whose seat is
    held but who have not confirmed yet (`unconfirmed`; they have not told us their diet).
    `diets` maps Diet codes to counts (only those above zero, in Diet's order).
    """

    headcount: int
    unconfirmed: int
    diets: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Confirmed people who asked for at least one diet or wrote a note.
    with_special_diet: int = 0

    @property
    def confirmed(self) -> int:
        return self.headcount - self.unconfirmed

    @property
    def without_special_diet(self) -> int:
        """Confirmed people who asked for no diet and wrote no note (the plain breakfast)."""
        return max(self.confirmed - self.with_special_diet, 0)

    def diet_rows(self) -> list[tuple[str, str, int]]:
        """(code, label, count) for each diet asked for, in the order of the form."""
        return [(code, str(Diet(code).label), self.diets[code]) for code in Diet.values if code in self.diets]

    def same_as(self, other) -> bool:
        return (self.headcount, self.diets, sorted(self.notes)) == (
            other.headcount,
            other.diets,
            sorted(other.notes),
        )


@dataclass(frozen=True)
class Books:
    """How many books to order: everyone with a seat plus the organiser's margin."""

    confirmed: int
    held: int
    margin: int
    handed_out: int | None = None  # counted at the door (a later issue)

    @property
    def to_order(self) -> int:
        return self.confirmed + self.held + self.margin


def plan_for(event: Event) -> CateringPlan:
    """The event's catering settings, or unsaved defaults (no venue contact, no margin)."""
    plan = CateringPlan.objects.filter(event=event).first()
    return plan or CateringPlan(event=event)


def update_catering_plan(
    *,
    event: Event,
    venue_contact_name: str,
    venue_email: str,
    language: str,
    book_margin: int,
    actor=None,
) -> CateringPlan:
    """Save who at the venue gets the catering figures, in which language, and the book margin.

    Raises InvalidCateringPlan with the reasons per field (a later API gets the same answers).
    """
    errors: dict[str, list[str]] = {}
    if not 0 <= book_margin <= MAX_BOOK_MARGIN:
        errors["book_margin"] = [
            _("Give a number of extra books from 0 to %(max)d.") % {"max": MAX_BOOK_MARGIN}
        ]
    if language not in VenueLanguage.values:
        errors["language"] = [_("Choose Swedish or English.")]
    venue_email = (venue_email or "").strip().lower()
    if venue_email:
        try:
            validate_email(venue_email)
        except ValidationError:
            errors["venue_email"] = [_("Give an e-mail address, for example namn@example.se.")]
    if len(venue_contact_name) > CateringPlan._meta.get_field("venue_contact_name").max_length:
        errors["venue_contact_name"] = [_("The name is too long.")]
    if errors:
        raise InvalidCateringPlan(errors)
    with transaction.atomic():
        plan, _created = CateringPlan.objects.update_or_create(
            event=event,
            defaults={
                "venue_contact_name": venue_contact_name.strip(),
                "venue_email": venue_email,
                "language": language,
                "book_margin": book_margin,
            },
        )
        # No values: the contact's address is not what the audit log is for.
        audit(
            "catering.plan_changed",
            event_id=event.pk,
            actor=actor,
            has_venue_contact=bool(plan.venue_email),
            book_margin=book_margin,
        )
    return plan


def catering_figures(event: Event) -> Figures:
    """The figures: headcount, counts per diet and the diet notes of everyone with a seat.

    After retention has erased the event's diets (frukost.privacy.retention) the counts per diet
    come from the stored tally (`EventTally`, plus anything stored since); the notes are gone.
    """
    figures = stored_catering_figures(event)
    tally = EventTally.objects.filter(event_id=event.pk).first()
    if tally is None or not (tally.diets or tally.with_special_diet):
        return figures
    counts = {code: figures.diets.get(code, 0) + tally.diet_count(code) for code in Diet.values}
    return Figures(
        headcount=figures.headcount,
        unconfirmed=figures.unconfirmed,
        diets={code: count for code, count in counts.items() if count},
        notes=figures.notes,
        with_special_diet=min(figures.with_special_diet + tally.with_special_diet, figures.confirmed),
    )


def stored_catering_figures(event: Event) -> Figures:
    """The figures from the answers still stored on the registrations (retention tallies these
    before erasing them)."""
    rows = Registration.objects.filter(event=event, status=Status.REGISTERED).values_list(
        "confirmed_at", "diets", "diet_other", "first_name", "last_name", "email"
    )
    headcount = unconfirmed = with_special = 0
    counts: dict[str, int] = {}
    notes: list[str] = []
    for confirmed_at, diets, diet_other, first_name, last_name, email in rows:
        headcount += 1
        if confirmed_at is None:
            unconfirmed += 1
            continue
        known = [code for code in dict.fromkeys(diets or []) if code in Diet.values]
        for code in known:
            counts[code] = counts.get(code, 0) + 1
        note = _without_names(diet_other, (first_name, last_name, email))
        if note:
            notes.append(note)
        if known or note:
            with_special += 1
    return Figures(
        headcount=headcount,
        unconfirmed=unconfirmed,
        diets={code: counts[code] for code in Diet.values if code in counts},
        # Sorted: the order people registered in must not tie a note to a person.
        notes=sorted(notes, key=lambda note: (note.casefold(), note)),
        with_special_diet=with_special,
    )


def _without_names(note: str, identity: tuple[str, ...]) -> str:
    """The note with the writer's own name and address taken out ("Anna: no nuts" -> "…: no nuts")."""
    note = " ".join((note or "").split())
    for part in identity:
        part = (part or "").strip()
        if len(part) >= 2:
            note = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", "…", note, flags=re.IGNORECASE)
    return note.strip()


def books_to_order(event: Event) -> Books:
    """Books to order: confirmed + held seats + the organiser's margin."""
    figures = catering_figures(event)
    return Books(confirmed=figures.confirmed, held=figures.unconfirmed, margin=plan_for(event).book_margin)


def figures_of(snapshot: CateringList) -> Figures:
    """A frozen list's figures, for composing its e-mail."""
    return Figures(
        headcount=snapshot.headcount,
        unconfirmed=snapshot.unconfirmed,
        diets=dict(snapshot.diets),
        notes=list(snapshot.notes),
    )


def last_sent_list(event: Event) -> CateringList | None:
    return CateringList.objects.filter(event=event, sent_at__isnull=False).order_by("-sent_at", "-id").first()


def freeze_catering_list(*, event: Event, reason: ListReason | str, actor=None) -> CateringList:
    """Store the figures as they are now (without sending them anywhere)."""
    figures = catering_figures(event)
    with transaction.atomic():
        snapshot = CateringList.objects.create(
            event=event,
            reason=reason,
            actor=actor,
            headcount=figures.headcount,
            unconfirmed=figures.unconfirmed,
            diets=figures.diets,
            notes=figures.notes,
        )
        audit("catering.frozen", event_id=event.pk, actor=actor, list_id=snapshot.pk, reason=str(reason))
    return snapshot


def differences(previous, current) -> list[tuple[str, int]]:
    """(diet code, change) for every diet whose count changed, in the form's order."""
    changes = []
    for code in Diet.values:
        delta = current.diets.get(code, 0) - previous.diets.get(code, 0)
        if delta:
            changes.append((code, delta))
    return changes


def signed(number: int) -> str:
    """+2, −1 (with a real minus sign), 0."""
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"{MINUS}{-number}"
    return "0"


def describe_differences(previous, current) -> str:
    """'+2 vegetarian, −1 gluten' in the active language; '' when no diet count changed."""
    return ", ".join(
        f"{signed(delta)} {str(Diet(code).label).lower()}" for code, delta in differences(previous, current)
    )


def compose_catering_mail(*, event: Event, plan: CateringPlan, figures, previous=None) -> Rendered:
    """The venue's e-mail: counts and notes, the changes since `previous`, and never a name."""
    language = plan.language or VenueLanguage.SWEDISH
    with translation.override(language):
        changes = describe_differences(previous, figures) if previous is not None else ""
        date = formats.long_date(event.starts_at, language)
        context = {
            "event": event,
            "organisation": event.organisation,
            "plan": plan,
            "figures": figures,
            "diet_rows": figures.diet_rows(),
            "previous": previous,
            "previous_sent": formats.short_date(previous.sent_at, language) if previous else "",
            "headcount_change": signed(figures.headcount - previous.headcount) if previous else "",
            "changes": changes,
            "date": date,
            "times": formats.time_range(event.starts_at, event.ends_at, language),
            "doors": formats.clock(event.doors_at, language) if event.doors_at else "",
            "language": language,
        }
        if previous is None:
            subject = _("Catering figures: %(title)s, %(date)s") % {"title": event.title, "date": date}
        else:
            subject = _("Updated catering figures: %(title)s, %(date)s") % {
                "title": event.title,
                "date": date,
            }
        context["subject"] = subject
        return Rendered(
            subject=subject,
            body_text=render_to_string("catering/mail.txt", context),
            body_html=render_to_string("catering/mail.html", context),
        )


def preview_catering_mail(event: Event) -> Rendered:
    """The e-mail the venue would get if the list were sent now (for the confirmation page)."""
    return compose_catering_mail(
        event=event, plan=plan_for(event), figures=catering_figures(event), previous=last_sent_list(event)
    )


def send_catering_list(
    *, event: Event, actor=None, reason: ListReason | str = ListReason.MANUAL
) -> CateringList:
    """Freeze the figures and e-mail them to the venue's contact.

    A list after the first says what changed since the last one sent. Raises NoVenueContact
    when the event has no venue contact e-mail.
    """
    plan = plan_for(event)
    if not plan.venue_email:
        raise NoVenueContact
    with transaction.atomic():
        event = lock_event(event.pk)
        previous = last_sent_list(event)
        snapshot = freeze_catering_list(event=event, reason=reason, actor=actor)
        message = compose_catering_mail(
            event=event, plan=plan, figures=figures_of(snapshot), previous=previous
        )
        enqueue(
            kind=MailKind.CATERING,
            to=plan.venue_email,
            subject=message.subject,
            body_text=message.body_text,
            body_html=message.body_html,
            reply_to=event.contact_email,
        )
        snapshot.sent_to = plan.venue_email
        snapshot.sent_at = timezone.now()
        snapshot.save(update_fields=["sent_to", "sent_at"])
        audit("catering.sent", event_id=event.pk, actor=actor, list_id=snapshot.pk, reason=str(reason))
    return snapshot


def freeze_closed_catering_lists(*, now: dt.datetime | None = None) -> int:
    """The worker's step: freeze (and send) the list of every event whose registration has closed.

    Also sends the changes since the last list, at most once every CHANGES_AT_MOST_EVERY and
    only while the event has not started, when the figures differ. Returns how many lists were
    frozen or sent.
    """
    now = now or timezone.now()
    done = 0
    today = timezone.localdate(now)
    closing = (
        Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gt=now)
        .filter(
            Q(registration_deadline__lte=today)
            | Q(registration_deadline__isnull=True, starts_at__lte=now)
            | Q(registration_closed_at__lte=now)  # closed early by the organiser
        )
        .exclude(catering_lists__reason=ListReason.CLOSED)
        .select_related("organisation")
    )
    for event in closing:
        if event.registration_closes_at > now:
            continue  # closes later today
        done += _freeze_at_closing(event)

    sent_before = Event.objects.filter(
        status=EventStatus.PUBLISHED, starts_at__gt=now, catering_lists__sent_at__isnull=False
    ).distinct()
    for event in sent_before.select_related("organisation"):
        if event.registration_closes_at > now:
            continue  # before closing, the organiser decides when to send
        last = last_sent_list(event)
        if last is None or now - last.sent_at < CHANGES_AT_MOST_EVERY:
            continue
        if catering_figures(event).same_as(last):
            continue
        try:
            send_catering_list(event=event, reason=ListReason.CHANGED)
        except NoVenueContact:
            continue  # the contact was removed after the first list
        done += 1
    return done


def _freeze_at_closing(event: Event) -> int:
    with transaction.atomic():
        event = lock_event(event.pk)
        # Two workers may both get here: the lock makes the second see the first one's list.
        if CateringList.objects.filter(event=event, reason=ListReason.CLOSED).exists():
            return 0
        if plan_for(event).venue_email:
            send_catering_list(event=event, reason=ListReason.CLOSED)
        else:
            freeze_catering_list(event=event, reason=ListReason.CLOSED)
    return 1


def history(event: Event) -> list[CateringList]:
    """The lists frozen for the event, newest first."""
    return list(
        CateringList.objects.filter(event=event).select_related("actor").order_by("-created_at", "-id")
    )
