"""One function per e-mail a registration causes. Each writes to the outbox (frukost.mail).

The outbox row is written in the caller's transaction; the worker composes the message just
before sending (render_message). Messages are rendered in the registrant's language with the
event's facts, a calendar file and a fresh personal link. They never contain membership, diet
or needs: special-category data does not travel by e-mail (IMY's guidance on sensitive data
over open networks).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frukost.core import formats
from frukost.events.enums import EventStatus
from frukost.mail.enums import MailKind, Priority
from frukost.mail.frames import FrameCache, model_facts
from frukost.mail.ical import event_calendar
from frukost.mail.outbox import enqueue, withdraw_queued
from frukost.mail.renderers import (
    CHECKIN_CODE_PLACEHOLDER,
    CHECKIN_QR_PLACEHOLDER,
    NoLongerTrue,
    NothingToRender,
    Rendered,
)
from frukost.registrations.enums import ACTIVE_STATUSES, Status
from frukost.registrations.links import OFFER_PATH, STILL_COMING_PATH, link_placeholder
from frukost.registrations.models import Registration
from frukost.registrations.names import safe_name
from frukost.registrations.queries import earlier_registrations, has_colleagues, registration_for_mail


@dataclass
class _Content:
    subject: str
    paragraphs: list[str]
    button: str
    show_status: bool = True
    cancelled: bool = False
    welcome: bool = True
    # A second, plainer link below the button (the personal page, when the button goes elsewhere).
    secondary: str = ""


def _receipt(registration: Registration, kind: MailKind) -> Rendered:
    """Confirmation, or the waiting-list notice, for a person who answered for themselves.

    Written for the status the registration has now, not the one it had when queued: someone
    moved up meanwhile gets the confirmation (the promotion e-mail follows), and someone who
    cancelled gets nothing (see _ensure_still_true).
    """
    event = registration.event
    # The names they gave, whether or not each became a registration (see register()).
    colleagues = (
        registration.colleague_names_given()
        # Names given are stored; without, only a registration from before they were kept can
        # have colleagues, and most have none: an EXISTS is cheaper than loading them.
        if registration.colleague_names or has_colleagues(registration)
        else []
    )
    with translation.override(registration.language):
        if _confirms_own_address(registration):
            content = _Content(
                subject=_("Confirm your registration: %(title)s") % {"title": event.title},
                paragraphs=[
                    _(
                        "Thank you for your registration. Please confirm it: open the link below and "
                        "press the button “Confirm my registration”."
                    ),
                    _(
                        "Your seat is held for you until %(when)s. If you do not confirm by then, it goes "
                        "to someone else. If you did not register, ignore this e-mail."
                    )
                    % {"when": _moment(registration.hold_expires_at)}
                    if registration.status == Status.REGISTERED and registration.hold_expires_at
                    else _(
                        "The event is full right now, so you are on the waiting list once you have "
                        "confirmed. If you did not register, ignore this e-mail."
                    ),
                ],
                button=_("Confirm your registration"),
            )
        elif registration.status == Status.WAITLISTED:
            content = _Content(
                subject=_("You are on the waiting list: %(title)s") % {"title": event.title},
                paragraphs=[
                    _(
                        "Thank you for your registration. The event is full right now, so you are on the "
                        "waiting list. If a seat becomes free, it is offered to the first person in the "
                        "queue: we e-mail you, and you have a set time to take it."
                    ),
                ],
                button=_("See or cancel your registration"),
            )
        else:
            content = _Content(
                subject=_("You are registered: %(title)s") % {"title": event.title},
                paragraphs=[_("Thank you for your registration. A warm welcome!")],
                button=_("Change or cancel your registration"),
            )
        if colleagues and not _confirms_own_address(registration):
            content.paragraphs.append(
                _(
                    "You also registered %(names)s. We have e-mailed them so that they can confirm for "
                    "themselves."
                )
                % {"names": _join(colleagues)}
            )
        if not _confirms_own_address(registration):
            content.paragraphs.append(
                _(
                    "Through your personal link you can change your details, add a colleague or cancel. "
                    "Please keep this e-mail."
                )
            )
        return _render(registration, content)


def _colleague_invitation(registration: Registration, kind: MailKind) -> Rendered:
    """Tell a colleague they were registered, by whom, and ask them to confirm (GDPR art. 14)."""
    event = registration.event
    with translation.override(registration.language):
        inviter = _inviter_name(registration, _("A colleague"))
        first = _("%(inviter)s has registered you for %(title)s.") % {
            "inviter": inviter,
            "title": event.title,
        }
        # Composed just before sending: the colleague may have confirmed in the meantime.
        if registration.status == Status.REGISTERED and registration.hold_expires_at:
            second = _(
                "A seat is held for you until %(when)s. Please confirm through the link below; there you "
                "also tell us about any dietary or other needs. If you do not confirm in time, the seat "
                "goes to someone on the waiting list."
            ) % {"when": _moment(registration.hold_expires_at)}
        elif registration.status == Status.REGISTERED:
            second = _status_line(registration)
        else:
            second = _(
                "The event is full right now, so you are on the waiting list. Please confirm through "
                "the link below; if a seat becomes free we e-mail you."
            )
        content = _Content(
            subject=_("%(inviter)s has registered you: %(title)s")
            % {"inviter": inviter, "title": event.title},
            paragraphs=[first, second, _privacy_sentence(registration)],
            button=_("Confirm your seat"),
        )
        return _render(registration, content)


def _colleague_reminder(registration: Registration, kind: MailKind) -> Rendered:
    """A colleague, or (on an event that asks for it) a registrant, who has not confirmed yet."""
    event = registration.event
    with translation.override(registration.language):
        if _confirms_own_address(registration):
            content = _Content(
                subject=_("Reminder: confirm your registration for %(title)s") % {"title": event.title},
                paragraphs=[
                    _("Your seat at %(title)s is still held for you.") % {"title": event.title},
                    _("Please confirm by %(when)s, or the seat goes to someone else.")
                    % {"when": _moment(registration.hold_expires_at)},
                ],
                button=_("Confirm your registration"),
            )
            return _render(registration, content)
        content = _Content(
            subject=_("Reminder: confirm your seat at %(title)s") % {"title": event.title},
            paragraphs=[
                _("%(inviter)s registered you for %(title)s, and your seat is still held for you.")
                % {"inviter": _inviter_name(registration, _("A colleague")), "title": event.title},
                _("Please confirm by %(when)s, or the seat goes to someone on the waiting list.")
                % {"when": _moment(registration.hold_expires_at)}
                if registration.hold_expires_at
                else _status_line(registration),
            ],
            button=_("Confirm your seat"),
        )
        return _render(registration, content)


def _promotion(registration: Registration, kind: MailKind) -> Rendered:
    event = registration.event
    with translation.override(registration.language):
        paragraphs = [_("Good news: a seat has become free and it is yours.")]
        if not registration.is_confirmed and registration.hold_expires_at:
            paragraphs.append(
                _("Please confirm by %(when)s, or the seat goes to the next person in the queue.")
                % {"when": _moment(registration.hold_expires_at)}
            )
        paragraphs.append(
            _("If you cannot come after all, please cancel so that someone else can have the seat.")
        )
        content = _Content(
            subject=_("You have a seat: %(title)s") % {"title": event.title},
            paragraphs=paragraphs,
            button=_("Confirm your seat") if not registration.is_confirmed else _("See your registration"),
        )
        return _render(registration, content)


def _seat_offered(registration: Registration, kind: MailKind) -> Rendered:
    """A seat is free for the first in the queue, to take by a deadline (services.waitlist).

    The button opens the offer page of the personal link (public:registration-offer), where a
    POST button takes the seat: a mail scanner following the link takes nothing.
    """
    event = registration.event
    with translation.override(registration.language):
        content = _Content(
            subject=_("A seat is free for you: %(title)s") % {"title": event.title},
            paragraphs=[
                _("Good news: a seat has become free at %(title)s, and it is yours if you want it.")
                % {"title": event.title},
                _("Take it by %(when)s: open the link below and press “Take the seat”.")
                % {"when": _moment(registration.offer_expires_at)},
                _(
                    "If you do not take it by then, it goes to the next person in the queue. If you cannot "
                    "come, you need not do anything."
                ),
            ],
            button=_("Take the seat"),
            show_status=False,
            welcome=False,
        )
        return _render(registration, content, link=link_placeholder(registration) + OFFER_PATH)


def _offer_lapsed(registration: Registration, kind: MailKind) -> Rendered:
    """The offered seat was not taken in time and has gone to the next in the queue."""
    event = registration.event
    with translation.override(registration.language):
        content = _Content(
            subject=_("The offered seat has gone to someone else: %(title)s") % {"title": event.title},
            paragraphs=[
                _(
                    "The seat we offered you at %(title)s was not taken in time, so it has gone to the next "
                    "person in the queue."
                )
                % {"title": event.title},
                _(
                    "You are still on the waiting list. If you no longer want a seat, you can cancel through "
                    "your personal link."
                ),
            ],
            button=_("See or cancel your registration"),
            show_status=False,
            welcome=False,
        )
        return _render(registration, content)


def _cancellation_receipt(registration: Registration, kind: MailKind) -> Rendered:
    event = registration.event
    with translation.override(registration.language):
        content = _Content(
            subject=_("Cancellation confirmed: %(title)s") % {"title": event.title},
            paragraphs=[
                _(
                    "Your registration for %(title)s is cancelled. Thank you for letting us know; your seat "
                    "can now go to someone else."
                )
                % {"title": event.title},
                _("Changed your mind? Register again on the event page while registration is open."),
            ],
            button=_("Open the event page"),
            show_status=False,
            cancelled=True,
        )
        return _render(registration, content, link_to_event=True)


def _seat_released(registration: Registration, kind: MailKind) -> Rendered:
    event = registration.event
    with translation.override(registration.language):
        content = _Content(
            subject=_("Your held seat has been released: %(title)s") % {"title": event.title},
            paragraphs=[
                _(
                    "The seat held for you at %(title)s was not confirmed in time and has gone to someone "
                    "else."
                )
                % {"title": event.title},
                _("You are welcome to register again on the event page if there is room."),
            ],
            button=_("Open the event page"),
            show_status=False,
            cancelled=True,
        )
        return _render(registration, content, link_to_event=True)


def _personal_link(registration: Registration, kind: MailKind) -> Rendered:
    """For someone who registers again: their existing registration's link, nothing new."""
    event = registration.event
    with translation.override(registration.language):
        content = _Content(
            subject=_("Your registration: %(title)s") % {"title": event.title},
            paragraphs=[
                _(
                    "Someone (probably you) registered this address for %(title)s again. You are already "
                    "registered, so nothing has changed. Here is your personal link."
                )
                % {"title": event.title},
            ],
            button=_("See your registration"),
        )
        return _render(registration, content)


