"""Personal links: the only way an attendee reaches their registration (no accounts).

A link is a 192-bit random token in the URL `/r/<token>/`. The database keeps only a hash, and
the hash is derived per purpose (domain separation): a token minted for one purpose hashes to
something else under any other purpose, so a door code (CHECKIN) can never open the personal
page, and a colleague's invitation (CONFIRM) can never be used as the registrant's own link
(MANAGE). The lookup also checks the purpose of the row it finds.

What each purpose may do (the views ask `may_add_colleagues`):
- MANAGE, the person's own link: see, change their answers, add a colleague, cancel.
- CONFIRM, the link in a colleague's invitation and reminders: see their own registration,
  confirm it (with their own answers) and change those answers, decline or cancel it. It can
  never bring further people: whoever registered the colleague chose the address, so the link
  must not become a way to send more mail on the union's behalf.
- CHECKIN, reserved for the code shown at the door: opens no personal page at all.
- FEEDBACK, the link in the thank-you mail after the event: opens the person's feedback form
  (/r/<token>/aterkoppling/, frukost.followup) and nothing else.

A link stops working when it is revoked (its row deleted, `revoke_links`), when the
registration's personal data is erased (`anonymised_at`), and when the event ended more than
FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT days ago (`LinkExpired`, so the page can say so kindly).
The rule lives in the lookup, not only in the retention job that deletes old rows.

Links are minted when the mail is handed over (`mail.renderers.personalise`): the bodies in the
outbox hold a placeholder, never a usable token.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from frukost.core.sql import by_name, named, names, per_connection
from frukost.core.tokens import hash_token, new_token
from frukost.mail.renderers import NothingToRender, personal_link_placeholder
from frukost.mail.worker import with_hand_over
from frukost.registrations.enums import LinkPurpose
from frukost.registrations.exceptions import LinkExpired
from frukost.registrations.models import PersonalLink, Registration

# new_token() gives 32 characters of the URL-safe base64 alphabet. Anything else is refused
# before hashing, so no token can contain the ":" that separates a purpose from a token.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{32}")
# The "still coming?" page, below the personal page's own address: an e-mail's button points at
# the personal link's placeholder followed by this (public:registration-still-coming; a test
# checks the two agree).
STILL_COMING_PATH = "kommer-du/"
# The page of a seat offered from the waiting list (public:registration-offer), the same way.
OFFER_PATH = "plats/"
# The purposes a personal page (/r/<token>/…) accepts. CHECKIN is never among them.
PAGE_PURPOSES = (LinkPurpose.MANAGE, LinkPurpose.CONFIRM)


def link_hash(token: str, purpose: LinkPurpose | str) -> str:
    """The stored hash of a token for one purpose.

    MANAGE keeps the plain SHA-256 of the token that links had before purposes existed, so links
    e-mailed before the upgrade still open; every other purpose prefixes "<purpose>:". Tokens
    never contain ":" (TOKEN_FORMAT), so the inputs of two purposes can never be equal.
    """
    purpose = LinkPurpose(purpose)
    if purpose == LinkPurpose.MANAGE:
        return hash_token(token)
    return hash_token(f"{purpose.value}:{token}")


def purpose_for(registration: Registration) -> LinkPurpose:
    """The purpose of a link e-mailed to this person now: CONFIRM until a colleague confirms."""
    return LinkPurpose.MANAGE if registration.is_confirmed else LinkPurpose.CONFIRM


def mint_token(registration: Registration, purpose: LinkPurpose | str, *, message=None) -> str:
    """Store a new link's hash and return the raw token (which is kept nowhere)."""
    token = new_token()
    store_link(
        registration=registration, token_hash=link_hash(token, purpose), purpose=purpose, message=message
    )
    return token


# The columns a link's INSERT writes: every field of PersonalLink but its id.
_LINK_FIELDS = ("registration", "token_hash", "purpose", "message", "created_at")


def store_link(
    *,
    registration: Registration,
    token_hash: str,
    purpose: LinkPurpose | str,
    message=None,
    ignore_conflicts=False,
) -> None:
    """Store one PersonalLink row, as `PersonalLink.objects.create(...)` would (with
    `ignore_conflicts`, as `bulk_create([...], ignore_conflicts=True)`: nothing when the hash is
    stored already, a check-in code issued again).

    The INSERT is built once per process and connection (the ORM spent more CPU building each
    link's INSERT than the database spent running it; benchmarks/README.md, "Third pass: the mail
    worker"), its values through each field's own `get_db_prep_save`. A link minted for a message
    the worker is handing over is stored in that message's hand-over transaction
    (`mail.worker.with_hand_over`: one commit for the links, the check-in code and the hand-over);
    any other is stored at once."""
    purpose = LinkPurpose(purpose)
    db = connections[DEFAULT_DB_ALIAS]
    sql, fields, keys = _store_link_sql(db, ignore_conflicts)
    values = (registration.pk, token_hash, str(purpose.value), getattr(message, "pk", None), timezone.now())
    params = [
        field.get_db_prep_save(value, connection=db) for field, value in zip(fields, values, strict=True)
    ]
    with_hand_over(db, sql, named(keys, params) if keys else params)


@per_connection
def _store_link_sql(db, ignore_conflicts: bool):
    # Kept on the connection (core.sql.per_connection): one per thread, never serving another.
    fields = [PersonalLink._meta.get_field(name) for name in _LINK_FIELDS]
    query = InsertQuery(PersonalLink, on_conflict=OnConflict.IGNORE if ignore_conflicts else None)
    query.insert_values(fields, [PersonalLink(token_hash="", purpose=LinkPurpose.MANAGE)])
    compiler = query.get_compiler(connection=db)
    compiler.returning_fields = None
    ((sql, _params),) = compiler.as_sql()
    # By name where it can be: Django's SQLite cursor rewrites such a statement more cheaply.
    named_sql = by_name(sql, len(fields))
    if named_sql is None:
        return sql, fields, ()
    return named_sql, fields, names(len(fields))


