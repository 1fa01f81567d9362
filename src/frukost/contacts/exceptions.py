"""Why a change to the contacts was refused."""

from __future__ import annotations


class InvalidConsent(Exception):
    """A consent without an address or without the text the person was shown cannot be recorded."""
