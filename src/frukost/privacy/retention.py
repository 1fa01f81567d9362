"""Retention: each kind of personal data kept for its purpose and no longer, purpose by purpose.

Every period counts from the event's date (the local date in Stockholm of `ends_at`) and comes
from the organisation's settings (`Organisation.retain_*`, bounded by RETENTION_LIMITS):

- diets, the diet note and other needs, and the free-text notes frozen in catering lists:
  `retain_needs_days` after (default 1: the day after the event);
- the membership answer: `retain_membership_days` after (default 30, the follow-up);
- cancelled and released registrations anonymised: `retain_cancelled_days` after (default 7);
- personal links deleted: FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT after (default 30: the page has nothing left
  to do once the event and its follow-up are over; a person can still ask for their data by
  e-mail address);
- every remaining registration anonymised: `retain_identity_months` after (default 12).

No period runs past the identity date (an organisation that keeps names for one month and
membership for 90 days loses both after one month). Independently of events, the outbox: the
recipient and subject of every message FRUKOST_RETAIN_MAIL_DAYS after it was sent (90). (The
bodies need no period: the mail worker blanks them once a message is sent, fails for good or is
skipped.) And leads (the yes to "may the local representative contact you?", frukost.contacts.Lead)
are deleted FRUKOST_RETAIN_LEADS_MONTHS after the person said yes (12): a consent of its own, counted
from when it was given, not from the event.

Invitation lists (frukost.invitations) hold what a member register gave: the membership value of
each invitee goes `retain_membership_days` after the list's event (a series list: its last event),
and the invitees themselves, with their invitation links, `retain_identity_months` after it, the
same day the event's registrations are anonymised. Their counts (invited, opened, registered, …)
are added to the list's `erased_*` fields first, so the funnel stays right. The do-not-mail list
is not touched: it is the record that keeps an objection honoured (docs/privacy.md).

Before blanking diets or membership the answers are added to the event's `EventTally` in the
same transaction, so statistics and catering figures stay right. A run is idempotent: what is
gone is not counted again, and a second run on the same day changes nothing. The worker runs it
once a day (registered in PrivacyConfig.ready); `frukost retention` runs it by hand.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from frukost.catering.models import CateringList
from frukost.catering.services import stored_catering_figures
from frukost.contacts.models import Lead
from frukost.core.models import audit
from frukost.events.models import STOCKHOLM, Event
from frukost.followup.models import Feedback
from frukost.invitations.models import InvitationList, Invitee
from frukost.mail.enums import MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.privacy import erasure
from frukost.registrations.enums import Membership, Status
from frukost.registrations.models import EventTally, PersonalLink, Registration

# The kinds, in the order a run takes them (needs and membership are tallied before anything
# that blanks them). Labels for the command's output and the back office.
NEEDS = "needs"
CATERING_NOTES = "catering_notes"
MEMBERSHIP = "membership"
CANCELLED = "cancelled"
LINKS = "links"
IDENTITY = "identity"
EVENT_KINDS = (NEEDS, CATERING_NOTES, MEMBERSHIP, CANCELLED, LINKS, IDENTITY)
OLD_MAIL = "old_mail"
MAIL_KINDS = (OLD_MAIL,)
# Feedback after the event (frukost.followup) is not erased by a step of its own: anonymising the
# registration unties it (the texts stay as the event's nameless feedback). Listed in the inventory.
FEEDBACK = "feedback"
LEADS = "leads"
CONSENT_KINDS = (LEADS,)
# Invitation lists' data, counted per organisation.
INVITEE_MEMBERSHIP = "invitee_membership"
INVITEES = "invitees"
INVITATION_KINDS = (INVITEE_MEMBERSHIP, INVITEES)

HAS_NEEDS = ~Q(diets=[]) | ~Q(diet_other="") | ~Q(other_needs="")
GONE_EARLY = (Status.CANCELLED, Status.RELEASED)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (31 January + 1 month = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def event_day(event: Event) -> dt.date:
    return timezone.localdate(event.ends_at, STOCKHOLM)


@dataclass(frozen=True)
class Schedule:
    """The day each kind of an event's personal data goes (erased by the first run on that day)."""

    event_day: dt.date
    needs: dt.date
    membership: dt.date
    cancelled: dt.date
    links: dt.date
    identity: dt.date

    def day_of(self, kind: str) -> dt.date:
        return self.needs if kind == CATERING_NOTES else getattr(self, kind)

    def is_due(self, kind: str, today: dt.date) -> bool:
        return self.day_of(kind) <= today


