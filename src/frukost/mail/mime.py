"""The worker's e-mails: built as Django and the standard library build them, written more cheaply.

`Email` is Django's `EmailMultiAlternatives` with what the worker adds: inline images (a
multipart/related inside the multipart/alternative, so clients show the QR code in the HTML and not
as an attachment), a calendar file as a text/calendar part, the multipart boundaries drawn before
serialising, and the `compat32` policy with a short cut for short plain headers.

Its `message()` writes the few shapes the worker sends (text; text and HTML; HTML with inline
PNGs; each with a calendar part) directly, byte for byte what the standard library's generator
writes for Django's MIME objects (tests/mail/test_mime_boundaries.py compares them), with the
boundaries drawn from the same random numbers as before. Building that tree of objects and
serialising it cost about 5 M instructions a confirmation, more than the rest of sending it
(benchmarks/README.md, "Fourth pass: the e-mail's bytes"). Anything else (another charset, an
attachment, a body line over 998 bytes that needs quoted-printable, a header the short cuts do not
cover, a header Django refuses) takes the standard library's path, which stays the reference.
"""

from __future__ import annotations

import base64
import functools
import random
import re
import sys
from email import base64mime, quoprimime
from email.errors import MessageError
from email.header import MAXLINELEN
from email.mime.image import MIMEImage
from email.policy import Compat32
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import (
    ADDRESS_HEADERS,
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    SafeMIMEMultipart,
    SafeMIMEText,
    forbid_multi_line_headers,
)
from django.core.mail.utils import DNS_NAME

ICS_FILENAME = "kalender.ics"
QR_FILENAME = "incheckning.png"

# A header value that compat32 writes as it is: printable ASCII words, single spaces between.
_PLAIN_HEADER = re.compile(r"[!-~]+(?: [!-~]+)*")
_TOKEN = re.compile(r"[!-~]+")
# Encoded words on lines of their own, as email.header.Header.encode() joins them.
_WORD_LINES = re.compile(r"[!-~]+(?:\n [!-~]+)+")


class _Compat32(Compat32):
    """compat32, the policy of Django's messages, writing a short plain header as it is.

    compat32 passes every header through `email.header.Header(...).encode()`, which for a value of
    printable ASCII words that fits on one line (78 characters with its name) returns the value
    itself: that short cut saves a third of the serialisation's CPU (benchmarks/README.md, "Third
    pass: the mail worker"). A single printable word too long for the line (an encoded Subject, a
    List-Unsubscribe URL) it moves, whole, to a line of its own after the name; encoded words
    already on lines of their own (what Django stores for a long non-ASCII Subject) stay on them.
    Anything else (non-ASCII, tabs, several words that need folding) is folded by compat32 as
    before.
    tests/mail/test_mime_boundaries.py compares them.
    """

    def fold_binary(self, name, value):
        if isinstance(value, str) and self.max_line_length:
            if len(name) + 2 + len(value) <= self.max_line_length:
                if _PLAIN_HEADER.fullmatch(value):
                    return f"{name}: {value}{self.linesep}".encode("ascii")
            elif _TOKEN.fullmatch(value):
                return f"{name}: {self.linesep} {value}{self.linesep}".encode("ascii")
            elif "\n" in value and _WORD_LINES.fullmatch(value):
                # Each word stays on its line; the first too long beside the name goes below it.
                first, *rest = value.split("\n ")
                if len(name) + 2 + len(first) <= self.max_line_length:
                    head = f"{name}: {first}"
                else:
                    head = f"{name}: {self.linesep} {first}"
                lines = "".join(f"{self.linesep} {word}" for word in rest)
                return f"{head}{lines}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


POLICY = _Compat32()

# The stdlib's boundary: 15 "=", a random number in 19 digits, "==" (email.generator).
BOUNDARY_FORMAT = "=" * 15 + f"%0{len(repr(sys.maxsize - 1))}d" + "=="


def _draw_boundaries(count: int, occurs) -> list[str]:
    """`count` boundaries drawn as the stdlib's generator draws them, none for which `occurs(b)`."""
    taken: list[str] = []
    for _ in range(count):
        while True:
            boundary = BOUNDARY_FORMAT % random.randrange(sys.maxsize)
            if boundary not in taken and not occurs(boundary):
                break
        taken.append(boundary)
    return taken


