"""The worker's e-mails are serialised as the standard library serialises them: the multipart
boundaries it sets beforehand (mail.worker._set_boundaries) are the only difference, and they
have the stdlib's form and never occur in a part."""

from __future__ import annotations

import email
import random
import re
from email import policy

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from frukost.mail import worker
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
        ours = message.message().as_bytes(linesep="\r\n")
        assert _normalised(ours) == _normalised(_stdlib_bytes(message))
        # Three nested multiparts for a confirmation (mixed, alternative, related), all different.
        boundaries = set(BOUNDARY.findall(ours))
        parsed = email.message_from_bytes(ours, policy=policy.default)
        multiparts = [part for part in parsed.walk() if part.is_multipart()]
        assert len(boundaries) == len(multiparts) >= 2
        kinds.add(tuple(part.get_content_type() for part in parsed.walk()))
    assert any("image/png" in kind for kind in kinds)  # a confirmation with its QR code
    assert any("image/png" not in kind for kind in kinds)  # a colleague's invitation


def test_a_boundary_that_occurs_in_a_part_is_drawn_again(monkeypatch):
    taken = worker._BOUNDARY_FORMAT % 42
    message = worker._Email(subject="Hej", body=f"a line\n--{taken}\nand more", to=["anna@example.se"])
    message.attach_alternative(f"<p>{worker._BOUNDARY_FORMAT % 43}</p>", "text/html")
    draws = iter([42, 43, 42, 44])
    monkeypatch.setattr(worker.random, "randrange", lambda _stop: next(draws))

    raw = message.message().as_bytes()

    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_boundary() == worker._BOUNDARY_FORMAT % 44
    text, html = (part.get_content() for part in parsed.iter_parts())
    assert f"--{taken}" in text and worker._BOUNDARY_FORMAT % 43 in html


@pytest.mark.parametrize("linesep", ["\n", "\r\n"])
def test_a_header_written_as_it_is_is_what_compat32_folds_it_into(linesep):
    rng = random.Random(10)
    ours, stdlib = worker._POLICY.clone(linesep=linesep), policy.compat32.clone(linesep=linesep)
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
    values += ["", " ", "å", "a\nb", "a" * 64, "a" * 65, "a " * 40]
    for value in values:
        for name in ("Subject", "Content-Transfer-Encoding", "X"):
            assert ours.fold_binary(name, value) == stdlib.fold_binary(name, value), (name, value)
