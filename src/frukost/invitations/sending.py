"""Sending an invitation list's mail: write → preview in both languages → send, once.

The organiser's text is checked by messaging's rules (one-line subject, lengths, no control
characters, both English fields or neither). Sending is one transaction: it claims the list (a
conditional UPDATE on `sent_at IS NULL`, so a second click, a second organiser or a repeated
request sends nothing), marks each invitee it mails (`invited_at`), and writes one bulk outbox row
each (`batch_id` = the list's id, the unsubscribe headers on). Left out: addresses on the
organisation's do-not-mail list, anyone who unsubscribed or declined, and anyone already
registered at the event (through the public page, say). The worker sends them after every
person's own mail, at the bulk rate; each is composed (and checked once more against the
do-not-mail list) just before it goes: invitations.composer.

Progress is counted from the outbox by (kind, batch id): "1 240 of 3 000 sent".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from frukost.contacts.models import Suppression
from frukost.core.models import audit
from frukost.invitations.composer import MailText, compose, preview_links, sample_invitee
from frukost.invitations.models import InvitationList, Invitee
from frukost.invitations.responses import list_events, open_events
from frukost.mail.enums import MailKind, MessageStatus, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue_batch
from frukost.mail.renderers import Rendered
from frukost.messaging.services import AnnouncementText, clean_text
from frukost.registrations.enums import ACTIVE_STATUSES, Language
from frukost.registrations.models import Registration


class AlreadySent(Exception):
    """The list's invitation has been sent (by this person a moment ago, or by someone else)."""


class NothingOpen(Exception):
    """Registration is closed for every event of the list: there is nothing to invite to."""


class NoRecipients(Exception):
    """Everyone on the list is left out (do-not-mail list, registered, declined)."""


@dataclass(frozen=True)
class MailPreview:
    recipient_count: int
    swedish: Rendered
    english: Rendered


@dataclass(frozen=True)
class Progress:
    """The outbox's messages of one kind for one list, by status."""

    total: int = 0
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def done(self) -> bool:
        return self.total > 0 and self.queued == 0 and self.sending == 0

    @property
    def percent(self) -> int:
        return round(100 * (self.sent + self.failed + self.skipped) / self.total) if self.total else 0


def clean_mail_text(text: MailText) -> MailText:
    """The text made safe to send, or messaging's InvalidAnnouncement with a message per field."""
    cleaned = clean_text(
        AnnouncementText(
            subject=text.subject, body=text.body, subject_en=text.subject_en, body_en=text.body_en
        )
    )
    return MailText(cleaned.subject, cleaned.body, cleaned.subject_en, cleaned.body_en)


def default_text(invitation_list: InvitationList) -> MailText:
    """The prefilled invitation: warm plain Swedish and English, for the organiser to change."""
    if invitation_list.subject:
        return MailText(
            invitation_list.subject, invitation_list.body, invitation_list.subject_en, invitation_list.body_en
        )
    title = invitation_list.event.title if invitation_list.event_id else invitation_list.series.name
    return MailText(
        subject=f"Inbjudan: {title}",
        body=(
            "Välkommen till en frukost där vi ses, lyssnar och pratar om det som är aktuellt i ditt "
            "arbete. Vi bjuder på frukost.\n\n"
            "Anmäl dig med knappen nedan: vi har redan fyllt i det vi vet om dig, så det går fort. "
            "Kan du inte komma får du gärna säga det, så vet vi."
        ),
        subject_en=f"Invitation: {title}",
        body_en=(
            "Welcome to a breakfast where we meet, listen and talk about what matters in your work. "
            "Breakfast is on us.\n\n"
            "Register with the button below: we have filled in what we know about you, so it is quick. "
            "If you cannot come, do tell us."
        ),
    )


def mailable(invitation_list: InvitationList, **still) -> QuerySet[Invitee]:
    """The list's invitees who may be mailed an invitation or a reminder now: an address, no answer
    (not registered through the link, not declined, not unsubscribed), not on the organisation's
    do-not-mail list, and not registered at the list's event(s) with the address on the public
    page either. `still` narrows it further (e.g. `invited_at__isnull=True`). One query whatever
    the size."""
    suppressed = Suppression.objects.filter(
        organisation_id=invitation_list.organisation_id, email=OuterRef("email")
    )
    registered = Registration.objects.filter(
        Q(email=OuterRef("email")) | Q(pk=OuterRef("registration_id")),
        event__in=list_events(invitation_list),
        status__in=ACTIVE_STATUSES,
    )
    return (
        Invitee.objects.filter(
            invitation_list=invitation_list,
            unsubscribed_at__isnull=True,
            declined_at__isnull=True,
            registered_at__isnull=True,
            **still,
        )
        .exclude(email="")
        .exclude(Exists(suppressed))
        .exclude(Exists(registered))
    )


