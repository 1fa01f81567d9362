"""The worker's e-mails are the bytes the standard library writes for Django's MIME objects.

mail.mime writes the shapes the worker sends directly (`_Written`); these tests are its oracle:
for the same random numbers its bytes are the stdlib's path's (`Email.stdlib_message()`, the
boundaries drawn beforehand by mail.mime.set_boundaries, which have the stdlib's form and never
occur in a part), but for the Date and the Message-ID's clock; and a written message's own stdlib
message (same boundaries, Date, Message-ID) is the same bytes exactly."""

from __future__ import annotations

import email
import random
import re
from email import policy

import pytest
from django.core import mail
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from frukost.mail import mime
from frukost.mail.worker import send_due
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db

# The stdlib's boundary (email.generator._make_boundary): 15 "=", 19 digits, "==", perhaps ".N".
BOUNDARY = re.compile(rb"={15}\d{19}==(?:\.\d+)?")
VARYING = re.compile(rb"^(Date|Message-ID): .*$", re.MULTILINE)


def _normalised(raw: bytes) -> bytes:
    """The bytes with each boundary numbered in order of appearance, and Date / Message-ID out."""
    seen: dict[bytes, bytes] = {}

    def number(match: re.Match) -> bytes:
        return seen.setdefault(match.group(0), b"BOUNDARY-%d" % len(seen))

    return BOUNDARY.sub(number, VARYING.sub(rb"\1: -", raw))


def _stdlib_bytes(message) -> bytes:
    """What Django and the stdlib make of the same e-mail, the boundaries drawn when serialised."""
    return EmailMultiAlternatives.message(message).as_bytes(linesep="\r\n")


NAMES = [
    ("Anna", "Svensson", "sv"),
    ("Åsa", "Öberg-Ängström", "sv"),
    ("Ölof", "Åkesson", "en"),
    ("Maria-Lovisa Henrietta Charlotta", "von Äppelgren-Östlund af Långström Wallenberg", "sv"),
    ("Zoë", "O'Brien", "en"),
]


def test_each_e_mail_is_the_stdlibs_but_for_its_boundaries(settings, event, person, colleague):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for index, (first, last, language) in enumerate(NAMES):
        register(
            event=event,
            person=person(f"p{index}@example.se", first_name=first, last_name=last, language=language),
            colleagues=[colleague(f"c{index}@example.se", first_name=last, last_name=first)]
            if index % 2
            else [],
        )
    assert send_due() == len(NAMES) + len(NAMES) // 2  # confirmations and colleague invitations
    kinds = set()
    for message in mail.outbox:
        written = message.message()
        assert isinstance(written, mime._Written)  # written directly, not by the stdlib's generator
        ours = written.as_bytes(linesep="\r\n")
        assert _normalised(ours) == _normalised(_stdlib_bytes(message))
        for linesep in ("\n", "\r\n"):
            assert written.as_bytes(linesep=linesep) == written.stdlib_message().as_bytes(linesep=linesep)
        # Three nested multiparts for a confirmation (mixed, alternative, related), all different.
        boundaries = set(BOUNDARY.findall(ours))
        parsed = email.message_from_bytes(ours, policy=policy.default)
        multiparts = [part for part in parsed.walk() if part.is_multipart()]
        assert len(boundaries) == len(multiparts) >= 2
        kinds.add(tuple(part.get_content_type() for part in parsed.walk()))
    assert any("image/png" in kind for kind in kinds)  # a confirmation with its QR code
    assert any("image/png" not in kind for kind in kinds)  # a colleague's invitation


