class MessagingError(Exception):
    """Base for what an organiser can be told when a message is refused."""


class InvalidAnnouncement(MessagingError):
    """The text breaks a rule (a line break in the subject, too long, empty …).

    `errors` maps the field name ("subject", "body", "subject_en", "body_en") to a message in
    the current language.
    """

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class NoRecipients(MessagingError):
    """Nobody in the chosen audience right now."""