def _still_coming(registration: Registration, kind: MailKind) -> Rendered:
    """Days before the event: the facts, and a way to give the seat up (registrations.services.reminders).

    The button opens a page of the personal link (public:registration-still-coming) whose POST
    button cancels: a mail scanner that follows every link changes nothing.
    """
    event = registration.event
    with translation.override(registration.language):
        content = _Content(
            subject=_("Still coming? %(title)s") % {"title": event.title},
            paragraphs=[
                _("%(title)s is coming up soon, and a seat is waiting for you.") % {"title": event.title},
                _("If you cannot come: let us know, and the seat goes to someone on the waiting list."),
                _("If you are coming, you need not do anything. Welcome!"),
            ],
            button=_("Can't come? Let us know"),
            welcome=False,
        )
        # The personal link itself too (see, change), as a line of its own below the button.
        content.secondary = _("See or change your registration")
        return _render(registration, content, link=link_placeholder(registration) + STILL_COMING_PATH)


def _when(event, language: str) -> str:
    date = formats.long_date(event.starts_at, language)
    return f"{date}, {formats.time_range(event.starts_at, event.ends_at, language)}"


def _where(event) -> str:
    if event.online:
        return _("Online")
    return ", ".join(part for part in (event.venue_name, event.address_line) if part) or "–"