def url_for_token(token: str, purpose: LinkPurpose | str = LinkPurpose.MANAGE) -> str:
    """The page a token opens: the feedback form for a FEEDBACK link, the personal page otherwise.

    A token minted here (TOKEN_FORMAT: no character `reverse` would quote) goes between the two
    halves of the URL reversed once for a sample token (`_around_token`): `reverse` cost more CPU
    than anything else in minting a link (benchmarks/README.md, "Fifth pass: the mail worker's
    own work"). Any other token is reversed as before."""
    name = "public:feedback" if purpose == LinkPurpose.FEEDBACK else "public:registration"
    if TOKEN_FORMAT.fullmatch(token):
        around = _around_token(
            name, settings.BASE_URL, get_script_prefix(), get_urlconf(settings.ROOT_URLCONF)
        )
        if around is not None:
            return around[0] + token + around[1]
    return settings.BASE_URL + reverse(name, kwargs={"token": token})


# A token of TOKEN_FORMAT that no part of a URL around it is expected to contain.
_SAMPLE_TOKEN = "Zq9-Zq9_Zq9-Zq9_Zq9-Zq9_Zq9-Zq9_"  # noqa: S105 - a placeholder, opens nothing


@functools.lru_cache(maxsize=16)
def _around_token(name: str, base_url: str, script_prefix: str, urlconf) -> tuple[str, str] | None:
    """What comes before and after the token in the URL `name` gives a token, for this base URL,
    script prefix and URLconf (everything `reverse` reads); None when the sample token does not
    stand in that URL exactly once as it is (then each token is reversed)."""
    url = base_url + reverse(name, kwargs={"token": _SAMPLE_TOKEN}, urlconf=urlconf)
    if url.count(_SAMPLE_TOKEN) != 1:
        return None
    before, after = url.split(_SAMPLE_TOKEN)
    return before, after


def issue_link(registration: Registration, purpose: LinkPurpose | str | None = None, *, message=None) -> str:
    """Mint a new personal link and return its absolute URL (the token is not kept)."""
    purpose = purpose or purpose_for(registration)
    return url_for_token(mint_token(registration, purpose, message=message), purpose)


def link_placeholder(registration: Registration) -> str:
    """What a composed e-mail carries where the link goes; replaced when the mail is handed over."""
    return personal_link_placeholder(purpose_for(registration).value)


def registration_of(message) -> Registration | None:
    """The registration a message is about, as the worker's hooks need it at hand-over.

    The registration the renderer loaded for this message moments ago in the same round (it
    puts it on the message: notifications.render_message) saves a query per hook; a message
    composed earlier (a retry, a kind composed when queued) is looked up afresh.
    """
    state = getattr(message, "_state", None)
    loaded = state.fields_cache.get("registration") if state is not None else None
    if loaded is not None and loaded.pk == message.registration_id:
        return loaded
    return Registration.objects.filter(pk=message.registration_id).first()


def link_for_message(message, purpose: str) -> str:
    """The mail worker's hook: mint the link for a message as it is handed to the mail server."""
    registration = registration_of(message)
    if registration is None or registration.anonymised_at is not None:
        raise NothingToRender("the registration was deleted or its data erased before sending")
    return issue_link(registration, LinkPurpose(purpose), message=message)


def discard_links_of(message) -> int:
    """The mail worker's hook: a message that will never be delivered takes its links with it."""
    deleted, _ = PersonalLink.objects.filter(message_id=message.pk).delete()
    return deleted


def expires_at(event) -> dt.datetime:
    return event.ends_at + dt.timedelta(days=settings.FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT)


def link_for_token(
    token: str, *, now: dt.datetime | None = None, purposes: tuple[LinkPurpose, ...] = PAGE_PURPOSES
) -> PersonalLink | None:
    """The link a personal page was opened with, or None (unknown, revoked, a door code, or the
    registration's data erased). Raises LinkExpired once the event is long over.

    `purposes` are those the page accepts: the personal pages' by default; the feedback form
    passes (FEEDBACK,) alone, so neither kind of link opens the other's page."""
    if not token or not TOKEN_FORMAT.fullmatch(token):
        return None
    matches = Q()
    for purpose in purposes:
        matches |= Q(token_hash=link_hash(token, purpose), purpose=purpose)
    link = (
        PersonalLink.objects.select_related("registration__event__organisation", "registration__invited_by")
        .filter(matches)
        .first()
    )
    if link is None or link.registration.anonymised_at is not None:
        return None
    event = link.registration.event
    if (now or timezone.now()) > expires_at(event):
        raise LinkExpired(event)
    return link


def registration_for_token(token: str, *, now: dt.datetime | None = None) -> Registration | None:
    """The registration a personal link opens, or None; an expired link is None here too."""
    try:
        link = link_for_token(token, now=now)
    except LinkExpired:
        return None
    return link.registration if link else None


def may_add_colleagues(link: PersonalLink) -> bool:
    return link.purpose == LinkPurpose.MANAGE


def revoke_links(registration: Registration) -> int:
    """Delete every link to the registration (a door code included); returns how many."""
    deleted, _ = PersonalLink.objects.filter(registration=registration).delete()
    return deleted