def schedule_for(event: Event) -> Schedule:
    """When each kind of the event's data goes, from its organisation's settings."""
    organisation = event.organisation
    day = event_day(event)
    identity = add_months(day, organisation.retain_identity_months)

    def after(days: int) -> dt.date:
        return min(day + dt.timedelta(days=days), identity)

    return Schedule(
        event_day=day,
        needs=after(organisation.retain_needs_days),
        membership=after(organisation.retain_membership_days),
        cancelled=after(organisation.retain_cancelled_days),
        links=after(settings.FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT),
        identity=identity,
    )


@dataclass
class EventReport:
    event_id: int
    organisation_id: int
    title: str
    day: dt.date
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Report:
    """What a run erased (or, dry, would erase): counts per kind and event, and for the outbox."""

    today: dt.date
    dry_run: bool
    events: list[EventReport] = field(default_factory=list)
    mail: dict[str, int] = field(default_factory=dict)
    # Leads per organisation id (kept apart: a lead's period counts from the consent, not an event).
    leads: dict[int, int] = field(default_factory=dict)
    # Invitation lists' data per organisation id: {organisation_id: {kind: count}}.
    invitations: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys((*EVENT_KINDS, *MAIL_KINDS, *CONSENT_KINDS, *INVITATION_KINDS), 0)
        for report in self.events:
            for kind, count in report.counts.items():
                totals[kind] += count
        for kind, count in self.mail.items():
            totals[kind] += count
        totals[LEADS] = sum(self.leads.values())
        for counts in self.invitations.values():
            for kind, count in counts.items():
                totals[kind] += count
        return totals


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=STOCKHOLM)


def _candidates(today: dt.date):
    """Events over before today that may still hold something (every period is at least a day)."""
    still_identifying = Registration.objects.filter(event=OuterRef("pk"), anonymised_at__isnull=True)
    return (
        Event.objects.filter(ends_at__lt=_start_of(today))
        .filter(Q(tally__identity_erased_at__isnull=True) | Exists(still_identifying))
        .select_related("organisation")
        .order_by("ends_at", "id")
    )