def event_changed_content(registration: Registration, *, event, before=None) -> _Content:
    """What changed (old -> new time and place), in the active language; `before` may be unknown."""
    language = translation.get_language()
    time_fields = ("starts_at", "ends_at", "doors_at")
    place_fields = ("venue_name", "street_address", "postal_code", "city", "online", "online_url")
    time_changed = before is not None and any(getattr(before, f) != getattr(event, f) for f in time_fields)
    place_changed = before is not None and any(getattr(before, f) != getattr(event, f) for f in place_fields)
    if time_changed and place_changed:
        subject = _("New time and place: %(title)s")
    elif time_changed:
        subject = _("New time: %(title)s")
    elif place_changed:
        subject = _("New place: %(title)s")
    else:
        subject = _("Changes to %(title)s")
    paragraphs = [
        _("The organiser has changed the time or place of %(title)s. Your registration still stands.")
        % {"title": event.title}
    ]
    if time_changed:
        was, now = _when(before, language), _when(event, language)
        if was == now and before.doors_at != event.doors_at:
            was = now = ""
        if was != now:
            paragraphs.append(_("Time: was %(was)s, now %(now)s.") % {"was": was, "now": now})
        if before.doors_at != event.doors_at and event.doors_at:
            paragraphs.append(
                _("Breakfast is now served from %(doors)s.")
                % {"doors": formats.clock(event.doors_at, language)}
            )
    if place_changed:
        was, now = _where(before), _where(event)
        if was != now:
            paragraphs.append(_("Place: was %(was)s, now %(now)s.") % {"was": was, "now": now})
        elif event.online and before.online_url != event.online_url:
            paragraphs.append(_("The link to the online meeting has changed."))
    paragraphs.append(
        _(
            "The attached calendar file updates the entry in your calendar. If you cannot come now, "
            "please cancel so that someone else can have the seat."
        )
    )
    return _Content(
        subject=subject % {"title": event.title},
        paragraphs=paragraphs,
        button=_("See or cancel your registration"),
    )


