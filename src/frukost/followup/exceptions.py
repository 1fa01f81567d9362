class FollowUpError(Exception):
    """Base for what an organiser or an attendee can be told when a follow-up step is refused."""


class AttendanceOpen(FollowUpError):
    """The no-shows are not known until the event's attendance is closed."""


class NoRecipients(FollowUpError):
    """Nobody (left) to send to: everyone has had it already, or nobody has an address."""


class InvalidFeedback(FollowUpError):
    """The feedback breaks a rule; `errors` maps a field name to a message in the active language."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class NotSendableNow(FollowUpError):
    """Before the event has ended, or (the thank-you) once its feedback links would no longer open;
    the message, in the active language, says which."""