def test_a_boundary_that_occurs_in_a_part_is_drawn_again(monkeypatch):
    taken = mime.BOUNDARY_FORMAT % 42
    message = mime.Email(subject="Hej", body=f"a line\n--{taken}\nand more", to=["anna@example.se"])
    message.attach_alternative(f"<p>{mime.BOUNDARY_FORMAT % 43}</p>", "text/html")
    draws = iter([42, 43, 42, 44])
    monkeypatch.setattr(mime.random, "randrange", lambda _stop: next(draws))

    raw = message.message().as_bytes()

    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_boundary() == mime.BOUNDARY_FORMAT % 44
    text, html = (part.get_content() for part in parsed.iter_parts())
    assert f"--{taken}" in text and mime.BOUNDARY_FORMAT % 43 in html


@pytest.mark.parametrize("linesep", ["\n", "\r\n"])
def test_a_header_written_as_it_is_is_what_compat32_folds_it_into(linesep):
    rng = random.Random(10)
    ours, stdlib = mime.POLICY.clone(linesep=linesep), policy.compat32.clone(linesep=linesep)
    printable = "".join(map(chr, range(0x21, 0x7F)))
    values = [
        "x",
        "=?utf-8?q?Du_=C3=A4r_anm=C3=A4ld?=",
        "<incheckning-qr@frukost>",
        'inline; filename="a b.png"',
    ]
    for _ in range(3000):
        words = ["".join(rng.choices(printable, k=rng.randint(1, 30))) for _ in range(rng.randint(1, 6))]
        values.append(rng.choice([" ", "  ", "\t", " "]).join(words))
        values.append(
            " " + words[0] if rng.random() < 0.1 else words[0] + (" " if rng.random() < 0.1 else "")
        )
        # One word too long for the line (an encoded Subject, a List-Unsubscribe URL).
        values.append("".join(rng.choices(printable, k=rng.randint(40, 130))))
        # Encoded words on lines of their own (a long non-ASCII Subject as Django stores it).
        lines = ["".join(rng.choices(printable, k=rng.randint(1, 80))) for _ in range(rng.randint(2, 4))]
        values.append(rng.choice(["\n ", "\n ", "\n  ", "\n\t"]).join(lines))
    values += ["", " ", "å", "a\nb", "a" * 64, "a" * 65, "a " * 40, "a" * 200, "a" * 200 + " b"]
    for value in values:
        for name in ("Subject", "Content-Transfer-Encoding", "X"):
            assert ours.fold_binary(name, value) == stdlib.fold_binary(name, value), (name, value)


# --- The written bytes against the stdlib's, for every shape and for hostile values ----------

VARYING_VALUES = re.compile(rb"^(Date|Message-ID): .*$", re.MULTILINE)
WORDS = 'aåäöÅÄÖ Zoë O\'Brien "citat" <b>&amp; 😀 =?utf-8?q?x?= ; , : () _ - . \t'
hostile = st.text(alphabet=st.sampled_from(sorted(set(WORDS))), max_size=160)
any_text = st.text(max_size=120)
subjects = st.one_of(
    hostile,
    any_text,
    st.sampled_from(
        [
            "Du är anmäld: Chefsfrukost: Leda med tillit",
            "You are registered: Breakfast seminar",
            "Påminnelse: " + "Frukostseminarium om ledarskap i förändringstider " * 2,
            "Inbjudan från Åsa Öberg-Ängström: Chefsfrukost 😀",
            "x" * 70,
        ]
    ),
)
bodies = st.one_of(
    st.text(alphabet=st.sampled_from(sorted(set(WORDS + "\n\r"))), min_size=1, max_size=400),
    st.text(min_size=1, max_size=200),
    st.builds(lambda n, c: "Hej!\n" + c * n + "\nHej då\n", st.integers(900, 1100), st.sampled_from("aå")),
)
addresses = st.sampled_from(
    ["anna@example.se", "o'brien+frukost@example.co.uk", "asa@exämple.se", "Åsa Öberg <asa@example.se>"]
)
senders = st.sampled_from(
    ["frukost <noreply@localhost>", "Frukost på kontoret <noreply@example.se>", "noreply@example.se"]
)


