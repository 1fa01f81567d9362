"""The reminder to invitees who have not answered: N days before the registration deadline, once.

Scheduled in Stockholm time: `reminder_days_before_deadline` days before the deadline's day (for a
series, the nearest deadline among its events still open), at FRUKOST_REMINDER_HOUR, whatever the
UTC offset that day (daylight saving included; never 03:00 because a date was taken in UTC). 0
turns it off. The worker runs `send_invitation_reminders` every round (core.periodic, registered
in InvitationsConfig.ready).

Who gets it: those invited before the send time who have not answered, i.e. not registered (through
the link, or on the public page with the invited address), not declined, not unsubscribed, not on
the do-not-mail list. Each is claimed in the transaction that queues their mail: their rows are
locked (SELECT … FOR UPDATE on PostgreSQL, which re-checks the conditions after waiting for
another worker; SQLite's IMMEDIATE transactions run one at a time) and `reminded_at` is set with a
conditional UPDATE, so two workers remind each person once. Someone who answers after the claim
is still never reminded: the renderer asks again just before sending (composer.render_invitation).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from frukost.core.models import audit
from frukost.events.models import STOCKHOLM
from frukost.invitations.composer import MailText, default_reminder_text
from frukost.invitations.models import InvitationList, Invitee
from frukost.invitations.responses import list_events, open_events
from frukost.invitations.sending import MailPreview, clean_mail_text, mailable, preview_mail
from frukost.mail.enums import MailKind, Priority
from frukost.mail.outbox import enqueue_batch
from frukost.registrations.enums import Language

logger = logging.getLogger("frukost.worker")

MAX_DAYS_BEFORE_DEADLINE = 30
_CHUNK = 200


class InvalidReminder(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


class RemindersSent(Exception):
    """The reminder has gone out already: its day and text can no longer change."""


def deadline_day(invitation_list: InvitationList, *, now: dt.datetime | None = None) -> dt.date | None:
    """The registration deadline the reminder is counted from (Stockholm date), or None when no
    event of the list is open any more. An event without a deadline closes when it starts."""
    events = open_events(invitation_list, now=now)
    if not events:
        return None
    first = min(events, key=lambda event: event.registration_closes_at)
    if first.registration_deadline is not None:
        return first.registration_deadline
    return timezone.localdate(first.starts_at, STOCKHOLM)


def reminder_send_at(
    invitation_list: InvitationList, *, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When the list's reminder goes (None: off, or nothing open to register for)."""
    days = invitation_list.reminder_days_before_deadline
    if not days:
        return None
    day = deadline_day(invitation_list, now=now)
    if day is None:
        return None
    hour = min(max(settings.FRUKOST_REMINDER_HOUR, 0), 23)
    # A wall-clock time in Stockholm: zoneinfo gives the offset of that date (+01 or +02).
    return dt.datetime.combine(day - dt.timedelta(days=days), dt.time(hour), tzinfo=STOCKHOLM)


def not_answered(invitation_list: InvitationList) -> QuerySet[Invitee]:
    """Invited and no answer of any kind (one query whatever the size)."""
    return mailable(invitation_list, invited_at__isnull=False)


def due_reminders(invitation_list: InvitationList, *, send_at: dt.datetime) -> QuerySet[Invitee]:
    return (
        not_answered(invitation_list).filter(invited_at__lte=send_at, reminded_at__isnull=True).order_by("id")
    )


def _before_claim(invitation_list: InvitationList, ids: list[int]) -> None:
    """A seam for the race tests: someone answering between the query and the claim."""