def run_retention(
    *, today: dt.date | None = None, now: dt.datetime | None = None, dry_run: bool = False
) -> Report:
    """Erase what is due on `today` (Stockholm; default: now's date), or with `dry_run` only count it.

    A real run writes a `retention.ran` audit entry with the totals (counts only), and one in the
    log of each organisation whose data went, with its own counts.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now, STOCKHOLM)
    report = Report(today=today, dry_run=dry_run)
    # The outbox first: what anonymising scrubs as well is then counted once, dry or not.
    report.mail = _mail_step(now=now, dry_run=dry_run)
    report.leads = _leads_step(today=today, dry_run=dry_run)
    # Before the events: an invitee is counted into the list's funnel figures (invitations.funnel
    # matches a registration by its address) before that registration is anonymised.
    report.invitations = _invitations_step(today=today, now=now, dry_run=dry_run)
    for event in _candidates(today):
        counts = _event_step(event, schedule_for(event), today=today, now=now, dry_run=dry_run)
        if any(counts.values()):
            report.events.append(
                EventReport(
                    event_id=event.pk,
                    organisation_id=event.organisation_id,
                    title=event.title,
                    day=event_day(event),
                    counts={kind: count for kind, count in counts.items() if count},
                )
            )
    if not dry_run:
        audit(
            "retention.ran",
            day=today.isoformat(),
            events=len(report.events),
            **{kind: count for kind, count in report.totals.items() if count},
        )
        # And in each organisation's own log (its owners read that one), what went of theirs.
        by_organisation = _by_organisation(report.events)
        for organisation_id in (*report.leads, *report.invitations):
            by_organisation.setdefault(organisation_id, [])
        for organisation_id, events in by_organisation.items():
            totals: dict[str, int] = {}
            for row in events:
                for kind, count in row.counts.items():
                    totals[kind] = totals.get(kind, 0) + count
            if report.leads.get(organisation_id):
                totals[LEADS] = report.leads[organisation_id]
            for kind, count in report.invitations.get(organisation_id, {}).items():
                totals[kind] = totals.get(kind, 0) + count
            audit(
                "retention.ran",
                organisation_id=organisation_id,
                day=today.isoformat(),
                events=len(events),
                **totals,
            )
    return report


def _by_organisation(events: list[EventReport]) -> dict[int, list[EventReport]]:
    grouped: dict[int, list[EventReport]] = {}
    for row in events:
        grouped.setdefault(row.organisation_id, []).append(row)
    return grouped


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _event_step(event: Event, schedule: Schedule, *, today, now, dry_run: bool) -> dict[str, int]:
    registrations = Registration.objects.filter(event=event)
    counts = dict.fromkeys(EVENT_KINDS, 0)
    with transaction.atomic():
        if not dry_run:
            # Locked: an organiser's edit of a past registration must not slip between tally and erase.
            Event.objects.select_for_update().filter(pk=event.pk).first()
        tally = EventTally.objects.filter(event=event).first() or EventTally(event=event)
        # The counts per status as they are now, for reading without the rows (only saved when
        # something else changed or they did).
        changed = not dry_run and _status_counts(tally, registrations)

        def mark(name: str) -> None:
            nonlocal changed
            if getattr(tally, name) is None:
                setattr(tally, name, now)
                changed = True

        if schedule.is_due(NEEDS, today):
            with_needs = _ids(registrations.filter(HAS_NEEDS))
            notes = CateringList.objects.filter(event=event).exclude(notes=[])
            counts[NEEDS] = len(with_needs)
            counts[CATERING_NOTES] = notes.count()
            if not dry_run:
                if with_needs:
                    _tally_needs(tally, event)
                    erasure.erase_needs(with_needs)
                erasure.erase_catering_notes([event.pk])
                mark("needs_erased_at")
        if schedule.is_due(MEMBERSHIP, today):
            answered = _ids(registrations.exclude(membership=""))
            counts[MEMBERSHIP] = len(answered)
            if not dry_run:
                if answered:
                    _tally_membership(tally, registrations)
                    erasure.erase_membership(answered)
                mark("membership_erased_at")
        gone: list[int] = []
        if schedule.is_due(CANCELLED, today):
            gone = _ids(registrations.filter(status__in=GONE_EARLY, anonymised_at__isnull=True))
            counts[CANCELLED] = len(gone)
            if not dry_run:
                erasure.anonymise(gone, now=now)
                # A colleague's invitation names the person who brought them in its subject.
                erasure.scrub_outbox(
                    _sent(OutboxMessage.objects.filter(registration__invited_by_id__in=gone))
                )
                mark("cancelled_erased_at")
        if schedule.is_due(LINKS, today):
            links = PersonalLink.objects.filter(registration__event=event).exclude(registration_id__in=gone)
            counts[LINKS] = links.count()
            if not dry_run:
                if counts[LINKS]:
                    PersonalLink.objects.filter(pk__in=_ids(links)).delete()
                mark("links_erased_at")
        if schedule.is_due(IDENTITY, today):
            # Without those just anonymised as cancelled (still unmarked in a dry run).
            remaining = sorted(set(_ids(registrations.filter(anonymised_at__isnull=True))) - set(gone))
            counts[IDENTITY] = len(remaining)
            if not dry_run:
                erasure.anonymise(remaining, now=now)
                mark("identity_erased_at")
        if changed and not dry_run:
            tally.save()
    return counts


def _sent(messages):
    return messages.exclude(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING])


def _tally_needs(tally: EventTally, event: Event) -> None:
    """Add the diets still stored (as the caterer counts them) to the tally."""
    figures = stored_catering_figures(event)
    diets = dict(tally.diets or {})
    for code, count in figures.diets.items():
        diets[code] = diets.get(code, 0) + count
    tally.diets = diets
    tally.with_special_diet += figures.with_special_diet


def _tally_membership(tally: EventTally, registrations) -> None:
    """Add the membership answers of those with a seat still stored to the tally."""
    rows = (
        registrations.filter(status=Status.REGISTERED)
        .exclude(membership="")
        .values_list("membership")
        .annotate(n=Count("id"))
        .order_by()
    )
    for answer, number in rows:
        if answer == Membership.MEMBER:
            tally.members += number
        elif answer == Membership.NOT_MEMBER:
            tally.not_members += number
        elif answer == Membership.UNDISCLOSED:
            tally.undisclosed += number


def _status_counts(tally: EventTally, registrations) -> bool:
    """Store the counts per status; whether they changed."""
    counts = dict(registrations.values_list("status").annotate(n=Count("id")).order_by())
    new = {
        "headcount": counts.get(Status.REGISTERED, 0),
        "waitlisted": counts.get(Status.WAITLISTED, 0),
        "cancelled": counts.get(Status.CANCELLED, 0),
        "released": counts.get(Status.RELEASED, 0),
    }
    if all(getattr(tally, name) == value for name, value in new.items()) and tally.pk:
        return False
    for name, value in new.items():
        setattr(tally, name, value)
    return True


def _mail_step(*, now: dt.datetime, dry_run: bool) -> dict[str, int]:
    """Every old message's recipient and subject (its bodies went when it was sent, failed or skipped)."""
    # Counted from when it was sent (the notice says so); a message that never was, from when it
    # was written.
    old = _sent(
        OutboxMessage.objects.alias(handed_over=Coalesce("sent_at", "created_at")).filter(
            handed_over__lt=now - dt.timedelta(days=settings.FRUKOST_RETAIN_MAIL_DAYS)
        )
    )
    with transaction.atomic():
        if dry_run:
            return {
                OLD_MAIL: old.exclude(
                    to="", subject="", body_text="", body_html="", ics="", reply_to=""
                ).count(),
            }
        return {OLD_MAIL: erasure.scrub_outbox(old)}


