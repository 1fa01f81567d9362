"""How many extra registrations an event could take, from its series' no-show rate.

The suggestion is floor(capacity × rate) over the series' last closed events before this one
(attendance.series_no_show_rate), never above the most an event may overbook (half its seats).
It is only a suggestion: the organiser chooses `Event.overbooking`, and the back office always
says what was chosen and on what basis.
"""

from __future__ import annotations

from dataclasses import dataclass

from frukost.checkin.attendance import NoShowRate, series_no_show_rate
from frukost.events.models import Event, max_overbooking

# How many of the series' past events the rate is taken from.
HISTORY_EVENTS = 5


@dataclass(frozen=True)
class OverbookingBasis:
    """The suggestion for an event and what it rests on (`rate` None: no history to go on)."""

    capacity: int
    suggestion: int
    rate: NoShowRate | None
    in_series: bool

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate.rate * 100)


def overbooking_basis(event: Event, *, capacity: int | None = None) -> OverbookingBasis:
    """The suggested overbooking for the event (or for it with another capacity)."""
    capacity = event.capacity if capacity is None else capacity
    rate = None
    if event.series_id is not None:
        before = event if event.starts_at else None
        rate = series_no_show_rate(event.series_id, before=before, last=HISTORY_EVENTS)
    # In whole numbers: capacity × no_shows / expected, rounded down (a float could give 28.999…).
    seats = 0 if rate is None else capacity * rate.no_shows // rate.expected
    return OverbookingBasis(
        capacity=capacity,
        suggestion=min(seats, max_overbooking(capacity)),
        rate=rate,
        in_series=event.series_id is not None,
    )
