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


class InvalidSuppression(Exception):
    """An entry for the do-not-mail list that cannot be made as given (no valid address, a note
    too long); the message says what to fix, `field` which input it is about ("email", "detail",
    "reason")."""

    def __init__(self, message: str, *, field: str = "email"):
        super().__init__(message)
        self.field = field


class AlreadySuppressed(Exception):
    """The address is on the do-not-mail list already (`reason` says why)."""

    def __init__(self, reason: str):
        super().__init__(f"the address is on the do-not-mail list already ({reason})")
        self.reason = reason


class UnsubscribeIsThePersons(Exception):
    """An unsubscribe is the person's own objection (GDPR art. 21(3)): only they can undo it, by
    asking for invitations again; an organiser cannot take the address off the list."""
