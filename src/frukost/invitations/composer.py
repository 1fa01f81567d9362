"""Composing an invitation (or its reminder) for one invitee, just before it is sent.

The organiser's text (the English one for an invitee who chose English, when it was written)
inside a frame in the invitee's language: the event's facts (for a series, each of its events
still open), a button to the invitation link (the form filled in), "I can't come", and the
unsubscribe link with a sentence on what it does. The links are placeholders, minted as the mail
is handed over (invitations.links), so the outbox never holds a usable one.

`render_invitation` is the renderer the mail worker calls for both kinds. It raises NoLongerTrue
(the message is skipped, not sent) when the address is on the organisation's do-not-mail list,
when nothing is open to register for any more, and, for the reminder, when the invitee answered
in the meantime (registered through the link or the public page, declined or unsubscribed): it
is asked at the last moment, so even an answer a second before the batch ran is honoured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from frukost.contacts.suppression import is_suppressed
from frukost.core import formats
from frukost.events.models import Event
from frukost.invitations import links
from frukost.invitations.models import InvitationList, Invitee
from frukost.invitations.responses import has_answered, open_events
from frukost.mail.enums import MailKind
from frukost.mail.renderers import NoLongerTrue, NothingToRender, Rendered
from frukost.messaging.composer import paragraphs
from frukost.registrations.enums import Language
from frukost.registrations.names import safe_name


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str
    subject_en: str = ""
    body_en: str = ""

    def for_language(self, language: str) -> tuple[str, str]:
        if language == Language.ENGLISH and self.subject_en and self.body_en:
            return self.subject_en, self.body_en
        return self.subject, self.body


@dataclass(frozen=True)
class Links:
    invite: str
    decline: str
    unsubscribe: str


@dataclass
class EventFacts:
    event: Event
    date: str
    times: str
    doors: str
    deadline: str


@dataclass
class _Content:
    subject: str
    paragraphs: list[str]
    events: list[EventFacts] = field(default_factory=list)
    reminder: bool = False


def placeholder_links() -> Links:
    invite = links.invite_placeholder()
    return Links(
        invite=invite, decline=invite + links.DECLINE_PATH, unsubscribe=links.unsubscribe_placeholder()
    )


def default_reminder_text(invitation_list: InvitationList) -> MailText:
    """The prefilled reminder, for the organiser to change."""
    title = invitation_list.event.title if invitation_list.event_id else invitation_list.series.name
    return MailText(
        subject=f"Påminnelse: {title}",
        body=(
            "Vi har inte hört av dig ännu, så här kommer en påminnelse om frukosten. Det är snart sista "
            "dagen att anmäla sig.\n\n"
            "Anmäl dig med knappen nedan, eller säg till om du inte kan komma. Vi hoppas att vi ses!"
        ),
        subject_en=f"Reminder: {title}",
        body_en=(
            "We have not heard from you yet, so here is a reminder of the breakfast. The last day to "
            "register is coming up.\n\n"
            "Register with the button below, or tell us if you cannot come. We hope to see you!"
        ),
    )


def text_of(invitation_list: InvitationList, kind: str) -> MailText:
    if kind == MailKind.INVITATION_REMINDER:
        if not (invitation_list.reminder_subject and invitation_list.reminder_body):
            return default_reminder_text(invitation_list)
        return MailText(
            invitation_list.reminder_subject,
            invitation_list.reminder_body,
            invitation_list.reminder_subject_en,
            invitation_list.reminder_body_en,
        )
    return MailText(
        invitation_list.subject, invitation_list.body, invitation_list.subject_en, invitation_list.body_en
    )


def _facts(event: Event, language: str) -> EventFacts:
    deadline = event.registration_deadline
    return EventFacts(
        event=event,
        date=formats.long_date(event.starts_at, language),
        times=formats.time_range(event.starts_at, event.ends_at, language),
        doors=formats.clock(event.doors_at, language) if event.doors_at else "",
        deadline=formats.long_date(deadline, language) if deadline else "",
    )


def compose(
    invitation_list: InvitationList,
    invitee: Invitee,
    *,
    text: MailText,
    events: list[Event],
    link_urls: Links,
    reminder: bool = False,
) -> Rendered:
    """The mail for one invitee (saved or not: the preview passes an unsaved stand-in)."""
    organisation = invitation_list.organisation
    language = invitee.language or settings.LANGUAGE_CODE
    subject, body = text.for_language(language)
    with translation.override(language):
        content = _Content(
            subject=subject,
            paragraphs=paragraphs(body),
            events=[_facts(event, language) for event in events],
            reminder=reminder,
        )
        first = events[0] if events else None
        context = {
            "organisation": organisation,
            "content": content,
            "links": link_urls,
            "series": invitation_list.series if invitation_list.series_id else None,
            "contact": first,
            "language": language,
            "greeting_name": safe_name(invitee.first_name) if invitee.pk else invitee.first_name,
            "privacy_url": settings.BASE_URL
            + reverse("public:organisation-privacy", kwargs={"organisation": organisation.slug}),
        }
        return Rendered(
            subject=subject,
            body_text=render_to_string("invitations/mail/invitation.txt", context),
            body_html=render_to_string("invitations/mail/invitation.html", context),
        )


def ensure_still_due(invitee: Invitee) -> list[Event]:
    """The list's open events, if the invitee may still be mailed an invitation or reminder; else
    NoLongerTrue: the address is on the do-not-mail list, the invitee answered (registered either
    way, declined, unsubscribed), or nothing is open to register for any more.

    Asked as the message is composed and again as it is handed over (the link hook,
    links.link_for_message): a message composed once and retried after a temporary refusal is
    not composed again, and the person may have unsubscribed or answered in between.
    """
    invitation_list = invitee.invitation_list
    if is_suppressed(invitation_list.organisation_id, invitee.email) or invitee.unsubscribed_at:
        raise NoLongerTrue("the address is on the organisation's do-not-mail list")
    if has_answered(invitee):
        raise NoLongerTrue("the invitee has answered")
    events = open_events(invitation_list)
    if not events:
        raise NoLongerTrue("registration has closed")
    return events


def render_invitation(message) -> Rendered:
    """Compose a queued invitation or reminder (called by the mail worker for those kinds)."""
    invitee = (
        Invitee.objects.select_related(
            "invitation_list__organisation", "invitation_list__event", "invitation_list__series"
        )
        .filter(pk=message.ref_id)
        .first()
    )
    if invitee is None:
        raise NothingToRender("the invitee was deleted before the message was sent")
    invitation_list = invitee.invitation_list
    events = ensure_still_due(invitee)
    return compose(
        invitation_list,
        invitee,
        text=text_of(invitation_list, message.kind),
        events=events,
        link_urls=placeholder_links(),
        reminder=message.kind == MailKind.INVITATION_REMINDER,
    )


def sample_invitee(invitation_list: InvitationList, language: str) -> Invitee:
    """The stand-in a preview is composed for."""
    with translation.override(language):
        return Invitee(invitation_list=invitation_list, first_name=_("[first name]"), language=language)


def preview_links() -> Links:
    return Links(
        invite=_("(the recipient’s own invitation link)"),
        decline=_("(the recipient’s own link to say they cannot come)"),
        unsubscribe=_("(the recipient’s own unsubscribe link)"),
    )
