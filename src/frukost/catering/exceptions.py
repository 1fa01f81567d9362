class CateringError(Exception):
    """Base for what an organiser can be told when a catering action is refused."""


class NoVenueContact(CateringError):
    """The event has no venue contact e-mail to send the list to."""


class InvalidCateringPlan(CateringError):
    """A catering setting is out of range (e.g. a negative or huge book margin)."""
