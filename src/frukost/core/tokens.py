"""Secrets in URLs: random, long enough, and stored only as hashes."""

import hashlib
import secrets


def new_token() -> str:
    """A URL-safe random token of 192 bits (the personal link needs at least 128)."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """SHA-256 of the token: enough for a random 192-bit secret (no salt or stretching needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_code(length: int = 10) -> str:
    """A short random public code (e.g. for iCal UIDs), never a primary key in a URL."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))