def _event_changed(registration: Registration, kind: MailKind, *, before=None, link: str = "") -> Rendered:
    with translation.override(registration.language):
        content = event_changed_content(registration, event=registration.event, before=before)
        return _render(registration, content, link=link)


def _event_cancelled(registration: Registration, kind: MailKind, *, link: str = "") -> Rendered:
    event = registration.event
    with translation.override(registration.language):
        content = _Content(
            subject=_("Cancelled: %(title)s") % {"title": event.title},
            paragraphs=[
                _("We are sorry to tell you that %(title)s on %(date)s has been cancelled.")
                % {"title": event.title, "date": formats.long_date(event.starts_at, registration.language)},
                _(
                    "You do not need to do anything: your registration lapses with the event. The attached "
                    "calendar file removes the event from your calendar."
                ),
            ],
            button=_("Open the event page"),
            show_status=False,
            welcome=False,
        )
        return _render(registration, content, link_to_event=True, link=link)


def preview_event_changed(registration: Registration, *, event, before) -> Rendered:
    """The change e-mail one recipient would get, for the organiser to read first; saves nothing."""
    return _preview(
        registration,
        event,
        lambda r: _event_changed(r, MailKind.EVENT_CHANGED, before=before, link=PREVIEW_LINK),
    )


def preview_event_cancelled(registration: Registration, *, event) -> Rendered:
    """The cancellation e-mail one recipient would get; saves nothing."""
    return _preview(
        registration, event, lambda r: _event_cancelled(r, MailKind.EVENT_CANCELLED, link=PREVIEW_LINK)
    )


PREVIEW_LINK = "…"


def _preview(registration: Registration, event, compose) -> Rendered:
    shown = copy.copy(registration)
    shown.event = event
    return compose(shown)


