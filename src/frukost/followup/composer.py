"""Composing a follow-up mail for one recipient: the organiser's text inside the usual frame.

The frame (mail/message.txt and .html) is in the recipient's language; the organiser's text is
the English one for English recipients when it was written. The thank-you's button is the
person's feedback link (LinkPurpose.FEEDBACK), minted when the mail is handed over: the queued
message holds only a placeholder. "Sorry we missed you" has no button, and the material below the
text (links are clickable in the HTML part).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from frukost.core import formats
from frukost.followup.enums import FollowUpKind
from frukost.followup.models import FollowUp
from frukost.mail.enums import MailKind
from frukost.mail.renderers import NothingToRender, Rendered, personal_link_placeholder
from frukost.messaging.composer import paragraphs
from frukost.registrations.enums import Language, LinkPurpose
from frukost.registrations.models import Registration
from frukost.registrations.names import safe_name


@dataclass
class _Content:
    subject: str
    paragraphs: list[str]
    button: str = ""
    material: list[str] = field(default_factory=list)
    material_heading: str = ""
    # The event is over: the frame leaves out what attendees will receive.
    after_event: bool = True


def texts_for(follow_up: FollowUp, language: str) -> tuple[str, str, str]:
    """(subject, body, material) the recipient reads: English if they chose it and it was written."""
    if language == Language.ENGLISH and follow_up.has_english:
        return follow_up.subject_en, follow_up.body_en, follow_up.material_en or follow_up.material
    return follow_up.subject, follow_up.body, follow_up.material


def compose(follow_up: FollowUp, registration: Registration, *, link: str) -> Rendered:
    """The mail for one recipient (saved or not: the preview passes unsaved objects)."""
    event = follow_up.event
    language = registration.language or settings.LANGUAGE_CODE
    subject, body, material = texts_for(follow_up, language)
    thanks = follow_up.kind == FollowUpKind.THANKS
    with translation.override(language):
        content = _Content(
            subject=subject,
            paragraphs=paragraphs(body),
            button=_("Tell us what you thought") if thanks else "",
            material=paragraphs(material) if not thanks else [],
            material_heading=_("Material from the breakfast"),
        )
        context = {
            "registration": registration,
            "event": event,
            "organisation": event.organisation,
            "content": content,
            "link": link if thanks else "",
            "event_url": settings.BASE_URL + event.get_absolute_url(),
            "privacy_url": settings.BASE_URL
            + reverse("public:organisation-privacy", kwargs={"organisation": event.organisation.slug}),
            "language": language,
            "greeting_name": (
                safe_name(registration.first_name) if registration.pk else registration.first_name
            ),
            "status_line": "",
            "date": formats.long_date(event.starts_at, language),
            "times": formats.time_range(event.starts_at, event.ends_at, language),
            # The event is over: no "breakfast is served from".
            "doors": "",
        }
        return Rendered(
            subject=subject,
            body_text=render_to_string("mail/message.txt", context),
            body_html=render_to_string("mail/message.html", context),
        )


def render_followup(message) -> Rendered:
    """Compose a queued follow-up (called by the mail worker for the FOLLOWUP_* kinds)."""
    registration = (
        Registration.objects.select_related("event__organisation").filter(pk=message.registration_id).first()
    )
    if registration is None or registration.anonymised_at is not None:
        raise NothingToRender("the registration was deleted or erased before the message was sent")
    kind = FollowUpKind.THANKS if message.kind == MailKind.FOLLOWUP_THANKS else FollowUpKind.SORRY
    follow_up = FollowUp.objects.filter(
        pk=message.batch_id, event_id=registration.event_id, kind=kind
    ).first()
    if follow_up is None:
        raise NothingToRender("the follow-up was deleted before the message was sent")
    follow_up.event = registration.event
    return compose(follow_up, registration, link=personal_link_placeholder(LinkPurpose.FEEDBACK.value))