def _calendar(method: str, summary: str) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"METHOD:{method}", "BEGIN:VEVENT", f"SUMMARY:{summary}"]
    return "\r\n".join([*lines, "END:VEVENT", "END:VCALENDAR", ""])


@st.composite
def e_mails(draw):
    headers = {"Auto-Submitted": "auto-generated"}
    if draw(st.booleans()):  # a bulk message (mail.worker._headers)
        token = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-_", min_size=8, max_size=90))
        headers["List-Unsubscribe"] = f"<https://frukost.example.se/avregistrera/{token}/>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["Precedence"] = "bulk"
    message = mime.Email(
        subject=draw(subjects),
        body=draw(bodies),
        from_email=draw(senders),
        to=[draw(addresses)],
        reply_to=[draw(addresses)] if draw(st.booleans()) else None,
        headers=headers,
    )
    if draw(st.booleans()):
        message.attach_alternative(f"<p>{draw(bodies)}</p>", "text/html")
        message.inline_images = tuple(
            (f"bild{index}@frukost", draw(st.binary(min_size=1, max_size=300)))
            for index in range(draw(st.integers(0, 2)))
        )
    if draw(st.booleans()):
        method = draw(st.sampled_from(["PUBLISH", "CANCEL", "REQUEST"]))
        message.attach(mime.calendar_part(_calendar(method, draw(hostile))))
    return message


def _outcome(build, seed: int):
    """What `build` gives with the random numbers of `seed`: bytes, or the exception it raises."""
    random.seed(seed)
    try:
        return build()
    except Exception as exc:  # noqa: BLE001 - the two paths must fail alike
        return type(exc), str(exc)


@hypothesis_settings(max_examples=400, deadline=None)
@given(message=e_mails(), seed=st.integers(0, 2**32), linesep=st.sampled_from(["\n", "\r\n"]))
def test_written_bytes_are_the_stdlibs(message, seed, linesep):
    ours = _outcome(lambda: message.message().as_bytes(linesep=linesep), seed)
    stdlib = _outcome(lambda: message.stdlib_message().as_bytes(linesep=linesep), seed)
    if not isinstance(stdlib, bytes):
        assert ours == stdlib  # the same exception
        return
    # The same boundaries from the same random numbers; Date and Message-ID read the clock.
    assert VARYING_VALUES.sub(rb"\1:", ours) == VARYING_VALUES.sub(rb"\1:", stdlib)
    written = message.message()
    if isinstance(written, mime._Written):
        assert written.as_bytes(linesep=linesep) == written.stdlib_message().as_bytes(linesep=linesep)


@hypothesis_settings(max_examples=3000, deadline=None)
@given(
    name=st.sampled_from(["Subject", "X-Frukost", "List-Unsubscribe", "To", "Reply-To", "From"]),
    value=st.one_of(hostile, any_text, st.text(alphabet="aåä😀 ", max_size=60)),
)
def test_a_header_is_stored_as_django_stores_it(name, value):
    try:
        expected = forbid_multi_line_headers(name, value, "utf-8")[1]
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            mime._stored(name, value)
    else:
        assert mime._stored(name, value) == expected


def test_a_long_subject_is_cut_into_encoded_words_where_django_cuts_it():
    # Every position of a cut: inside an escape (=C3=B6), between a character's octets, between
    # characters; mostly ASCII (quoted-printable) and mostly not (base64); one to four words.
    for start in range(0, 150, 1):
        for middle in ("ö", "åäö", "😀", "=?", "_ ö", "ÖÖÖÖÖÖÖÖ", "é" * 40):
            for end in ("", "a" * 20, " Sundsvall"):
                for filler in ("a", "å"):
                    value = filler * start + middle + end
                    expected = forbid_multi_line_headers("Subject", value, "utf-8")[1]
                    assert mime._stored("Subject", value) == expected, value