def leads_due_before(today: dt.date) -> dt.datetime:
    """Leads consented before this moment are due on `today`: their day, FRUKOST_RETAIN_LEADS_MONTHS
    after the consent's date in Stockholm, has come (31 January + 1 month = 28 February, so on a
    month's last day everything from the end of the earlier month is due too)."""
    months = settings.FRUKOST_RETAIN_LEADS_MONTHS
    cutoff = add_months(today, -months)
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        cutoff = cutoff.replace(day=calendar.monthrange(cutoff.year, cutoff.month)[1])
    return _start_of(cutoff + dt.timedelta(days=1))


def lead_goes_on(consented_at: dt.datetime) -> dt.date:
    """The day a lead is deleted (the back office and the person's own data say it)."""
    return add_months(timezone.localdate(consented_at, STOCKHOLM), settings.FRUKOST_RETAIN_LEADS_MONTHS)


def _leads_step(*, today: dt.date, dry_run: bool) -> dict[int, int]:
    """Delete the leads whose period has ended; how many per organisation."""
    due = Lead.objects.filter(consented_at__lt=leads_due_before(today))
    counts = dict(due.values_list("organisation_id").annotate(n=Count("id")).order_by())
    if counts and not dry_run:
        with transaction.atomic():
            Lead.objects.filter(pk__in=_ids(due)).delete()
    return counts


def invitation_list_schedule(invitation_list: InvitationList, last_event_end: dt.datetime | None = None):
    """(membership day, invitees day) of an invitation list: counted from its event's date, or for a
    series list from its last event's (`last_event_end`, or the list's import if it has none), by
    the organisation's membership and identity periods (membership never after identity)."""
    organisation = invitation_list.organisation
    if invitation_list.event_id:
        day = event_day(invitation_list.event)
    else:
        day = timezone.localdate(last_event_end or invitation_list.created_at, STOCKHOLM)
    identity = add_months(day, organisation.retain_identity_months)
    membership = min(day + dt.timedelta(days=organisation.retain_membership_days), identity)
    return membership, identity


