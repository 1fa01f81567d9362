"""Message bodies rendered once per frame and filled in per recipient (issue 10).

Most of a message's body is the same for everyone who gets that kind of e-mail about an event in
one language: the organisation's name and colour, the event's facts, every translated sentence.
Only a few values are the recipient's own (greeting, paragraphs, status line, links). A frame is
the templates rendered once with a marker in each of those slots and cut at the markers; a
message joins the pieces with its own values, escaped as the template would have escaped them
(Django's autoescape: `conditional_escape` for HTML, `str` for a template with autoescape off).

What may go into a slot: a value the template prints as it is (`{{ value }}`, or a
`{% blocktranslate with name=value %}` argument), tested at most for being empty. A value that
passes through a filter (`urlize`, `linebreaks`, `truncatechars`, `capfirst`...) or is compared
must stay out of the slots and in the key, or be rendered per message.

The frame is keyed on everything else the templates read (the caller's `key`) and on which slot
values are empty (an `{% if %}` on a slot sees a marker as non-empty). The cache is per process,
bounded (least recently used out) and shared by the worker's threads.
"""

from __future__ import annotations

import functools
import html
import operator
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from django.utils.html import conditional_escape

# Private-use characters around a random word drawn for each frame: no template or translation
# writes them, and event text cannot foresee the word. Text that holds either character anyway
# makes its frame unusable (see _cut), never a wrong message.
_OPEN, _CLOSE = "\ue000", "\ue001"

_UNUSABLE = object()


def model_facts(*instances) -> tuple:
    """Every stored field of each instance, as it is now: for a key that changes whenever any of
    them does, saved or updated in bulk (`updated_at` alone misses an `update()`), and that no
    hand-kept list of fields can forget one of."""
    if len(instances) == 2:  # the event and its organisation, twice a message
        first, second = instances
        return _getter(type(first))(first) + _getter(type(second))(second)
    return tuple(value for instance in instances for value in _getter(type(instance))(instance))


@functools.cache
def _getter(model) -> operator.attrgetter:
    # Built once per model: constructing it parses and interns every field name again.
    names = tuple(field.attname for field in model._meta.concrete_fields)
    getter = operator.attrgetter(*names)
    return getter if len(names) > 1 else lambda instance: (getter(instance),)


def _cut(rendered: str, word: str, slots: int) -> tuple[str | int, ...] | None:
    """Literal pieces and slot numbers alternately; None if the text holds a marker character
    that is not part of a marker written (the event's own text, say)."""
    pieces = re.split(f"{_OPEN}{word}([0-9]+){_CLOSE}", rendered)
    if any(_OPEN in piece or _CLOSE in piece for piece in pieces[0::2]):
        return None
    if any(int(number) >= slots for number in pieces[1::2]):
        return None
    return tuple(piece if i % 2 == 0 else int(piece) for i, piece in enumerate(pieces))


def _escape(value) -> str:
    """conditional_escape's text for a value: a plain str straight through html.escape, as
    Django's escape() does, without its lazy-argument wrapper and SafeString around it (the
    pieces are joined into a str anyway); anything else through conditional_escape itself."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value)


class FrameCache:
    """Frames of one pair (or more) of templates; `escape[i]` says whether output i is HTML."""

    def __init__(self, *, size: int, escape: Sequence[bool]) -> None:
        self._size = size
        self._escape = tuple(escape)
        self._frames: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()

    def __len__(self) -> int:
        return len(self._frames)

    def render(
        self,
        key: Hashable,
        values: Sequence[str],
        build: Callable[[Sequence[str]], Sequence[str]],
    ) -> tuple[str, ...] | None:
        """The outputs with `values` in their slots, or None when this frame cannot be used
        (then the caller renders the message in full).

        `build(slots)` renders the templates with `slots[i]` where `values[i]` goes: a marker,
        or "" for an empty value. It is called once per key and shape.
        """
        full_key = (key, tuple(not value for value in values))
        with self._lock:
            frame = self._frames.get(full_key)
            if frame is not None:
                self._frames.move_to_end(full_key)
        if frame is None:
            word = secrets.token_hex(8)
            slots = [f"{_OPEN}{word}{i}{_CLOSE}" if value else "" for i, value in enumerate(values)]
            cut = [_cut(output, word, len(values)) for output in build(slots)]
            frame = _UNUSABLE if any(pieces is None for pieces in cut) else tuple(cut)
            with self._lock:
                self._frames[full_key] = frame
                if len(self._frames) > self._size:
                    self._frames.popitem(last=False)
        if frame is _UNUSABLE:
            return None
        escaped = None
        outputs = []
        for pieces, is_html in zip(frame, self._escape, strict=True):
            if is_html:
                if escaped is None:
                    escaped = [_escape(value) for value in values]
                filled = escaped
            else:
                filled = [str(value) for value in values]
            outputs.append("".join(piece if i % 2 == 0 else filled[piece] for i, piece in enumerate(pieces)))
        return tuple(outputs)