def recipients(invitation_list: InvitationList) -> QuerySet[Invitee]:
    """Who a send reaches now: those not invited yet who may be mailed (`mailable`)."""
    return mailable(invitation_list, invited_at__isnull=True).order_by("id")


def preview_mail(
    invitation_list: InvitationList, *, text: MailText, reminder: bool = False
) -> tuple[list, dict[str, Rendered]]:
    """(open events, {language: mail}) as a Swedish and an English invitee would read it."""
    events = open_events(invitation_list)
    samples = {}
    for language in (Language.SWEDISH, Language.ENGLISH):
        with translation.override(language):
            samples[language] = compose(
                invitation_list,
                sample_invitee(invitation_list, language),
                text=text,
                events=events,
                link_urls=preview_links(),
                reminder=reminder,
            )
    return events, samples


def preview_invitation(*, invitation_list: InvitationList, text: MailText) -> MailPreview:
    """The invitation as a Swedish and an English invitee would read it, and how many get it.
    Saves nothing, mints no link. Raises InvalidAnnouncement, AlreadySent, NothingOpen."""
    if invitation_list.sent_at is not None:
        raise AlreadySent
    text = clean_mail_text(text)
    events, samples = preview_mail(invitation_list, text=text)
    if not events:
        raise NothingOpen
    return MailPreview(
        recipient_count=recipients(invitation_list).count(),
        swedish=samples[Language.SWEDISH],
        english=samples[Language.ENGLISH],
    )


def send_invitations(
    *, invitation_list: InvitationList, text: MailText, actor=None, send_key: str | None = None
) -> int:
    """Send the invitation to everyone on the list it may reach, one bulk mail each; returns how
    many were queued. Exactly once per list: raises AlreadySent when the list was sent (unless it
    was this same confirmation, `send_key`, which returns the count already queued).
    Raises InvalidAnnouncement, NothingOpen, NoRecipients (and queues nothing)."""
    text = clean_mail_text(text)
    if not open_events(invitation_list):
        raise NothingOpen
    with transaction.atomic():
        now = timezone.now()
        # The claim: one UPDATE of the list's row where it is still unsent. A second request (a
        # double click, another organiser, a second worker) waits for this row lock and then
        # finds sent_at set (PostgreSQL re-checks the condition; SQLite runs one writer at a time).
        claimed = InvitationList.objects.filter(pk=invitation_list.pk, sent_at__isnull=True).update(
            sent_at=now,
            sent_by=actor,
            send_key=send_key or None,
            subject=text.subject,
            body=text.body,
            subject_en=text.subject_en,
            body_en=text.body_en,
        )
        if not claimed:
            if send_key and InvitationList.objects.filter(pk=invitation_list.pk, send_key=send_key).exists():
                return progress(invitation_list).total
            raise AlreadySent
        people = list(recipients(invitation_list).values_list("pk", "email"))
        if not people:
            raise NoRecipients  # rolls the claim back: the organiser can send once someone is left
        ids = [pk for pk, _email in people]
        for start in range(0, len(ids), 500):
            Invitee.objects.filter(pk__in=ids[start : start + 500], invited_at__isnull=True).update(
                invited_at=now
            )
        first = list_events(invitation_list).order_by("starts_at").first()
        count = enqueue_batch(
            kind=MailKind.INVITATION,
            recipients=[(email, None, pk) for pk, email in people],
            batch_id=invitation_list.pk,
            reply_to=first.contact_email if first else "",
            priority=Priority.BULK,
            list_unsubscribe=True,
        )
        audit(
            "invitation.sent",
            event_id=invitation_list.event_id,
            actor=actor,
            organisation_id=invitation_list.organisation_id,
            list_id=invitation_list.pk,
            recipients=count,
        )
    invitation_list.sent_at, invitation_list.sent_by = now, actor
    invitation_list.subject, invitation_list.body = text.subject, text.body
    invitation_list.subject_en, invitation_list.body_en = text.subject_en, text.body_en
    return count


def progress(invitation_list: InvitationList, kind: str = MailKind.INVITATION) -> Progress:
    """How far the list's mail of `kind` has gone, from the outbox (one query)."""
    counts = dict(
        OutboxMessage.objects.filter(kind=kind, batch_id=invitation_list.pk)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return Progress(
        total=sum(counts.values()),
        queued=counts.get(MessageStatus.QUEUED, 0),
        sending=counts.get(MessageStatus.SENDING, 0),
        sent=counts.get(MessageStatus.SENT, 0),
        failed=counts.get(MessageStatus.FAILED, 0),
        skipped=counts.get(MessageStatus.SKIPPED, 0),
    )


def progress_text(value: Progress) -> str:
    """ "1 240 av 3 000 skickade" in the active language (its thousands separator)."""
    return _("%(sent)s of %(total)s sent") % {
        "sent": number_format(value.sent, force_grouping=True),
        "total": number_format(value.total, force_grouping=True),
    }
