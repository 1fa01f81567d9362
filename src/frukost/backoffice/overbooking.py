"""What the back office says about overbooking: always, and with its basis (never silently).

The public page shows only the larger number of seats (Event.seat_limit); these sentences are
for organisers: the event overview and statistics, and the hint by the field in the event form.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frukost.checkin.overbooking import OverbookingBasis, overbooking_basis
from frukost.events.models import Event


def _history(basis: OverbookingBasis) -> str:
    rate = basis.rate
    assert rate is not None
    return ngettext(
        "given that %(percent)d %% did not come the last time",
        "given that %(percent)d %% did not come the last %(events)d times",
        rate.events,
    ) % {"percent": basis.percent, "events": rate.events}


def overbooking_line(event: Event, basis: OverbookingBasis | None = None) -> str:
    """ "Overbooked by 4 seats (of 60) – given that 7 % did not come the last 5 times", or
    "… (no history in the series)"; empty when the event is not overbooked."""
    if not event.overbooking:
        return ""
    basis = basis or overbooking_basis(event)
    head = ngettext(
        "Overbooked by %(extra)d seat (of %(capacity)d)",
        "Overbooked by %(extra)d seats (of %(capacity)d)",
        event.overbooking,
    ) % {"extra": event.overbooking, "capacity": event.capacity}
    if basis.rate is None:
        return _("%(overbooked)s (no history in the series)") % {"overbooked": head}
    return f"{head} – {_history(basis)}"


def suggestion_hint(basis: OverbookingBasis) -> str:
    """The form's hint: the suggested number and what it rests on."""
    if not basis.in_series:
        return _("No suggestion: put the event in a series, and its past no-shows give one.")
    if basis.rate is None:
        return _("No suggestion yet: no earlier event in the series has its attendance closed.")
    return ngettext(
        "Suggestion: %(seats)d extra seat – %(history)s in the series (%(percent)d %% of %(capacity)d "
        "seats, rounded down).",
        "Suggestion: %(seats)d extra seats – %(history)s in the series (%(percent)d %% of %(capacity)d "
        "seats, rounded down).",
        basis.suggestion,
    ) % {
        "seats": basis.suggestion,
        "history": _history(basis),
        "percent": basis.percent,
        "capacity": basis.capacity,
    }
