"""Why a change to the contacts was refused."""

from __future__ import annotations


class InvalidConsent(Exception):
    """A consent without an address or without the text the person was shown cannot be recorded."""


class NoConsent(Exception):
    """A lead is recorded only when the person said yes: without the words they saw there is none."""


class InvalidLead(Exception):
    """A lead that cannot be recorded as given: no address, an unknown kind, another organisation's event."""


class NoteTooLong(Exception):
    """The representative's note is longer than the field holds."""
