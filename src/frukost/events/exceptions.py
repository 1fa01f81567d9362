"""What an organiser is told when a change to an event is refused. Each carries its message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class EventError(Exception):
    """Base for refused event changes; `message` is a sentence for the organiser."""

    message = _("This change cannot be made to the event.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class InvalidEvent(EventError):
    """The values do not make an event (an end before the start, …). `errors`: field -> messages."""

    message = _("Correct the event's details.")

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__()


class WrongStatus(EventError):
    """The action does not fit the event's status (publishing a cancelled event, …)."""


class CapacityBelowSeatsTaken(EventError):
    """Fewer seats than people who already have one: nobody is ever moved out by a capacity change."""

    def __init__(self, *, capacity: int, seats_taken: int, overbooking: int = 0):
        self.capacity = capacity
        self.seats_taken = seats_taken
        if overbooking:
            super().__init__(
                ngettext(
                    "%(taken)d person already has a seat and %(extra)d are taken by overbooking, so the "
                    "event cannot have fewer than %(least)d seat. To make room, cancel registrations first.",
                    "%(taken)d people already have a seat and %(extra)d are taken by overbooking, so the "
                    "event cannot have fewer than %(least)d seats. To make room, cancel registrations first.",
                    seats_taken - overbooking,
                )
                % {"taken": seats_taken, "extra": overbooking, "least": seats_taken - overbooking}
            )
            return
        super().__init__(
            ngettext(
                "%(taken)d person already has a seat, so the event cannot have fewer than %(taken)d seat. "
                "To make room, cancel registrations first.",
                "%(taken)d people already have a seat, so the event cannot have fewer than %(taken)d seats. "
                "To make room, cancel registrations first.",
                seats_taken,
            )
            % {"taken": seats_taken}
        )
