class RegistrationError(Exception):
    """Base for what a person can be told when a registration change is refused."""


class RegistrationClosed(RegistrationError):
    """The deadline has passed (or the event has started)."""


class EventNotOpen(RegistrationError):
    """The event is a draft or cancelled."""


class ColleagueLimitReached(RegistrationError):
    """The registration already brings as many colleagues as the event allows."""


class ColleagueNotAllowed(RegistrationError):
    """The colleague's address is the registrant's own, or appears twice."""


class SeatReleased(RegistrationError):
    """A colleague tried to confirm after their held seat was released."""


class NotActive(RegistrationError):
    """The registration is cancelled or released and cannot be changed."""


class EmailAlreadyRegistered(RegistrationError):
    """Another active registration for the event already has this e-mail address."""


class InvalidRegistrationData(RegistrationError):
    """A name or an address the service cannot store (empty, malformed); `field` names which."""

    def __init__(self, field: str, message: str = ""):
        super().__init__(message or field)
        self.field = field


class NoAddress(RegistrationError):
    """The person gave no e-mail address (a walk-in at the door): there is nothing to send to."""


class NotWaitlisted(RegistrationError):
    """Only someone on the waiting list can be moved up."""


class NoFreeSeat(RegistrationError):
    """Every seat is taken: nobody can be moved up until one is freed or capacity is raised."""


class InvitationHeld(RegistrationError):
    """A colleague whose invitation waits for the person who brought them to confirm their
    address (confirm-your-address mode): nothing may mail them before that."""


class ExportError(Exception):
    """Base for refused exports (see registrations.exports)."""


class UnknownColumn(ExportError):
    """A column key that is not in the catalogue, or no column at all."""


class UnknownStatus(ExportError):
    """A registration status that does not exist, or none at all."""


class UnknownFormat(ExportError):
    """Neither CSV nor XLSX."""


class SpecialCategoryNotAllowed(ExportError):
    """Membership, diet or needs columns asked for by a member whose role may not see them."""


class LinkExpired(RegistrationError):
    """A personal link of an event that ended long ago (FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT)."""

    def __init__(self, event):
        super().__init__("the personal link has expired")
        self.event = event


class OfferExpired(RegistrationError):
    """The seat offered from the waiting list was not taken by the deadline (it has gone, or is
    going, to the next in the queue); the person is still on the waiting list."""


class NoSeatOffered(RegistrationError):
    """Nobody offered this person a seat, and none stands free: they are waiting in the queue."""
