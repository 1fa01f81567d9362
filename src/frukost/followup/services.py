"""The follow-up mails after an event: write → preview → send, each at most once per person.

The thank-you goes to those who came (checkin.attendance.arrived), "sorry we missed you" to the
no-shows (attendance.no_shows: only once attendance is closed). The organiser's text is checked
by messaging's rules (one-line subject, lengths, no control characters); the frame around it is
the usual mail frame in the recipient's language. A second send of a kind goes only to those who
have not had it (a late check-in, a correction); walk-ins without an address are counted, never
mailed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frukost.checkin import attendance
from frukost.core.models import audit
from frukost.core.text import plain_text
from frukost.events.models import Event
from frukost.followup.composer import compose
from frukost.followup.enums import FollowUpKind
from frukost.followup.exceptions import AttendanceOpen, NoRecipients, NotSendableNow
from frukost.followup.models import FollowUp, FollowUpRecipient
from frukost.mail.enums import Priority
from frukost.mail.outbox import enqueue_batch
from frukost.mail.renderers import Rendered
from frukost.messaging.exceptions import InvalidAnnouncement
from frukost.messaging.services import AnnouncementText, clean_text
from frukost.registrations import links
from frukost.registrations.enums import Language
from frukost.registrations.models import Registration
from frukost.registrations.services.seats import lock_event

MATERIAL_MAX_LENGTH = 3000


@dataclass(frozen=True)
class FollowUpText:
    """What the organiser wrote. The English pair is optional (both or neither); material is for
    the no-shows only."""

    subject: str
    body: str
    subject_en: str = ""
    body_en: str = ""
    material: str = ""
    material_en: str = ""


@dataclass(frozen=True)
class Audience:
    """Who a send would reach right now."""

    recipients: list[Registration]
    without_address: int  # walk-ins registered without an e-mail address
    already_sent: int  # had this kind already: passed by


@dataclass(frozen=True)
class FollowUpPreview:
    audience: Audience
    swedish: Rendered
    english: Rendered

    @property
    def recipient_count(self) -> int:
        return len(self.audience.recipients)


def default_text(event: Event, kind: FollowUpKind | str) -> FollowUpText:
    """The prefilled texts: warm plain Swedish and English, for the organiser to change."""
    kind = FollowUpKind(kind)
    title = event.title
    if kind == FollowUpKind.THANKS:
        return FollowUpText(
            subject=f"Tack för att du kom: {title}",
            body=(
                "Tack för att du kom på frukosten! Det var roligt att ses, och vi hoppas att du fick "
                "med dig något att fundera vidare på.\n\n"
                "Vi vill gärna veta vad du tyckte. Det tar bara en minut att svara, och dina svar hjälper "
                "oss att göra nästa frukost ännu bättre."
            ),
            subject_en=f"Thank you for coming: {title}",
            body_en=(
                "Thank you for coming to the breakfast! It was good to see you, and we hope you took "
                "something with you to think about.\n\n"
                "We would love to hear what you thought. It takes a minute, and your answers help us "
                "make the next breakfast even better."
            ),
        )
    return FollowUpText(
        subject=f"Vi saknade dig: {title}",
        body=(
            "Vi såg att du inte hade möjlighet att komma på frukosten. Vi saknade dig, och hoppas att "
            "allt är bra!\n\n"
            "Varmt välkommen nästa gång."
        ),
        subject_en=f"We missed you: {title}",
        body_en=(
            "We noticed you could not make it to the breakfast. We missed you, and hope all is well!\n\n"
            "You are most welcome next time."
        ),
    )


def clean_followup_text(text: FollowUpText, kind: FollowUpKind | str) -> FollowUpText:
    """The text made safe to send, or InvalidAnnouncement with a message per field."""
    errors: dict[str, str] = {}
    try:
        cleaned = clean_text(
            AnnouncementText(
                subject=text.subject, body=text.body, subject_en=text.subject_en, body_en=text.body_en
            )
        )
    except InvalidAnnouncement as exc:
        errors.update(exc.errors)
        cleaned = None
    material = material_en = ""
    if FollowUpKind(kind) == FollowUpKind.SORRY:
        material = _clean_material(text.material, "material", errors)
        material_en = _clean_material(text.material_en, "material_en", errors)
    if errors or cleaned is None:
        raise InvalidAnnouncement(errors)
    return FollowUpText(
        subject=cleaned.subject,
        body=cleaned.body,
        subject_en=cleaned.subject_en,
        body_en=cleaned.body_en,
        material=material,
        material_en=material_en,
    )


def _clean_material(value: str, field: str, errors: dict[str, str]) -> str:
    value = plain_text(value)
    if len(value) > MATERIAL_MAX_LENGTH:
        errors[field] = _("The material can be at most %(limit)d characters; it has %(length)d.") % {
            "limit": MATERIAL_MAX_LENGTH,
            "length": len(value),
        }
    return value


def _candidates(event: Event, kind: FollowUpKind) -> QuerySet[Registration]:
    if kind == FollowUpKind.THANKS:
        return attendance.arrived(event)
    if not attendance.is_closed(event):
        raise AttendanceOpen
    return attendance.no_shows(event)


def audience(*, event: Event, kind: FollowUpKind | str) -> Audience:
    """Who a send of `kind` reaches now: the arrived (or the no-shows) who have not had it and have
    an address. Three queries whatever the size. Raises AttendanceOpen for SORRY before closing."""
    kind = FollowUpKind(kind)
    people = list(_candidates(event, kind).filter(anonymised_at__isnull=True).only("pk", "email", "language"))
    received = set(
        FollowUpRecipient.objects.filter(kind=kind, registration__event=event).values_list(
            "registration_id", flat=True
        )
    )
    fresh = [person for person in people if person.pk not in received]
    return Audience(
        recipients=[person for person in fresh if person.email],
        without_address=sum(1 for person in fresh if not person.email),
        already_sent=len(people) - len(fresh),
    )


def ensure_sendable(event: Event, kind: FollowUpKind | str, *, now=None) -> None:
    """Mails after the event go after it has ended; the thank-you also only while its feedback link
    still opens (personal links expire a set number of days after the event). Raises NotSendableNow."""
    now = now or timezone.now()
    if now < event.ends_at:
        raise NotSendableNow(_("You can send this once the event is over."))
    if FollowUpKind(kind) == FollowUpKind.THANKS and now >= links.expires_at(event) - dt.timedelta(days=1):
        raise NotSendableNow(
            _(
                "It is too late for the thank-you: its feedback links stop working %(days)d days after "
                "the event. Send a message to the attendees instead."
            )
            % {"days": settings.FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT}
        )


def attendance_is_closed(event: Event) -> bool:
    return attendance.is_closed(event)


def preview_followup(*, event: Event, kind: FollowUpKind | str, text: FollowUpText) -> FollowUpPreview:
    """The mail as a Swedish and an English recipient would read it, and who gets it.

    Saves nothing and mints no link. Raises InvalidAnnouncement, AttendanceOpen.
    """
    kind = FollowUpKind(kind)
    ensure_sendable(event, kind)
    text = clean_followup_text(text, kind)
    who = audience(event=event, kind=kind)
    follow_up = _unsaved(event, kind, text)
    samples = {}
    for language in (Language.SWEDISH, Language.ENGLISH):
        with translation.override(language):
            sample = Registration(event=event, first_name=_("[first name]"), language=language)
            samples[language] = compose(follow_up, sample, link=_("(the recipient’s own feedback link)"))
    return FollowUpPreview(audience=who, swedish=samples[Language.SWEDISH], english=samples[Language.ENGLISH])


def send_followup(
    *, event: Event, kind: FollowUpKind | str, text: FollowUpText, actor=None, send_key: str | None = None
) -> FollowUp:
    """Send `kind` to everyone in its audience now who has not had it, one e-mail each (bulk).

    With a `send_key` (the confirmation form's one-time key) a repeated call returns the send
    already made. Raises InvalidAnnouncement, AttendanceOpen, NoRecipients (nobody left).
    """
    kind = FollowUpKind(kind)
    ensure_sendable(event, kind)
    text = clean_followup_text(text, kind)
    with transaction.atomic():
        # The event's lock serialises two organisers sending at once (and check-ins' seat changes).
        event = lock_event(event.pk)
        if send_key:
            already = FollowUp.objects.filter(event=event, send_key=send_key).first()
            if already is not None:
                return already
        who = audience(event=event, kind=kind)
        if not who.recipients:
            raise NoRecipients
        follow_up = _unsaved(event, kind, text)
        follow_up.created_by = actor
        follow_up.sent_at = timezone.now()
        follow_up.send_key = send_key or None
        follow_up.without_address = who.without_address
        follow_up.recipient_count = len(who.recipients)
        follow_up.save()
        FollowUpRecipient.objects.bulk_create(
            [FollowUpRecipient(follow_up=follow_up, registration=r, kind=kind) for r in who.recipients],
            batch_size=500,
        )
        enqueue_batch(
            kind=kind.mail_kind,
            recipients=[(r.email, r.pk) for r in who.recipients],
            batch_id=follow_up.pk,
            reply_to=event.contact_email,
            priority=Priority.BULK,
        )
        audit(
            "followup.sent",
            event_id=event.pk,
            actor=actor,
            organisation_id=event.organisation_id,
            follow_up_id=follow_up.pk,
            kind=kind.value,
            recipients=follow_up.recipient_count,
            without_address=follow_up.without_address,
        )
    return follow_up


def sent_followups(event: Event) -> list[FollowUp]:
    return list(FollowUp.objects.filter(event=event).select_related("created_by"))


def _unsaved(event: Event, kind: FollowUpKind, text: FollowUpText) -> FollowUp:
    return FollowUp(
        event=event,
        kind=kind,
        subject=text.subject,
        body=text.body,
        subject_en=text.subject_en,
        body_en=text.body_en,
        material=text.material if kind == FollowUpKind.SORRY else "",
        material_en=text.material_en if kind == FollowUpKind.SORRY else "",
    )
