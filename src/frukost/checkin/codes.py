"""The check-in code: eight characters a person can read out, type or show as a QR code.

The code is derived, not random: HMAC(SECRET_KEY, registration id) mapped onto an alphabet
without look-alikes (no 0/O, 1/I/L), grouped "K7QX-2MPA". Deriving lets the confirmation e-mail
and the personal page show the same code without any table holding a usable one. The database
keeps only a hash, as a PersonalLink with purpose CHECKIN (its own hash domain), so door staff's
lookup is one indexed query and `revoke_links` (erasure) takes the code with it. Rotating
SECRET_KEY changes every code; e-mails already sent then carry dead codes (the door can still
search by name).

A code only checks in: it is not a personal-link token (wrong length and alphabet, and a CHECKIN
hash is never looked up by the personal pages), so it cannot open, change or cancel anything.
Forty bits are plenty against guessing because only signed-in door staff can try codes.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings

from frukost.registrations.enums import LinkPurpose
from frukost.registrations.links import link_hash, registration_of, store_link
from frukost.registrations.models import PersonalLink, Registration

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols; ~39.6 bits in 8 characters
LENGTH = 8
_SALT = "frukost.checkin.code"


def code_for(registration: Registration) -> str:
    """The registration's code, grouped for reading: 'K7QX-2MPA'."""
    key = _key(settings.SECRET_KEY)
    return _grouped(hmac.new(key, str(registration.pk).encode(), hashlib.sha256).digest())


def codes_for(registration_ids: Iterable[int]) -> dict[int, str]:
    """code_for for many registrations at once (the door list for a device)."""
    key = _key(settings.SECRET_KEY)
    return {pk: _grouped(hmac.new(key, str(pk).encode(), hashlib.sha256).digest()) for pk in registration_ids}


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    """The HMAC key, derived as Django's salted_hmac(_SALT, …, algorithm="sha256") derives it
    from SECRET_KEY, once per secret instead of once per code (the mail worker asks for one code
    a message). Keyed by the secret itself, so a rotated SECRET_KEY gives new codes at once."""
    return hashlib.sha256(f"{_SALT}{secret}".encode()).digest()


def _grouped(digest: bytes) -> str:
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return f"{''.join(chars[:4])}-{''.join(chars[4:])}"


def normalise(text: str) -> str:
    """What a person typed or a scanner sent, as the 8 characters (case, spaces, dashes ignored)."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())[:32]


def issue_code(registration: Registration, *, message=None) -> str:
    """Make sure the code's hash is stored (idempotent) and return the code to show.

    Stored first for a message, the row goes with that message if it is never delivered."""
    code = code_for(registration)
    # One INSERT that does nothing when the hash is stored already (token_hash is unique): what
    # get_or_create did in a SELECT, a savepoint and an INSERT.
    store_link(
        registration=registration,
        token_hash=link_hash(normalise(code), LinkPurpose.CHECKIN),
        purpose=LinkPurpose.CHECKIN,
        message=message,
        ignore_conflicts=True,
    )
    return code


def registration_for_code(event, text: str) -> Registration | None:
    """The registration at this event whose code this is, or None."""
    code = normalise(text)
    if len(code) != LENGTH:
        return None
    link = (
        PersonalLink.objects.filter(
            token_hash=link_hash(code, LinkPurpose.CHECKIN),
            purpose=LinkPurpose.CHECKIN,
            registration__event=event,
            registration__anonymised_at__isnull=True,
        )
        .select_related("registration")
        .first()
    )
    return link.registration if link else None


def qr_png(code: str, *, scale: int = 6) -> bytes:
    """The code as a QR PNG, the very image segno makes (checkin/qr.py); PNG because many mail
    clients drop inline SVG."""
    from frukost.checkin import qr

    return qr.qr_png(code, scale=scale, border=4)


def code_for_message(message) -> tuple[str, bytes]:
    """The mail worker's hook: the code (hash stored now) and its QR PNG for the message."""
    from frukost.mail.renderers import NothingToRender

    registration = registration_of(message)
    if registration is None or registration.anonymised_at is not None:
        raise NothingToRender("the registration was deleted or its data erased before sending")
    code = issue_code(registration, message=message)
    return code, qr_png(code)
