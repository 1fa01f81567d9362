"""Composing an announcement for one recipient: the organiser's text inside the usual frame.

The frame (mail/message.txt and .html: greeting, the event's facts, the personal link) is in
the recipient's language; the organiser's text is the English one for English recipients when
it was written, otherwise the Swedish. The worker calls `render_announcement` just before
sending, so each message carries a fresh personal link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from frukost.core import formats
from frukost.mail.renderers import NoLongerTrue, NothingToRender, Rendered
from frukost.messaging.models import Announcement
from frukost.registrations.enums import Language, Status
from frukost.registrations.links import link_placeholder
from frukost.registrations.models import Registration

_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass
class _Content:
    subject: str
    paragraphs: list[str]
    button: str


def paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines."""
    return [part.strip() for part in _BLANK_LINES.split(text.strip()) if part.strip()]


def texts_for(announcement: Announcement, language: str) -> tuple[str, str]:
    """(subject, body) the recipient reads: English if they chose English and it was written."""
    if language == Language.ENGLISH and announcement.has_english:
        return announcement.subject_en, announcement.body_en
    return announcement.subject, announcement.body


def compose(announcement: Announcement, registration: Registration, *, link: str) -> Rendered:
    """The message for one recipient (saved or not: the preview passes unsaved objects)."""
    event = announcement.event
    language = registration.language
    subject, body = texts_for(announcement, language)
    with translation.override(language):
        content = _Content(subject=subject, paragraphs=paragraphs(body), button=_("See your registration"))
        context = {
            "registration": registration,
            "event": event,
            "organisation": event.organisation,
            "content": content,
            "link": link,
            "event_url": settings.BASE_URL + event.get_absolute_url(),
            "privacy_url": settings.BASE_URL + reverse("public:privacy"),
            "language": language,
            "status_line": _status_line(registration),
            "date": formats.long_date(event.starts_at, language),
            "times": formats.time_range(event.starts_at, event.ends_at, language),
            "doors": formats.clock(event.doors_at, language) if event.doors_at else "",
        }
        return Rendered(
            subject=subject,
            body_text=render_to_string("mail/message.txt", context),
            body_html=render_to_string("mail/message.html", context),
        )


def render_announcement(message) -> Rendered:
    """Compose a queued announcement (called by the mail worker for MailKind.ANNOUNCEMENT)."""
    registration = (
        Registration.objects.select_related("event__organisation").filter(pk=message.registration_id).first()
    )
    if registration is None:
        raise NothingToRender("the registration was deleted before the message was sent")
    if not registration.is_active:
        # A big send goes out over minutes: someone who cancelled meanwhile gets nothing more.
        raise NoLongerTrue(f"the registration is {registration.status} now")
    announcement = Announcement.objects.filter(pk=message.batch_id, event_id=registration.event_id).first()
    if announcement is None:
        raise NothingToRender("the announcement was deleted before the message was sent")
    announcement.event = registration.event
    return compose(announcement, registration, link=link_placeholder(registration))


def _status_line(registration: Registration) -> str:
    if registration.status == Status.WAITLISTED:
        return _("You are on the waiting list.")
    if registration.status != Status.REGISTERED:
        return ""
    if not registration.is_confirmed:
        return _("A seat is held for you; please confirm.")
    return _("You have a seat.")