def set_boundaries(msg) -> None:
    """Give each multipart part the boundary the stdlib's generator would give it when the message
    is serialised, drawn the same way, but checked against the parts' payloads by a substring
    search instead of a regular expression compiled for each boundary (a third of a millisecond a
    message: benchmarks/README.md, "Third pass: the mail worker"). Stricter than the generator's
    check (a boundary may not occur anywhere in a payload, not only as a line of its own)."""
    multiparts, payloads = [], []
    for part in msg.walk():
        if part.is_multipart():
            if part.get_boundary() is None:
                multiparts.append(part)
        else:
            payload = part.get_payload()
            payloads.append(payload if isinstance(payload, str) else str(payload))
    boundaries = _draw_boundaries(len(multiparts), lambda b: any(b in text for text in payloads))
    for part, boundary in zip(multiparts, boundaries, strict=True):
        part.set_boundary(boundary)


_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", flags=re.MULTILINE)


def calendar_method(ics: str) -> str:
    """The calendar's METHOD (PUBLISH when it names none)."""
    match = _METHOD.search(ics)
    return match.group(1) if match else "PUBLISH"


class CalendarPart:
    """A calendar file to attach (`Email.attach(calendar_part(ics))`): its MIME part is built only
    when the standard library's message is."""

    def __init__(self, ics: str):
        self.ics = ics

    def mime(self) -> SafeMIMEText:
        # Built by hand: given "text/calendar; charset=utf-8; method=PUBLISH" as a mimetype, Django
        # adds its own charset and the header carries the parameter twice. The parameter must match
        # the calendar's own METHOD (RFC 5546 / RFC 6047 2.4): CANCEL for a cancelled event.
        part = SafeMIMEText(self.ics, "calendar", "utf-8")
        part.set_param("method", calendar_method(self.ics))
        part.add_header("Content-Disposition", "attachment", filename=ICS_FILENAME)
        return part


def calendar_part(ics: str) -> CalendarPart:
    return CalendarPart(ics)


class Email(EmailMultiAlternatives):
    """An e-mail whose HTML part may carry inline images and which may carry a calendar file."""

    inline_images: tuple[tuple[str, bytes], ...] = ()  # (Content-ID, PNG)
    calendar: CalendarPart | None = None

    def attach(self, filename=None, content=None, mimetype=None):
        if isinstance(filename, CalendarPart):
            self.calendar = filename
            return
        super().attach(filename, content, mimetype)

    def message(self):
        written = _written(self)
        return self.stdlib_message() if written is None else written

    def stdlib_message(self):
        """The message as Django and the standard library build it (the reference)."""
        msg = super().message()
        set_boundaries(msg)
        msg.policy = POLICY  # the serialising generator uses it for every part
        return msg

    def _create_mime_attachment(self, content, mimetype):
        part = super()._create_mime_attachment(content, mimetype)
        if mimetype != "text/html" or not self.inline_images:
            return part
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
        related.attach(part)
        for content_id, png in self.inline_images:
            image = MIMEImage(png, "png")
            image.add_header("Content-ID", f"<{content_id}>")
            image.add_header("Content-Disposition", "inline", filename=QR_FILENAME)
            related.attach(image)
        return related

    def _create_attachments(self, msg):
        msg = super()._create_attachments(msg)
        if self.calendar is None:
            return msg
        if not self.attachments:  # Django made no multipart/mixed for its own attachments
            encoding = self.encoding or settings.DEFAULT_CHARSET
            body, msg = msg, SafeMIMEMultipart(_subtype=self.mixed_subtype, encoding=encoding)
            if self.body or body.is_multipart():
                msg.attach(body)
        msg.attach(self.calendar.mime())
        return msg


# --- The bytes written directly ---------------------------------------------------------------
# A part is a _Leaf (its headers and its payload as the stdlib stores it, encoded) or a _Multi.
# Headers are kept as Django stores them (forbid_multi_line_headers' result) and folded by POLICY
# when written, as the generator folds them.


class _Leaf:
    __slots__ = ("headers", "payload")

    def __init__(self, headers: tuple[tuple[str, str], ...], payload: bytes):
        self.headers, self.payload = headers, payload


class _Multi:
    __slots__ = ("boundary", "parts", "subtype")

    def __init__(self, subtype: str, parts: list):
        self.subtype, self.parts, self.boundary = subtype, parts, ""