def _link_resent(registration: Registration, kind: MailKind) -> Rendered:
    """An organiser sent the person a new personal link (they lost the e-mail, asked on the phone)."""
    event = registration.event
    with translation.override(registration.language):
        content = _Content(
            subject=_("Your personal link: %(title)s") % {"title": event.title},
            paragraphs=[
                _(
                    "The organiser of %(title)s has sent you a new personal link to your registration. "
                    "Through it you can see your registration, change your details or cancel."
                )
                % {"title": event.title},
                _("The links in earlier e-mails no longer work."),
            ],
            button=_("See your registration"),
        )
        return _render(registration, content)


def _render(
    registration: Registration, content: _Content, *, link_to_event: bool = False, link: str = ""
) -> Rendered:
    """The message, its bodies filled into the frame of its kind, event and language (frames.py).

    Only the recipient's own values are written per message; the rest (organisation, the
    event's facts, every translated sentence of the templates) was rendered once for the frame.
    Byte for byte what _render_full writes (tests/registrations/test_mail_frames.py).
    """
    event = registration.event
    person = _person_values(registration, content, link_to_event=link_to_event, link=link)
    values = (
        content.subject,
        person.greeting_name,
        person.status_line,
        person.link,
        person.secondary_link,
        content.button,
        content.secondary,
        *content.paragraphs,
    )
    key = (
        _frame_facts(event),
        registration.language,
        translation.get_language(),
        settings.BASE_URL,
        get_script_prefix(),
        person.online_link,
        person.checkin,
        # The rest of the kind's content as it is (a template may test or print it).
        _content_facts(content),
    )

    def build(slots):
        subject, greeting_name, status_line, link, secondary_link, button, secondary, *paragraphs = slots
        framed = dataclasses.replace(
            content, subject=subject, paragraphs=paragraphs, button=button, secondary=secondary
        )
        # No registration in the frame's context: nothing of the first recipient's may be in it.
        context = _context(
            None,
            event,
            framed,
            _Person(greeting_name, status_line, link, secondary_link, person.online_link, person.checkin),
            registration.language,
        )
        return (
            render_to_string("mail/message.txt", context),
            render_to_string("mail/message.html", context),
        )

    bodies = _frames.render(key, values, build)
    if bodies is None:  # the event's text holds a marker's character: this once, in full
        return _render_full(registration, content, link_to_event=link_to_event, link=link)
    body_text, body_html = bodies
    return Rendered(
        subject=content.subject,
        body_text=body_text,
        body_html=body_html,
        ics=_calendar(registration, content),
    )


def _render_full(
    registration: Registration, content: _Content, *, link_to_event: bool = False, link: str = ""
) -> Rendered:
    """The message rendered from the templates in full: what _render must equal."""
    person = _person_values(registration, content, link_to_event=link_to_event, link=link)
    context = _context(registration, registration.event, content, person, registration.language)
    return Rendered(
        subject=content.subject,
        body_text=render_to_string("mail/message.txt", context),
        body_html=render_to_string("mail/message.html", context),
        ics=_calendar(registration, content),
    )


# The _Content fields that are slots of a frame; every other field is in its key.
_CONTENT_SLOTS = frozenset({"subject", "paragraphs", "button", "secondary"})


def _content_facts(content: _Content) -> tuple:
    return tuple(
        (field.name, tuple(value) if isinstance(value, list) else value)
        for field in dataclasses.fields(content)
        if field.name not in _CONTENT_SLOTS
        for value in [getattr(content, field.name)]
    )


# Frames of mail/message.txt (plain) and .html: per kind's shape, event and language. A few
# hundred kilobytes at most: an event has a frame per language and shape in use.
_frames = FrameCache(size=256, escape=(False, True))


@dataclass(frozen=True)
class _Person:
    """What the bodies say that is the recipient's own (or depends on their registration)."""

    greeting_name: str
    status_line: str
    link: str
    secondary_link: str
    online_link: bool
    checkin: bool


