class CheckInError(Exception):
    """Base for what door staff can be told when a check-in action is refused (message in the
    active language)."""


class NoSeat(CheckInError):
    """The person has no seat: on the waiting list, cancelled, released or not yet confirmed."""


class UnknownCode(CheckInError):
    """The code typed or scanned belongs to nobody with a seat at this event."""


class NotCheckedIn(CheckInError):
    """A book or an undo was asked for someone who has not been checked in."""


class WalkInRefused(CheckInError):
    """A walk-in cannot be registered: the event is a draft, cancelled or over."""


class EventFull(WalkInRefused):
    """Every seat is taken. `can_decide`: the person asking may give a seat beyond capacity."""

    def __init__(self, message: str, *, can_decide: bool):
        super().__init__(message)
        self.can_decide = can_decide


class InvalidWalkIn(WalkInRefused):
    """A name left empty or a malformed address; `field` names which."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class AttendanceNotYet(CheckInError):
    """Attendance cannot be corrected before the event has started, nor closed before it has ended,
    nor kept for a cancelled event."""


class CheckInUndone(CheckInError):
    """A resent check-in tap whose check-in has been undone since: it is not applied again."""


class Superseded(CheckInError):
    """An undo tapped offline for something done again after the tap (checked in again, the book
    marked again): what was done later stands."""


class InvalidBatch(CheckInError):
    """A sync batch that cannot be read or names people who are not at this event: nothing applied."""
