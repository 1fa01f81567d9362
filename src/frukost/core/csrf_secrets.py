"""Django's CSRF secrets and masks drawn with one read of the system's randomness (issue 10).

Every page with a form (the language switch is on every public page) masks its CSRF token, and a
new visitor also gets a new secret: 32 characters each, which Django draws with
`get_random_string`, one `SystemRandom.choice` and so one `os.urandom` system call per character.
That was 64 system calls, about 0.15–0.2 ms of CPU, for an event page whose whole floor is about
1 ms. `new_csrf_string` draws the same thing (32 characters, each uniform over Django's 62
allowed characters, from the operating system's CSPRNG) from one `os.urandom` call: a byte below
248 (4 × 62) maps to a character by its remainder, uniformly; a byte of 248 or more is dropped
and another drawn, as SystemRandom drops out-of-range bits. Nothing else changes: the tokens
have Django's format and Django checks them (tests/core/test_csrf_secrets.py).

`install()` (CoreConfig.ready) puts it in place of django.middleware.csrf._get_new_csrf_string,
which Django calls by its module-global name for both the secret and the mask, and puts
`mask_cipher_secret` (the same sums, looked up in a table) in place of _mask_cipher_secret.
"""

from __future__ import annotations

import os

from django.middleware import csrf

_CHARS = csrf.CSRF_ALLOWED_CHARS
_LENGTH = csrf.CSRF_SECRET_LENGTH
_LIMIT = 256 - 256 % len(_CHARS)  # 248: the bytes that map uniformly onto the 62 characters
# One character for each byte value below _LIMIT (bytes.translate's table: 256 entries, the
# ones from _LIMIT on never used, since those bytes are deleted first).
_TABLE = "".join(_CHARS[value % len(_CHARS)] for value in range(_LIMIT))
_BYTE_TABLE = _TABLE.encode("ascii") + bytes(256 - _LIMIT)
_DROPPED = bytes(range(_LIMIT, 256))


def new_csrf_string() -> str:
    """32 characters, each uniform over CSRF_ALLOWED_CHARS, from one os.urandom call (usually)."""
    drawn = b""
    while len(drawn) < _LENGTH:
        # 40 bytes: fewer than 32 usable ones happens about once in 300,000 draws. translate()
        # drops the bytes of _LIMIT and above and maps the rest, in C.
        drawn += os.urandom(40).translate(_BYTE_TABLE, _DROPPED)
    return drawn[:_LENGTH].decode("ascii")


# (secret character, mask character) -> the cipher character, as Django's _mask_cipher_secret adds them.
_ADD = {
    (secret, mask): _CHARS[(i + j) % len(_CHARS)]
    for i, secret in enumerate(_CHARS)
    for j, mask in enumerate(_CHARS)
}


def mask_cipher_secret(secret: str) -> str:
    """Django's _mask_cipher_secret (a new mask, then each secret character shifted by the mask's),
    with the sums looked up instead of found with two `str.index` calls per character."""
    mask = new_csrf_string()
    return mask + "".join(map(_ADD.__getitem__, zip(secret, mask, strict=False)))


def install() -> None:
    csrf._get_new_csrf_string = new_csrf_string
    csrf._mask_cipher_secret = mask_cipher_secret