def _person_values(
    registration: Registration, content: _Content, *, link_to_event: bool, link: str
) -> _Person:
    event = registration.event
    # A placeholder: the worker mints the link as it hands the message over (links.py).
    if not link:
        link = _event_url(event) if link_to_event else link_placeholder(registration)
    return _Person(
        # The greeting says the first name only if it is a name (a colleague's name is typed by
        # someone else).
        greeting_name=safe_name(registration.first_name),
        status_line=_status_line(registration) if content.show_status else "",
        link=link,
        secondary_link=link_placeholder(registration) if content.secondary else "",
        # The meeting link is for people with a seat only: never on the public page.
        online_link=bool(_has_seat(registration) and event.online),
        checkin=(
            content.show_status
            and not event.online
            and registration.status == Status.REGISTERED
            and registration.is_confirmed
        ),
    )


def _context(
    registration: Registration | None, event, content: _Content, person: _Person, language: str
) -> dict:
    context = {
        "registration": registration,
        "event": event,
        "organisation": event.organisation,
        "content": content,
        "link": person.link,
        "secondary_link": person.secondary_link,
        "event_url": _event_url(event),
        "privacy_url": settings.BASE_URL
        + reverse("public:organisation-privacy", kwargs={"organisation": event.organisation.slug}),
        "language": language,
        "greeting_name": person.greeting_name,
        "status_line": person.status_line,
        "date": formats.long_date(event.starts_at, language),
        "times": formats.time_range(event.starts_at, event.ends_at, language),
        "doors": formats.clock(event.doors_at, language) if event.doors_at else "",
        "online_link": event.online_url if person.online_link else "",
    }
    if person.checkin:
        # Placeholders: the check-in app fills in the code and its QR image at hand-over.
        context["checkin_code"] = CHECKIN_CODE_PLACEHOLDER
        context["checkin_qr"] = CHECKIN_QR_PLACEHOLDER
    return context


def _frame_facts(event) -> tuple:
    """The event and its organisation as they are, every stored field (mail/frames.model_facts):
    a frame is for these facts, so a changed event or organisation gets a new one, never a stale
    one, whether it was saved or updated in bulk."""
    return model_facts(event, event.organisation)


def _event_url(event) -> str:
    return settings.BASE_URL + event.get_absolute_url()


def _calendar(registration: Registration, content: _Content) -> str:
    return event_calendar(
        registration.event,
        cancelled=content.cancelled,
        earlier_registrations=earlier_registrations(registration),
    ).decode("utf-8")


def _has_seat(registration: Registration) -> bool:
    return (
        registration.status == Status.REGISTERED
        and registration.is_confirmed
        and not registration.event.is_cancelled
    )


def _status_line(registration: Registration) -> str:
    if registration.status == Status.WAITLISTED:
        return _("You are on the waiting list.")
    if not registration.is_confirmed:
        return _("A seat is held for you; please confirm.")
    return _("You have a seat.")


def _moment(value) -> str:
    language = translation.get_language()
    date = formats.long_date(value, language)
    return _("%(date)s at %(time)s") % {"date": date, "time": formats.clock(value, language)}


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _privacy_sentence(registration: Registration) -> str:
    return _(
        "We got your name and e-mail address from %(inviter)s. They are used only for this event; our "
        "privacy notice (linked below) says how long we keep them and what your rights are."
    ) % {
        "inviter": _inviter_name(registration, _("a colleague")),
    }


def _inviter_name(registration: Registration, fallback: str) -> str:
    """Who registered this colleague, as they named themselves in the form (the same whether or
    not their own address was registered already), and only if it is a name (names.safe_name).
    An inviter who has had their data erased (frukost.privacy) has no name left to give."""
    inviter = registration.invited_by
    if inviter is not None and inviter.anonymised_at is not None:
        return fallback
    given = registration.invited_by_name or (inviter.full_name if inviter else "")
    return safe_name(given, fallback)


def _confirms_own_address(registration: Registration) -> bool:
    """Registered themselves on an event that asks people to confirm, and not confirmed yet."""
    return (
        registration.invited_by_id is None
        and not registration.invited_by_name
        and not registration.is_confirmed
        and registration.is_active
    )


# --- What the services call: queue a message inside their transaction -----------------------
# The message is composed by the worker just before it is sent (render_message below), so the
# request that registers someone does not spend its time (and its database write lock) on
# templates and calendar files; the outbox row itself is written in the same transaction.