def test_the_worker_s_shapes_are_written_directly():
    message = mime.Email(
        subject="Du är anmäld: Chefsfrukost: Leda med tillit",
        body="Hej Åsa!\n",
        to=["asa@example.se"],
        headers={"Auto-Submitted": "auto-generated"},
    )
    assert isinstance(message.message(), mime._Written)  # text
    message.attach_alternative("<p>Hej Åsa!</p>", "text/html")
    assert isinstance(message.message(), mime._Written)  # text and HTML
    message.inline_images = (("incheckning-qr@frukost", b"\x89PNG"),)
    assert isinstance(message.message(), mime._Written)  # and the QR code
    message.attach(mime.calendar_part(_calendar("PUBLISH", "Frukost")))
    written = message.message()
    assert isinstance(written, mime._Written)  # and the calendar
    parsed = email.message_from_bytes(written.as_bytes(linesep="\r\n"), policy=policy.default)
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
        "text/calendar",
    ]
    assert parsed["Subject"] == "Du är anmäld: Chefsfrukost: Leda med tillit"


def test_a_long_line_is_left_to_the_stdlib_which_encodes_it_quoted_printable():
    message = mime.Email(subject="Hej", body="a" * 1200 + "\n", to=["anna@example.se"])
    written = message.message()
    assert not isinstance(written, mime._Written)
    assert b"Content-Transfer-Encoding: quoted-printable" in written.as_bytes()


def test_a_subject_with_a_newline_is_refused_as_before():
    message = mime.Email(subject="Hej\nBcc: alla@example.se", body="Hej", to=["anna@example.se"])
    with pytest.raises(BadHeaderError, match="for header 'Subject'"):
        message.message()


def test_a_written_message_answers_as_the_stdlibs_does():
    message = mime.Email(subject="Hej", body="Hej Åsa!\n", to=["asa@example.se"])
    message.attach_alternative("<p>Hej Åsa!</p>", "text/html")
    written = message.message()
    raw = written.as_bytes()
    assert written["To"] == "asa@example.se" and "Subject" in written
    assert [part.get_content_type() for part in written.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert written.as_bytes() == raw == bytes(written)  # looked into: the same bytes


class _NoSplit:
    """Stands in for mime._NEWLINE where a payload must not be cut at its line ends."""

    def split(self, data):
        raise AssertionError("the payload was split at its line ends")


@pytest.mark.parametrize("linesep", ["\n", "\r\n"])
def test_a_calendar_in_crlf_is_written_as_the_stdlib_writes_it_without_splitting_its_lines(
    monkeypatch, linesep
):
    message = mime.Email(subject="Frukost", body="Hej Åsa!\n", to=["asa@example.se"])
    message.attach_alternative("<p>Hej Åsa!</p>\n", "text/html")
    message.attach(mime.calendar_part(_calendar("PUBLISH", "Frukost – på kontoret")))
    written = message.message()
    stdlib = written.stdlib_message().as_bytes(linesep=linesep)
    monkeypatch.setattr(mime, "_NEWLINE", _NoSplit())

    ours = written.as_bytes(linesep=linesep)

    assert ours == stdlib
    calendar = email.message_from_bytes(ours, policy=policy.default).get_payload()[1]
    assert calendar.get_content().splitlines()[2] == "METHOD:PUBLISH"


@pytest.mark.parametrize("line_end", ["\n", "\r", "\r\r\n", "\n\r"])
@pytest.mark.parametrize("linesep", ["\n", "\r\n"])
def test_a_calendar_with_other_line_ends_is_written_as_the_stdlib_writes_it(linesep, line_end):
    ics = _calendar("PUBLISH", "Frukost").replace("VERSION:2.0\r\n", f"VERSION:2.0{line_end}")
    message = mime.Email(subject="Frukost", body="Hej!\n", to=["asa@example.se"])
    message.attach(mime.calendar_part(ics))
    written = message.message()

    assert written.as_bytes(linesep=linesep) == written.stdlib_message().as_bytes(linesep=linesep)