def remind_list(invitation_list: InvitationList, *, now: dt.datetime) -> int:
    """Queue the reminder for everyone on the list still due; returns how many this call queued."""
    send_at = reminder_send_at(invitation_list, now=now)
    if (
        send_at is None
        or now < send_at
        or invitation_list.sent_at is None
        or invitation_list.sent_at > send_at
    ):
        return 0
    first = list_events(invitation_list).order_by("starts_at").first()
    queued = 0
    ids = list(due_reminders(invitation_list, send_at=send_at).values_list("pk", flat=True))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        _before_claim(invitation_list, chunk)
        with transaction.atomic():
            # Lock the chunk's rows and ask again under the lock: another worker's claim, or an
            # answer given since the query above, leaves a person out.
            people = list(
                due_reminders(invitation_list, send_at=send_at)
                .filter(pk__in=chunk)
                .select_for_update(of=("self",))
                .values_list("pk", "email")
            )
            if not people:
                continue
            claimed = Invitee.objects.filter(
                pk__in=[pk for pk, _email in people], reminded_at__isnull=True
            ).update(reminded_at=now)
            if claimed != len(people):  # cannot happen under the lock; never mail without the claim
                raise RuntimeError("reminder claim lost under lock")
            queued += enqueue_batch(
                kind=MailKind.INVITATION_REMINDER,
                recipients=[(email, None, pk) for pk, email in people],
                batch_id=invitation_list.pk,
                reply_to=first.contact_email if first else "",
                priority=Priority.BULK,
                list_unsubscribe=True,
            )
    InvitationList.objects.filter(pk=invitation_list.pk, reminders_sent_at__isnull=True).update(
        reminders_sent_at=now
    )
    if queued:
        logger.info("invitation list %s: %d reminder(s) queued", invitation_list.pk, queued)
    return queued


def send_invitation_reminders(now: dt.datetime | None = None) -> int:
    """The worker's frequent job: every list whose reminder time has come. Returns how many
    reminders this call queued."""
    now = now or timezone.now()
    lists = (
        InvitationList.objects.filter(
            sent_at__isnull=False, reminders_sent_at__isnull=True, reminder_days_before_deadline__gt=0
        )
        .filter(Q(event__starts_at__gt=now) | Q(series__events__starts_at__gt=now))
        .distinct()
        .select_related("organisation", "event", "series")
    )
    queued = 0
    for invitation_list in lists:
        queued += remind_list(invitation_list, now=now)
    return queued


def reminder_text(invitation_list: InvitationList) -> MailText:
    if invitation_list.reminder_subject and invitation_list.reminder_body:
        return MailText(
            invitation_list.reminder_subject,
            invitation_list.reminder_body,
            invitation_list.reminder_subject_en,
            invitation_list.reminder_body_en,
        )
    return default_reminder_text(invitation_list)


def clean_days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= MAX_DAYS_BEFORE_DEADLINE:
        raise InvalidReminder(
            {
                "days": _("Give a number of days from 0 to %(limit)d (0 sends no reminder).")
                % {"limit": MAX_DAYS_BEFORE_DEADLINE}
            }
        )
    return days


def preview_reminder(*, invitation_list: InvitationList, text: MailText) -> MailPreview:
    """The reminder as a Swedish and an English invitee would read it, and how many would get it
    if it went now. Raises InvalidAnnouncement."""
    text = clean_mail_text(text)
    _events, samples = preview_mail(invitation_list, text=text, reminder=True)
    count = not_answered(invitation_list).filter(reminded_at__isnull=True).count()
    return MailPreview(
        recipient_count=count, swedish=samples[Language.SWEDISH], english=samples[Language.ENGLISH]
    )


def update_reminder(*, invitation_list: InvitationList, days, text: MailText, actor=None) -> InvitationList:
    """Set when the reminder goes (days before the deadline, 0 = off) and its text.
    Raises InvalidReminder, InvalidAnnouncement, RemindersSent."""
    days = clean_days(days)
    text = clean_mail_text(text)
    with transaction.atomic():
        changed = InvitationList.objects.filter(pk=invitation_list.pk, reminders_sent_at__isnull=True).update(
            reminder_days_before_deadline=days,
            reminder_subject=text.subject,
            reminder_body=text.body,
            reminder_subject_en=text.subject_en,
            reminder_body_en=text.body_en,
        )
        if not changed:
            raise RemindersSent
        audit(
            "invitation.reminder_changed",
            event_id=invitation_list.event_id,
            actor=actor,
            organisation_id=invitation_list.organisation_id,
            list_id=invitation_list.pk,
            days=days,
        )
    invitation_list.refresh_from_db()
    return invitation_list