def send_registration_receipt(registration: Registration) -> None:
    _queue(
        registration,
        MailKind.WAITLISTED if registration.status == Status.WAITLISTED else MailKind.CONFIRMATION,
    )


def send_colleague_invitation(registration: Registration) -> None:
    _queue(registration, MailKind.COLLEAGUE_INVITATION)


def send_colleague_reminder(registration: Registration) -> None:
    _queue(registration, MailKind.COLLEAGUE_REMINDER)


def send_promotion(registration: Registration) -> None:
    _queue(registration, MailKind.PROMOTED)


def send_seat_offered(registration: Registration) -> None:
    _queue(registration, MailKind.SEAT_OFFERED)


def send_offer_lapsed(registration: Registration) -> None:
    _queue(registration, MailKind.OFFER_LAPSED)


def send_cancellation_receipt(registration: Registration) -> None:
    _queue(registration, MailKind.CANCELLATION)


def send_seat_released(registration: Registration) -> None:
    _queue(registration, MailKind.SEAT_RELEASED)


def send_personal_link(registration: Registration) -> None:
    """For someone who registers again: their existing registration's link, nothing new."""
    _queue(registration, MailKind.PERSONAL_LINK)


def send_event_changed(registration: Registration, *, before) -> None:
    """Tell one person the time or place changed. Composed now, while the old facts are known
    (`before`, the event as it was): the worker could only see the new ones."""
    if not registration.email:
        return  # a walk-in who gave no address: nobody to tell
    rendered = _event_changed(registration, MailKind.EVENT_CHANGED, before=before)
    enqueue(
        kind=MailKind.EVENT_CHANGED,
        to=registration.email,
        reply_to=registration.event.contact_email,
        registration=registration,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        ics=rendered.ics,
        # One per attendee of the event at once: after any confirmation that is due.
        priority=Priority.BULK,
    )


def send_still_coming(registration: Registration) -> None:
    """The "still coming?" e-mail, one of many to the event's attendees at once (bulk)."""
    _queue(registration, MailKind.STILL_COMING, priority=Priority.BULK)


def send_event_cancelled(registration: Registration) -> None:
    _queue(registration, MailKind.EVENT_CANCELLED, priority=Priority.BULK)


def withdraw_outdated(registration: Registration) -> int:
    """The person has cancelled (or lost a held seat): withdraw the queued mail written for them
    earlier that would now mislead. A time-or-place change is composed when queued (only then are
    the old facts known), so the worker cannot check it as it checks the others; its "your
    registration still stands" and calendar entry must not follow the cancellation."""
    return withdraw_queued(
        registration=registration, kinds=[MailKind.EVENT_CHANGED], reason=registration.status
    )


def send_link_resent(registration: Registration) -> None:
    """An organiser sends the person a new personal link."""
    _queue(registration, MailKind.LINK_RESENT)


def _queue(
    registration: Registration, kind: MailKind, *, priority: Priority = Priority.TRANSACTIONAL
) -> None:
    if not registration.email:
        return  # a walk-in who gave no address at the door (or an anonymised row): nothing to send
    enqueue(
        kind=kind,
        to=registration.email,
        reply_to=registration.event.contact_email,
        registration=registration,
        priority=priority,
    )


_COMPOSERS = {
    MailKind.CONFIRMATION: _receipt,
    MailKind.WAITLISTED: _receipt,
    MailKind.COLLEAGUE_INVITATION: _colleague_invitation,
    MailKind.COLLEAGUE_REMINDER: _colleague_reminder,
    MailKind.PROMOTED: _promotion,
    MailKind.CANCELLATION: _cancellation_receipt,
    MailKind.SEAT_RELEASED: _seat_released,
    MailKind.PERSONAL_LINK: _personal_link,
    MailKind.EVENT_CHANGED: _event_changed,
    MailKind.EVENT_CANCELLED: _event_cancelled,
    MailKind.LINK_RESENT: _link_resent,
    MailKind.STILL_COMING: _still_coming,
    MailKind.SEAT_OFFERED: _seat_offered,
    MailKind.OFFER_LAPSED: _offer_lapsed,
}

