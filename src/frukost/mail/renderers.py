"""Composing queued messages just before they are sent.

A domain app registers one function per mail kind (see frukost.registrations.apps); the
worker calls it for a message that was queued without bodies. mail itself knows nothing about
registrations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str
    ics: str = ""


class NothingToRender(Exception):
    """What the message was about is gone (e.g. deleted on the retention schedule)."""


class NoLongerTrue(Exception):
    """The message would describe a state that has changed since it was queued.

    A renderer raises it when, say, a confirmation ("you have a seat") is composed after the
    person cancelled. The worker records the message as skipped: not sent, not retried, no alarm.
    """


_renderers: dict[str, Callable] = {}


def register_renderer(kinds, function: Callable) -> None:
    for kind in kinds:
        _renderers[str(kind)] = function


def compose(message) -> bool:
    """Fill in subject and bodies of a message queued without them, in memory only; returns
    whether it composed them now (False: composed when queued, or by an earlier attempt that
    kept them). For the message the worker has claimed.

    The worker stores what it composed only where it is needed: the subject with the hand-over,
    the bodies only when the message is to be retried (mail.worker). A message whose bodies were
    not kept (one requeued after its worker stopped mid-send) is composed afresh.
    """
    if message.rendered_at is not None and message.body_text:
        return False
    try:
        renderer = _renderers[message.kind]
    except KeyError as exc:
        if message.rendered_at is not None:
            return False  # composed when queued, its bodies blanked since (erased): sent as it is
        raise NothingToRender(f"no renderer for mail kind {message.kind!r}") from exc
    rendered = renderer(message)
    message.subject = rendered.subject
    message.body_text = rendered.body_text
    message.body_html = rendered.body_html
    message.ics = rendered.ics
    message.rendered_at = timezone.now()
    return True


def render_pending(message) -> None:
    """Fill in subject and bodies of a message queued without them (and save them)."""
    if message.rendered_at is None and compose(message):
        message.save(update_fields=["subject", "body_text", "body_html", "ics", "rendered_at"])


# --- Personal links: minted when the message is handed over, never stored -------------------
# A composed message carries a placeholder where a personal link goes (one per purpose, e.g.
# "[[frukost-personal-link:manage]]"); the worker replaces it in memory just before handing the
# message to the mail server, minting the link through the hook a domain app registered. So the
# outbox never holds a usable token: not while queued, not after a failure, not after sending.
_PLACEHOLDER = re.compile(r"\[\[frukost-personal-link:([a-z]+)\]\]")
_link_hooks: dict[str, Callable] = {}
# Hooks for particular kinds (an invitation's links belong to an invitee, not a registration).
_kind_link_hooks: dict[str, dict[str, Callable]] = {}


def personal_link_placeholder(purpose: str) -> str:
    return f"[[frukost-personal-link:{purpose}]]"


def register_link_hooks(*, issue: Callable, discard: Callable, kinds=None) -> None:
    """`issue(message, purpose) -> url` mints a link for the message; `discard(message)` deletes
    the links minted for a message that will never be delivered.

    Without `kinds` the hooks are the default, for mail about a registration (the message's
    registration is required). With `kinds` they serve only messages of those kinds, which need
    no registration (an invitation's links are its invitee's).
    """
    if kinds is None:
        _link_hooks["issue"] = issue
        _link_hooks["discard"] = discard
        return
    for kind in kinds:
        _kind_link_hooks[str(kind)] = {"issue": issue, "discard": discard}


def _hooks_for(message) -> dict[str, Callable]:
    return _kind_link_hooks.get(message.kind, _link_hooks)


def link_urls(message, purposes) -> dict[str, str]:
    """Mint one link per purpose for the message, as it is handed over (never stored)."""
    hooks = _hooks_for(message)
    if hooks is _link_hooks and message.registration_id is None:
        raise NothingToRender("the registration was deleted before the message was sent")
    return {purpose: hooks["issue"](message, purpose) for purpose in purposes}


def personalise(message) -> tuple[str, str]:
    """The message's text and HTML bodies with each placeholder replaced by a fresh link.

    Nothing is saved: the link exists only in what is handed to the mail server (and as a hash).
    """
    body_text, body_html, _urls = _personalise(message)
    return body_text, body_html


UNSUBSCRIBE = "unsubscribe"


def _personalise(message) -> tuple[str, str, dict[str, str]]:
    purposes = set(_PLACEHOLDER.findall(message.body_text + message.body_html))
    if getattr(message, "list_unsubscribe", False):
        purposes.add(UNSUBSCRIBE)  # the List-Unsubscribe header's URL, the same as the body's
    if not purposes:
        return message.body_text, message.body_html, {}
    urls = link_urls(message, sorted(purposes))

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda match: urls[match.group(1)], text)

    return fill(message.body_text), fill(message.body_html), urls


# --- The check-in code: also filled in at hand-over, with its QR code as an inline image ------
# "[[frukost-checkin-code]]" becomes the code ("K7QX-2MPA"), "[[frukost-checkin-qr]]" the
# image's address in the HTML ("cid:…"): the worker attaches the PNG as a multipart/related
# part with that Content-ID. CID images are shown by Gmail, Outlook and Apple Mail, where data:
# URIs are dropped by Gmail and Outlook and inline SVG by most clients.
CHECKIN_CODE_PLACEHOLDER = "[[frukost-checkin-code]]"
CHECKIN_QR_PLACEHOLDER = "[[frukost-checkin-qr]]"
CHECKIN_QR_CID = "incheckning-qr@frukost"
_code_hooks: dict[str, Callable] = {}


def register_checkin_code_hook(issue: Callable) -> None:
    """`issue(message) -> (code, png_bytes)` for the message's registration."""
    _code_hooks["issue"] = issue


@dataclass(frozen=True)
class Personalised:
    body_text: str
    body_html: str
    inline_images: tuple[tuple[str, bytes], ...] = ()  # (Content-ID, PNG)
    # The unsubscribe URL minted for a message with list_unsubscribe (for its headers).
    unsubscribe_url: str = ""


def personalise_with_images(message) -> Personalised:
    """`personalise`, plus the check-in code and its QR image where the message asks for them."""
    body_text, body_html, urls = _personalise(message)
    unsubscribe_url = urls.get(UNSUBSCRIBE, "")
    if CHECKIN_CODE_PLACEHOLDER not in body_text + body_html and CHECKIN_QR_PLACEHOLDER not in body_html:
        return Personalised(body_text, body_html, unsubscribe_url=unsubscribe_url)
    if message.registration_id is None or "issue" not in _code_hooks:
        raise NothingToRender("no registration to give a check-in code to")
    code, png = _code_hooks["issue"](message)

    def fill(text: str) -> str:
        return text.replace(CHECKIN_CODE_PLACEHOLDER, code).replace(
            CHECKIN_QR_PLACEHOLDER, f"cid:{CHECKIN_QR_CID}"
        )

    images = ((CHECKIN_QR_CID, png),) if CHECKIN_QR_PLACEHOLDER in body_html else ()
    return Personalised(fill(body_text), fill(body_html), images, unsubscribe_url=unsubscribe_url)


def discard_links(message) -> None:
    """A message that will never be delivered: delete any link minted for it."""
    hooks = _hooks_for(message)
    if "discard" in hooks:
        hooks["discard"](message)
