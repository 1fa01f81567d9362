"""Why a change to who belongs to an organisation was refused. The message is for the person."""

from __future__ import annotations


class NotAllowed(Exception):
    """The person's role does not grant the permission the action needs."""


class LastOwner(Exception):
    """The organisation would be left without an owner."""


class AlreadyMember(Exception):
    """The address belongs to someone who is a member of the organisation already."""


class AccountExists(Exception):
    """The invited address has an account: its owner signs in first, then accepts."""


class InvitationInvalid(Exception):
    """The invitation link is unknown, has expired, was withdrawn, or was used already.

    `reason` is one of REASONS, so that a page can tell "no such link" (404) from "no longer
    valid" (410).
    """

    REASONS = ("unknown", "expired", "withdrawn", "used", "other_account")

    def __init__(self, reason: str, message: str = ""):
        assert reason in self.REASONS, reason
        self.reason = reason
        super().__init__(message or reason)


class InvalidInput(Exception):
    """Input a service refuses, with the reasons per field (field name → messages)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
