"""Composing queued messages just before they are sent.

A domain app registers one function per mail kind (see frukost.registrations.apps); the
worker calls it for a message that was queued without bodies. mail itself knows nothing about
registrations.
"""

from __future__ import annotations

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


def render_pending(message) -> None:
    """Fill in subject and bodies of a message queued without them (and save them)."""
    if message.rendered_at is not None:
        return
    try:
        renderer = _renderers[message.kind]
    except KeyError as exc:
        raise NothingToRender(f"no renderer for mail kind {message.kind!r}") from exc
    rendered = renderer(message)
    message.subject = rendered.subject
    message.body_text = rendered.body_text
    message.body_html = rendered.body_html
    message.ics = rendered.ics
    message.rendered_at = timezone.now()
    message.save(update_fields=["subject", "body_text", "body_html", "ics", "rendered_at"])
