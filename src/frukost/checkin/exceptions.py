class CheckInError(Exception):
    """Base for what door staff can be told when a check-in action is refused (message in the
    active language)."""


class NoSeat(CheckInError):
    """The person has no seat: on the waiting list, cancelled, released or not yet confirmed."""


class UnknownCode(CheckInError):
    """The code typed or scanned belongs to nobody with a seat at this event."""


class NotCheckedIn(CheckInError):
    """A book or an undo was asked for someone who has not been checked in."""


class AttendanceNotYet(CheckInError):
    """Attendance cannot be corrected before the event has started, nor closed before it has ended,
    nor kept for a cancelled event."""