def _invitations_step(*, today: dt.date, now: dt.datetime, dry_run: bool) -> dict[int, dict[str, int]]:
    """Blank the invitees' membership values and delete the invitees whose day has come, per list;
    how many per organisation. A list whose event (or a series' last event) is still to come is
    never due: the days count from after it."""
    lists = (
        InvitationList.objects.filter(invitees_erased_at__isnull=True)
        .select_related("organisation", "event")
        .annotate(last_event_end=Max("series__events__ends_at"))
        .order_by("id")
    )
    counts: dict[int, dict[str, int]] = {}
    for invitation_list in lists:
        membership_day, identity_day = invitation_list_schedule(
            invitation_list, invitation_list.last_event_end
        )
        if membership_day > today:
            continue
        invitees = Invitee.objects.filter(invitation_list=invitation_list)
        found: dict[str, int] = {}
        with transaction.atomic():
            if invitation_list.membership_erased_at is None:
                with_membership = _ids(invitees.exclude(membership=""))
                found[INVITEE_MEMBERSHIP] = len(with_membership)
                if not dry_run:
                    erasure.erase_invitee_membership(with_membership)
                    invitation_list.membership_erased_at = now
            if identity_day <= today:
                found[INVITEES] = invitees.count()
                if not dry_run:
                    erasure.erase_invitees(_ids(invitees))
                    invitation_list.invitees_erased_at = now
            if not dry_run and found:
                InvitationList.objects.filter(pk=invitation_list.pk).update(
                    membership_erased_at=invitation_list.membership_erased_at,
                    invitees_erased_at=invitation_list.invitees_erased_at,
                )
        mine = counts.setdefault(invitation_list.organisation_id, {})
        for kind, count in found.items():
            if count:
                mine[kind] = mine.get(kind, 0) + count
    return {organisation_id: found for organisation_id, found in counts.items() if found}


def run_daily(now: dt.datetime) -> dict[str, int]:
    """The worker's daily job: a real run for today; returns the totals (counts only)."""
    report = run_retention(now=now)
    return {kind: count for kind, count in report.totals.items() if count}


# --- What is still stored (the back office's "Personal data" page) ---------------------------


@dataclass(frozen=True)
class StoredKind:
    """One kind of an event's personal data: how much is still stored and when it goes."""

    kind: str
    count: int
    goes_on: dt.date
    erased_at: dt.datetime | None = None


@dataclass(frozen=True)
class Inventory:
    schedule: Schedule
    kinds: list[StoredKind]
    tally: EventTally | None
    mail_days: int


def stored_personal_data(event: Event) -> Inventory:
    """Per kind, how many of the event's rows still hold personal data, the day it goes and, once
    gone, when it was erased. Seven queries whatever the number of registrations."""
    schedule = schedule_for(event)
    still = Q(registrations__anonymised_at__isnull=True)
    counts = Event.objects.filter(pk=event.pk).aggregate(
        identity=Count("registrations", filter=still & ~Q(registrations__status__in=GONE_EARLY)),
        cancelled=Count("registrations", filter=still & Q(registrations__status__in=GONE_EARLY)),
        needs=Count(
            "registrations",
            filter=~Q(registrations__diets=[])
            | ~Q(registrations__diet_other="")
            | ~Q(registrations__other_needs=""),
        ),
        membership=Count("registrations", filter=~Q(registrations__membership="")),
    )
    links = PersonalLink.objects.filter(registration__event=event).count()
    mail = OutboxMessage.objects.filter(registration__event=event).exclude(to="").count()
    notes = CateringList.objects.filter(event=event).exclude(notes=[]).count()
    feedback = Feedback.objects.filter(event=event, registration__anonymised_at__isnull=True).count()
    tally = EventTally.objects.filter(event=event).first()

    def erased(name: str) -> dt.datetime | None:
        return getattr(tally, name) if tally else None

    kinds = [
        StoredKind(IDENTITY, counts["identity"], schedule.identity, erased("identity_erased_at")),
        StoredKind(CANCELLED, counts["cancelled"], schedule.cancelled, erased("cancelled_erased_at")),
        StoredKind(NEEDS, counts["needs"], schedule.needs, erased("needs_erased_at")),
        StoredKind(CATERING_NOTES, notes, schedule.needs, erased("needs_erased_at")),
        StoredKind(MEMBERSHIP, counts["membership"], schedule.membership, erased("membership_erased_at")),
        StoredKind(LINKS, links, schedule.links, erased("links_erased_at")),
        # Each message's recipient goes FRUKOST_RETAIN_MAIL_DAYS after it was sent, at the
        # latest with the registration.
        StoredKind(OLD_MAIL, mail, schedule.identity, erased("identity_erased_at")),
        # Feedback still tied to a person (the registration not yet anonymised).
        StoredKind(FEEDBACK, feedback, schedule.identity, erased("identity_erased_at")),
    ]
    return Inventory(schedule=schedule, kinds=kinds, tally=tally, mail_days=settings.FRUKOST_RETAIN_MAIL_DAYS)