# Kinds that tell someone they have (or are waiting for) a seat: false once the event is cancelled.
_ABOUT_A_PLACE = {
    MailKind.CONFIRMATION,
    MailKind.WAITLISTED,
    MailKind.COLLEAGUE_INVITATION,
    MailKind.COLLEAGUE_REMINDER,
    MailKind.PROMOTED,
    MailKind.PERSONAL_LINK,
    MailKind.LINK_RESENT,
    MailKind.STILL_COMING,
    MailKind.SEAT_OFFERED,
    MailKind.OFFER_LAPSED,
}


# Kinds whose text names the colleague who registered the person (_inviter_name).
_NAME_THE_INVITER = {MailKind.COLLEAGUE_INVITATION, MailKind.COLLEAGUE_REMINDER}


def _ensure_still_true(registration: Registration, kind: MailKind) -> None:
    """Raise NoLongerTrue if the registration has changed so that this e-mail would mislead.

    Messages are composed just before sending, maybe minutes after the change that queued them:
    a confirmation must not say "you have a seat" to someone who has cancelled since.
    """
    status = registration.status
    if kind in _ABOUT_A_PLACE and registration.event.status == EventStatus.CANCELLED:
        raise NoLongerTrue("the event has been cancelled")
    if kind in _ABOUT_A_PLACE and status not in ACTIVE_STATUSES:
        raise NoLongerTrue(f"the registration is {status} now")
    if kind == MailKind.PROMOTED and status != Status.REGISTERED:
        raise NoLongerTrue("the registration no longer has a seat")
    if kind == MailKind.COLLEAGUE_REMINDER and (
        status != Status.REGISTERED or registration.is_confirmed or registration.hold_expires_at is None
    ):
        raise NoLongerTrue("the colleague has no held seat to confirm any more")
    if kind == MailKind.STILL_COMING:
        if status != Status.REGISTERED or not registration.is_confirmed:
            raise NoLongerTrue("the registration no longer has a seat")
        if timezone.now() >= registration.event.starts_at:
            raise NoLongerTrue("the event has started")
    if kind == MailKind.SEAT_OFFERED and not (
        registration.has_open_offer and timezone.now() < registration.offer_expires_at
    ):
        raise NoLongerTrue("the offer has been taken, has run out or was withdrawn")
    if kind == MailKind.OFFER_LAPSED and (status != Status.WAITLISTED or registration.has_open_offer):
        raise NoLongerTrue("the person has a seat or a new offer now")
    if kind == MailKind.SEAT_RELEASED and status != Status.RELEASED:
        raise NoLongerTrue(f"the registration is {status} now")
    if kind == MailKind.CANCELLATION:
        if status in ACTIVE_STATUSES:
            raise NoLongerTrue(f"the registration is {status} now")
        registered_again = Registration.objects.filter(
            event_id=registration.event_id,
            email=registration.email,
            status__in=ACTIVE_STATUSES,
            pk__gt=registration.pk,
        ).exists()
        if registered_again:
            # A receipt with a cancelling calendar file would now undo the new registration's entry.
            raise NoLongerTrue("the person has registered again")


def render_message(message) -> Rendered:
    """Compose a queued message about a registration (called by the mail worker)."""
    if message.kind in _NAME_THE_INVITER:
        registration = (
            Registration.objects.select_related("event__organisation", "invited_by")
            .filter(pk=message.registration_id)
            .order_by()
            .first()
        )
    else:  # a plain confirmation carries no one else's row: the query prepared once
        registration = registration_for_mail(message.registration_id)
    if registration is None:
        raise NothingToRender("the registration was deleted before the message was sent")
    kind = MailKind(message.kind)
    if kind not in _COMPOSERS:
        raise NothingToRender(f"registrations composes no {kind} messages")
    _ensure_still_true(registration, kind)
    # At hand-over, moments from now, the link and check-in code hooks need it too (links.registration_of).
    message.registration = registration
    return _COMPOSERS[kind](registration, kind)
