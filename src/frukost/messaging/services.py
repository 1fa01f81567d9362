"""Messages from organisers to an event's attendees: preview, then send through the outbox.

The organiser's text is plain text and is checked here, whoever calls (the back office, later
the API): the subject is one line (no header injection), both texts have length limits, and
control characters never reach an e-mail.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frukost.core.models import audit
from frukost.core.text import plain_text
from frukost.events.models import Event
from frukost.mail.enums import MailKind, Priority
from frukost.mail.outbox import enqueue_batch
from frukost.mail.renderers import Rendered
from frukost.messaging.composer import compose
from frukost.messaging.enums import Audience
from frukost.messaging.exceptions import InvalidAnnouncement, NoRecipients
from frukost.messaging.models import Announcement
from frukost.registrations.enums import Language, Status
from frukost.registrations.models import Registration
from frukost.registrations.services.seats import lock_event

SUBJECT_MAX_LENGTH = 150
BODY_MAX_LENGTH = 5000
# Characters that end a line in some mail software: never in a subject.
_LINE_BREAKING = {"Cc", "Zl", "Zp"}


@dataclass(frozen=True)
class AnnouncementText:
    """What the organiser wrote. The English pair is optional (both or neither)."""

    subject: str
    body: str
    subject_en: str = ""
    body_en: str = ""


@dataclass(frozen=True)
class AnnouncementPreview:
    recipient_count: int
    swedish: Rendered
    english: Rendered


def recipients(*, event: Event, audience: Audience | str) -> QuerySet[Registration]:
    """The registrations an announcement to `audience` reaches right now (never cancelled ones).

    Seated: everyone with a seat, colleagues whose seat is held included. Unconfirmed
    colleagues: those of them who have not confirmed yet. Never a colleague whose invitation is
    still waiting for the registrant to confirm (they have not been told of their seat).
    """
    # Not a walk-in who gave no address at the door: there is nobody to send to.
    registrations = Registration.objects.filter(event=event, invitation_held=False).exclude(email="")
    match Audience(audience):
        case Audience.ALL:
            registrations = registrations.filter(status__in=[Status.REGISTERED, Status.WAITLISTED])
        case Audience.SEATED:
            registrations = registrations.filter(status=Status.REGISTERED)
        case Audience.WAITING_LIST:
            registrations = registrations.filter(status=Status.WAITLISTED)
        case Audience.UNCONFIRMED_COLLEAGUES:
            registrations = registrations.filter(
                status__in=[Status.REGISTERED, Status.WAITLISTED],
                invited_by__isnull=False,
                confirmed_at__isnull=True,
            )
    return registrations.order_by("id")


def audience_counts(*, event: Event) -> dict[str, int]:
    """How many each audience reaches right now (one count per audience, whatever the size)."""
    return {audience.value: recipients(event=event, audience=audience).count() for audience in Audience}


def clean_text(text: AnnouncementText) -> AnnouncementText:
    """The text made safe to send, or InvalidAnnouncement with a message per field."""
    errors: dict[str, str] = {}
    subject = _clean_subject(text.subject, "subject", errors)
    subject_en = _clean_subject(text.subject_en, "subject_en", errors)
    body = _clean_body(text.body, "body", errors)
    body_en = _clean_body(text.body_en, "body_en", errors)
    if not subject and "subject" not in errors:
        errors["subject"] = _("Write a subject.")
    if not body and "body" not in errors:
        errors["body"] = _("Write the message.")
    if bool(subject_en) != bool(body_en) and not errors.keys() & {"subject_en", "body_en"}:
        field = "body_en" if subject_en else "subject_en"
        errors[field] = _("Write both the English subject and the English message, or leave both empty.")
    if errors:
        raise InvalidAnnouncement(errors)
    return replace(text, subject=subject, body=body, subject_en=subject_en, body_en=body_en)


def _clean_subject(value: str, field: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if any(unicodedata.category(character) in _LINE_BREAKING for character in value):
        errors[field] = _("The subject must be a single line: remove the line break (or tab).")
    elif len(value) > SUBJECT_MAX_LENGTH:
        errors[field] = _("The subject can be at most %(limit)d characters; it has %(length)d.") % {
            "limit": SUBJECT_MAX_LENGTH,
            "length": len(value),
        }
    return value


def _clean_body(value: str, field: str, errors: dict[str, str]) -> str:
    value = plain_text(value)
    if len(value) > BODY_MAX_LENGTH:
        errors[field] = _("The message can be at most %(limit)d characters; it has %(length)d.") % {
            "limit": BODY_MAX_LENGTH,
            "length": len(value),
        }
    return value


def preview_announcement(
    *, event: Event, text: AnnouncementText, audience: Audience | str
) -> AnnouncementPreview:
    """The message as a Swedish and an English recipient would read it, and how many get it.

    Saves nothing and mints no personal link. Raises InvalidAnnouncement.
    """
    text = clean_text(text)
    announcement = _unsaved(event, text, audience)
    samples = {}
    for language in (Language.SWEDISH, Language.ENGLISH):
        with translation.override(language):
            sample = _sample_recipient(event, Audience(audience), language)
            samples[language] = compose(announcement, sample, link=_("(the recipient’s personal link)"))
    return AnnouncementPreview(
        recipient_count=recipients(event=event, audience=audience).count(),
        swedish=samples[Language.SWEDISH],
        english=samples[Language.ENGLISH],
    )


def send_announcement(
    *,
    event: Event,
    text: AnnouncementText,
    audience: Audience | str,
    actor=None,
    send_key: str | None = None,
) -> Announcement:
    """Send the announcement to everyone in the audience at this moment, one e-mail each.

    The messages are bulk mail: the worker sends them in batches after any registration's own
    mail. Each outbox row is linked to its registration, so the history shows who got what.
    With a `send_key` (the confirmation form's one-time key) a repeated call returns the
    announcement already sent instead of sending again. Raises InvalidAnnouncement, NoRecipients.
    """
    text = clean_text(text)
    audience = Audience(audience)
    with transaction.atomic():
        # Lock the event: registrations and cancellations wait, so the audience is exact.
        event = lock_event(event.pk)
        if send_key:
            already = Announcement.objects.filter(event=event, send_key=send_key).first()
            if already is not None:
                return already
        people = list(recipients(event=event, audience=audience).values_list("email", "pk"))
        if not people:
            raise NoRecipients
        now = timezone.now()
        announcement = _unsaved(event, text, audience)
        announcement.created_by = actor
        announcement.created_at = now
        announcement.send_key = send_key or None
        announcement.save()
        count = enqueue_batch(
            kind=MailKind.ANNOUNCEMENT,
            recipients=people,
            batch_id=announcement.pk,
            reply_to=event.contact_email,
            priority=Priority.BULK,
        )
        announcement.recipient_count = count
        announcement.sent_at = now
        announcement.save(update_fields=["recipient_count", "sent_at"])
        audit(
            "announcement.sent",
            event_id=event.pk,
            actor=actor,
            organisation_id=event.organisation_id,
            announcement_id=announcement.pk,
            audience=audience.value,
            recipients=count,
        )
    return announcement


def _unsaved(event: Event, text: AnnouncementText, audience: Audience | str) -> Announcement:
    return Announcement(
        event=event,
        audience=Audience(audience),
        subject=text.subject,
        body=text.body,
        subject_en=text.subject_en,
        body_en=text.body_en,
    )


def _sample_recipient(event: Event, audience: Audience, language: str) -> Registration:
    """An unsaved registration standing in for a recipient in the preview."""
    now = timezone.now()
    sample = Registration(event=event, first_name=_("[first name]"), language=language, confirmed_at=now)
    if audience == Audience.WAITING_LIST:
        sample.status = Status.WAITLISTED
    elif audience == Audience.UNCONFIRMED_COLLEAGUES:
        sample.confirmed_at = None
    return sample
