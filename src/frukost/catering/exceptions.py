class CateringError(Exception):
    """Base for what an organiser can be told when a catering action is refused."""


class NoVenueContact(CateringError):
    """The event has no venue contact e-mail to send the list to."""


class InvalidCateringPlan(CateringError):
    """A catering setting is out of range (e.g. a negative or huge book margin), with the reasons
    per field (field name -> messages, in the active language)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
