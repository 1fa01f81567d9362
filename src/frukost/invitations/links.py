"""The links in an invitation mail: one to answer it, one to unsubscribe.

Like a registration's personal link (registrations.links) a link is a 192-bit random token in the
URL, minted as the mail is handed to the mail server (the mail worker calls `issue_link` through
the hooks registered for the invitation kinds); the database keeps only its hash, in a domain of
its own per purpose ("invitation-invite:", "invitation-unsubscribe:"), so neither kind of token
opens the other's page, and no invitation token ever hashes to a registration's link.

- INVITE, `/i/<token>/`: the event page with the form filled in from the list (or, for a series,
  its open events), and `/i/<token>/kan-inte-komma/`, "I can't come" (a page with a button).
- UNSUBSCRIBE, `/i/<token>/avregistrera/`: the page with the unsubscribe button, and the mail
  client's RFC 8058 one-click POST to the same URL (the List-Unsubscribe header's).

An answer link stops opening FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT days after the (last) event;
an unsubscribe link works as long as the invitee is kept (RFC 8058 asks that it keep working).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from frukost.core.tokens import hash_token, new_token
from frukost.events.models import Event
from frukost.invitations.enums import LinkPurpose
from frukost.invitations.models import InvitationLink, Invitee
from frukost.mail.renderers import NothingToRender, personal_link_placeholder

TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{32}")
# "I can't come": below the answer link's own address (the mail's second button is the INVITE
# placeholder followed by this; a test checks it agrees with public:invitation-decline).
DECLINE_PATH = "kan-inte-komma/"


class LinkExpired(Exception):
    """The invitation's event is long over."""

    def __init__(self, invitee: Invitee):
        super().__init__("invitation link expired")
        self.invitee = invitee


def link_hash(token: str, purpose: LinkPurpose | str) -> str:
    return hash_token(f"invitation-{LinkPurpose(purpose).value}:{token}")


def url_for_token(token: str, purpose: LinkPurpose | str) -> str:
    name = (
        "public:invitation-unsubscribe"
        if LinkPurpose(purpose) == LinkPurpose.UNSUBSCRIBE
        else "public:invitation"
    )
    return settings.BASE_URL + reverse(name, kwargs={"token": token})


def mint_link(invitee: Invitee, purpose: LinkPurpose | str, *, message_id: int | None = None) -> str:
    """Store a new link's hash and return its absolute URL (the token is kept nowhere)."""
    token = new_token()
    InvitationLink.objects.create(
        invitee=invitee,
        purpose=LinkPurpose(purpose),
        token_hash=link_hash(token, purpose),
        message_id=message_id,
    )
    return url_for_token(token, purpose)


def invite_placeholder() -> str:
    return personal_link_placeholder(LinkPurpose.INVITE.value)


def unsubscribe_placeholder() -> str:
    return personal_link_placeholder(LinkPurpose.UNSUBSCRIBE.value)


def link_for_message(message, purpose: str) -> str:
    """The mail worker's hook for the invitation kinds: mint the link as the mail is handed over.

    It is also the last moment before the mail server, on every attempt: a message retried after
    a temporary refusal is not composed again, so the do-not-mail list and the invitee's answer
    are asked once more here (composer.ensure_still_due raises NoLongerTrue, and the worker skips
    the message and discards any link minted for it)."""
    from frukost.invitations.composer import ensure_still_due  # composer imports this module

    invitee = (
        Invitee.objects.select_related("invitation_list__organisation", "invitation_list__event")
        .filter(pk=message.ref_id)
        .first()
    )
    if invitee is None:
        raise NothingToRender("the invitee was deleted before the message was sent")
    try:
        purpose = LinkPurpose(purpose)
    except ValueError as exc:
        raise NothingToRender(f"an invitation has no {purpose!r} link") from exc
    # Once per attempt (an attempt mints both links), not once per link.
    if getattr(message, "_still_due_at_attempt", None) != message.attempts:
        ensure_still_due(invitee)
        message._still_due_at_attempt = message.attempts
    return mint_link(invitee, purpose, message_id=message.pk)


def discard_links_of(message) -> int:
    """The mail worker's hook: a message never delivered takes its links with it."""
    deleted, _ = InvitationLink.objects.filter(message_id=message.pk).delete()
    return deleted


def list_ends_at(invitation_list) -> dt.datetime | None:
    """When the list's (last) event ends."""
    if invitation_list.event_id:
        return invitation_list.event.ends_at
    return Event.objects.filter(series_id=invitation_list.series_id).aggregate(last=Max("ends_at"))["last"]


def invitee_for_token(
    token: str, purpose: LinkPurpose | str, *, now: dt.datetime | None = None
) -> Invitee | None:
    """The invitee a link opens, or None (unknown or deleted). Raises LinkExpired for an answer
    link once its event is long over (an unsubscribe link never expires)."""
    if not token or not TOKEN_FORMAT.fullmatch(token):
        return None
    purpose = LinkPurpose(purpose)
    link = (
        InvitationLink.objects.select_related(
            "invitee__invitation_list__organisation",
            "invitee__invitation_list__event__organisation",
            "invitee__invitation_list__series",
        )
        .filter(token_hash=link_hash(token, purpose), purpose=purpose)
        .first()
    )
    if link is None:
        return None
    invitee = link.invitee
    if purpose == LinkPurpose.INVITE:
        ends_at = list_ends_at(invitee.invitation_list)
        limit = dt.timedelta(days=settings.FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT)
        if ends_at is not None and (now or timezone.now()) > ends_at + limit:
            raise LinkExpired(invitee)
    return invitee