# Where str.splitlines() breaks a line: email.header.Header folds a value at each of them.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_NEWLINE = re.compile(rb"\r\n|\r|\n")  # email.generator.NLCRE, for bytes
_HEADER_NAME = re.compile(r"[!-9;-~]+")
# Headers Django's message() sets itself or takes from extra_headers in its own way.
_OWN_HEADERS = {"from", "to", "cc", "reply-to", "date", "message-id"}
# An encoded word's room: email.header's line (MAXLINELEN, 78) less "=?utf-8?q?" and "?=" (and, on
# the lines after the first, the space that starts them).
_CHROME = "=?utf-8?q??="
_FIRST_ROOM = MAXLINELEN - len(_CHROME)
_NEXT_ROOM = _FIRST_ROOM - 1


def _encoded_words(value: str) -> str | None:
    """`Header(value, "utf-8").encode()`, which Django stores for a non-ASCII header, or None.

    Header encodes the whole value in the shorter of base64 and quoted-printable ("SHORTEST" for
    utf-8) and starts a new encoded word, on a line of its own, where the next character would take
    a word past its line's room (it measures each prefix afresh: a third of a millisecond for a
    Subject of two words). Here each word is the longest run of whole characters that fits, cut in
    the encoded text. A value with a line break of str.splitlines() it folds line by line: left
    to it.
    """
    if _LINE_BREAKS.search(value):
        return None
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    # quoprimime.header_length() is a generator over the octets; the encoded word's length is it.
    qp_word = quoprimime.header_encode(data, charset="utf-8")
    b64_length, qp_length = base64mime.header_length(data), len(qp_word) - len(_CHROME)
    if b64_length < qp_length:
        if b64_length <= _FIRST_ROOM:
            return base64mime.header_encode(data, charset="utf-8")
        words, room = [], _FIRST_ROOM
        while data:
            cut = min(len(data), room // 4 * 3)  # base64: 4 characters for every 3 octets
            while cut < len(data) and 0x80 <= data[cut] < 0xC0:  # not inside a character
                cut -= 1
            words.append(base64mime.header_encode(data[:cut], charset="utf-8"))
            data, room = data[cut:], _NEXT_ROOM
        return "\n ".join(words)
    if qp_length <= _FIRST_ROOM:
        return qp_word
    # "=XX" for an octet that is escaped (hex digits are never "="); a character's octets after its
    # first are escaped as =8X, =9X, =AX or =BX.
    encoded = qp_word[len("=?utf-8?q?") : -len("?=")]
    words, room = [], _FIRST_ROOM
    while encoded:
        cut = min(len(encoded), room)
        while cut < len(encoded) and (
            "=" in encoded[cut - 2 : cut] or (encoded[cut] == "=" and encoded[cut + 1] in "89AB")
        ):
            cut -= 1
        words.append(f"=?utf-8?q?{encoded[:cut]}?=")
        encoded, room = encoded[cut:], _NEXT_ROOM
    return "\n ".join(words)


def _stored(name: str, value) -> str:
    """What Django's MIME objects store for a header (`forbid_multi_line_headers`, utf-8), the
    plain ASCII values and a non-address value's encoded words without its machinery; raises
    what it raises (a newline: BadHeaderError)."""
    value = str(value)
    if value.isascii() and "\n" not in value and "\r" not in value:
        if name.lower() != "subject" or (len(value) <= MAXLINELEN and _PLAIN_HEADER.fullmatch(value)):
            return value
    elif not value.isascii() and name.lower() not in ADDRESS_HEADERS:
        words = _encoded_words(value)
        if words is not None:
            return words
    return forbid_multi_line_headers(name, value, "utf-8")[1]


@functools.lru_cache(maxsize=8)
def _stored_sender(value: str) -> str:
    # The From address is the operator's setting, the same for every message.
    return _stored("From", value)


def _payload(text) -> tuple[bytes, str] | None:
    """A text part's payload as Django's SafeMIMEText stores it (utf-8, "8bit" or "7bit"), or None
    where Django would encode it as quoted-printable (a line over 998 bytes) or cannot encode it."""
    if not isinstance(text, str):
        return None
    data = text.encode("utf-8")  # strict, as Message.set_payload
    # bytes.splitlines() breaks at fewer characters than str.splitlines(): no line of it longer
    # than the limit means none of Django's is.
    if len(data) > RFC5322_EMAIL_LINE_LENGTH_LIMIT and max(map(len, data.splitlines())) > (
        RFC5322_EMAIL_LINE_LENGTH_LIMIT
    ):
        return None
    return data, "7bit" if data.isascii() else "8bit"


def _text_leaf(text, subtype: str) -> _Leaf | None:
    payload = _payload(text)
    if payload is None:
        return None
    data, transfer = payload
    headers = (
        ("Content-Type", f'text/{subtype}; charset="utf-8"'),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", transfer),
    )
    return _Leaf(headers, data)


def _calendar_leaf(calendar: CalendarPart) -> _Leaf | None:
    payload = _payload(calendar.ics)
    if payload is None:
        return None
    data, transfer = payload
    headers = (  # set_param("method") moves Content-Type after the others
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", transfer),
        ("Content-Type", f'text/calendar; charset="utf-8"; method="{calendar_method(calendar.ics)}"'),
        ("Content-Disposition", f'attachment; filename="{ICS_FILENAME}"'),
    )
    return _Leaf(headers, data)


def _image_leaf(content_id: str, png: bytes) -> _Leaf | None:
    if not isinstance(png, bytes):
        return None
    headers = (
        ("Content-Type", "image/png"),
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-ID", f"<{content_id}>"),
        ("Content-Disposition", f'inline; filename="{QR_FILENAME}"'),
    )
    return _Leaf(headers, base64.encodebytes(png))


def _written(email: Email) -> _Written | None:
    """The e-mail as `_Written`, or None for a shape or a value left to the standard library."""
    try:
        return _write(email)
    except (ValueError, MessageError):  # a header Django refuses: its own path raises it
        return None


def _own_or_odd(name) -> bool:
    return not isinstance(name, str) or name.lower() in _OWN_HEADERS or not _HEADER_NAME.fullmatch(name)


def _write(email: Email) -> _Written | None:
    if (
        (email.encoding or settings.DEFAULT_CHARSET) != "utf-8"
        or not email.body
        or email.cc
        or email.attachments
        or email.content_subtype != "plain"
        or email.alternative_subtype != "alternative"
        or email.mixed_subtype != "mixed"
        or len(email.alternatives) > 1
        or any(_own_or_odd(name) for name in email.extra_headers)
    ):
        return None
    root = _text_leaf(email.body, "plain")
    if root is None:
        return None
    if email.alternatives:
        content, mimetype = email.alternatives[0]
        html = _text_leaf(content, "html") if mimetype == "text/html" else None
        if html is None:
            return None
        if email.inline_images:
            images = [_image_leaf(content_id, png) for content_id, png in email.inline_images]
            if None in images:
                return None
            html = _Multi("related", [html, *images])
        root = _Multi("alternative", [root, html])
    if email.calendar is not None:
        calendar = _calendar_leaf(email.calendar)
        if calendar is None:
            return None
        root = _Multi("mixed", [root, calendar])
    # Django's message(): Subject, From, To, Reply-To, Date, Message-ID, then the extra headers.
    headers = [("Subject", _stored("Subject", email.subject))]
    headers.append(("From", _stored_sender(str(email.from_email))))
    if email.to:
        headers.append(("To", _stored("To", ", ".join(str(v) for v in email.to))))
    if email.reply_to:
        headers.append(("Reply-To", _stored("Reply-To", ", ".join(str(v) for v in email.reply_to))))
    headers.append(("Date", _stored("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME))))
    headers.append(("Message-ID", _stored("Message-ID", make_msgid(domain=DNS_NAME))))
    headers += [(name, _stored(name, value)) for name, value in email.extra_headers.items()]
    multiparts, payloads = [], []
    _collect(root, multiparts, payloads)
    boundaries = _draw_boundaries(len(multiparts), lambda b: any(b.encode() in data for data in payloads))
    for part, boundary in zip(multiparts, boundaries, strict=True):
        part.boundary = boundary
    return _Written(email, root, headers)


def _collect(part, multiparts: list, payloads: list) -> None:
    """The multiparts (in the order of Message.walk()) and the leaves' payloads."""
    if isinstance(part, _Multi):
        multiparts.append(part)
        for child in part.parts:
            _collect(child, multiparts, payloads)
    else:
        payloads.append(part.payload)


@functools.lru_cache(maxsize=4)
def _policy(linesep: str) -> _Compat32:
    return POLICY.clone(linesep=linesep)


@functools.lru_cache(maxsize=64)
def _constant_headers(headers: tuple[tuple[str, str], ...], linesep: str) -> bytes:
    """A part's own headers: the same few for every message, folded once per process."""
    policy = _policy(linesep)
    return b"".join(policy.fold_binary(name, value) for name, value in headers)


@functools.lru_cache(maxsize=8)
def _multipart_headers(subtype: str, linesep: str) -> tuple[bytes, bytes]:
    """A multipart's headers, before and after its boundary: every boundary has the same length
    and kind of characters, so compat32 folds each the same way."""
    sample = BOUNDARY_FORMAT % 0
    folded = _constant_headers(
        (("Content-Type", f'multipart/{subtype}; boundary="{sample}"'), ("MIME-Version", "1.0")), linesep
    )
    before, after = folded.split(sample.encode())
    return before, after


def _render(part, nl: bytes, linesep: str, out: list, headers: list | None = None) -> None:
    """Append the part's bytes to `out` as email.generator.BytesGenerator writes them."""
    if isinstance(part, _Multi):
        before, after = _multipart_headers(part.subtype, linesep)
        out += (before, part.boundary.encode(), after)
    else:
        out.append(_constant_headers(part.headers, linesep))
    if headers:
        policy = _policy(linesep)
        out += [policy.fold_binary(name, value) for name, value in headers]
    out.append(nl)
    if isinstance(part, _Leaf):
        data = part.payload
        if b"\r" not in data:
            out.append(data if nl == b"\n" else data.replace(b"\n", nl))
        elif data.count(b"\r") == data.count(b"\n") == data.count(b"\r\n"):
            # Every line ends in CRLF already (the calendar file: RFC 5545's line ending), so the
            # generator's split at each line end would only join the same lines again.
            out.append(data if nl == b"\r\n" else data.replace(b"\r\n", nl))
        else:
            out.append(nl.join(_NEWLINE.split(data)))
        return
    delimiter = b"--" + part.boundary.encode()
    out += (delimiter, nl)
    for index, child in enumerate(part.parts):
        if index:
            out += (nl, delimiter, nl)
        _render(child, nl, linesep, out)
    out += (nl, delimiter, b"--", nl)


class _Written:
    """The message as written here: `as_bytes()` writes it; anything else (walk(), a header, a
    payload, as_string()) is answered by the standard library's message for it, built on first
    use with the same boundaries, Date and Message-ID (and then serialised by it too)."""

    def __init__(self, email: Email, root, headers: list[tuple[str, str]]):
        self._email, self._root, self._headers = email, root, headers
        self._message = None

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        if unixfrom or self._message is not None:
            return self._inspected().as_bytes(unixfrom=unixfrom, linesep=linesep)
        out: list[bytes] = []
        _render(self._root, linesep.encode("ascii"), linesep, out, self._headers)
        return b"".join(out)

    def __bytes__(self) -> bytes:
        return self.as_bytes()

    def stdlib_message(self):
        """A new standard library message of this one: the same boundaries, Date, Message-ID."""
        msg = EmailMultiAlternatives.message(self._email)
        msg.replace_header("Date", dict(self._headers)["Date"])
        msg.replace_header("Message-ID", dict(self._headers)["Message-ID"])
        multiparts = [part for part in msg.walk() if part.is_multipart()]
        ours: list[_Multi] = []
        _collect(self._root, ours, [])
        for part, written in zip(multiparts, ours, strict=True):
            part.set_boundary(written.boundary)
        msg.policy = POLICY
        return msg

    def _inspected(self):
        if self._message is None:
            self._message = self.stdlib_message()
        return self._message

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._inspected(), name)

    def __str__(self) -> str:
        return str(self._inspected())

    def __len__(self) -> int:
        return len(self._inspected())

    def __contains__(self, name) -> bool:
        return name in self._inspected()

    def __getitem__(self, name):
        return self._inspected()[name]

    def __setitem__(self, name, value) -> None:
        self._inspected()[name] = value

    def __delitem__(self, name) -> None:
        del self._inspected()[name]

    def __iter__(self):
        return iter(self._inspected())
