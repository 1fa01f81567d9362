class NotAllowed(Exception):
    """The person's role does not grant the permission the action needs."""


class LastOwner(Exception):
    """The organisation would be left without an owner."""


class InvitationInvalid(Exception):
    """The invitation link has expired, was withdrawn, or was used already."""
