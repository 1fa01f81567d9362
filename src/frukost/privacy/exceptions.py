class PrivacyError(Exception):
    """Base for what a person can be told when a privacy request cannot be done."""


class AlreadyErased(PrivacyError):
    """The registration's personal data is gone already (a second click, another tab)."""


class LinkInvalid(PrivacyError):
    """A data-request link that is forged, expired (24 hours) or shows nothing any more."""
