"""What the steps of one round of work may share: a dict that lives for the round, in its thread.

    with rounds.round_of_work():         # the mail worker: the messages of one claim
        ...
        kept = rounds.kept()             # inside: the round's dict; outside any round: None

A round is bounded (the mail worker's is the messages of one claim: ten transactional ones, or
one bulk batch of FRUKOST_MAIL_BULK_BATCH), but it lasts
as long as its steps do (each message's send included), so what one step keeps here for the
next must be checked before it is used, not assumed fresh: the mail worker keeps an event and
checks it against the event's fingerprint in each later message's row (registrations.queries,
`registration_for_mail`). Only what every step of the round may see belongs here: nothing of
one person for another's step. A nested round is the outer one's; the dict is dropped when the
outermost round ends, whatever it ended with.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def round_of_work() -> Iterator[dict]:
    """A round in this thread (see the module's docstring); yields its dict."""
    current = getattr(_state, "kept", None)
    if current is not None:  # nested: the outer round goes on
        yield current
        return
    _state.kept = {}
    try:
        yield _state.kept
    finally:
        _state.kept = None


def kept() -> dict | None:
    """The current round's dict in this thread, or None outside a round."""
    return getattr(_state, "kept", None)
