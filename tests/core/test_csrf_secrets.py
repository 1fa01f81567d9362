"""CSRF secrets and masks from one read of the system's randomness (core/csrf_secrets.py) are
what Django's own would be: the same format, the same masking, checked by Django."""

from __future__ import annotations

from collections import Counter

import pytest
from django.middleware import csrf
from django.test import Client, RequestFactory
from hypothesis import assume, given
from hypothesis import strategies as st

from frukost.core import csrf_secrets


def _django_mask(secret: str, mask: str) -> str:
    # django.middleware.csrf._mask_cipher_secret with the mask given.
    chars = csrf.CSRF_ALLOWED_CHARS
    pairs = zip((chars.index(x) for x in secret), (chars.index(x) for x in mask), strict=True)
    return mask + "".join(chars[(x + y) % len(chars)] for x, y in pairs)


def test_django_draws_its_secrets_and_masks_here(monkeypatch):
    assert csrf._get_new_csrf_string is csrf_secrets.new_csrf_string
    assert csrf._mask_cipher_secret is csrf_secrets.mask_cipher_secret
    # And Django really calls them: a new visitor's token takes one read of the system's
    # randomness for the secret and one for the mask. (Django's own functions draw through
    # `random.SystemRandom`, which never calls `os.urandom` by this name: 0 reads counted.)
    reads = []
    real = csrf_secrets.os.urandom
    monkeypatch.setattr(csrf_secrets.os, "urandom", lambda n: reads.append(n) or real(n))

    token = csrf.get_token(RequestFactory().get("/"))

    assert len(token) == csrf.CSRF_TOKEN_LENGTH
    assert len(reads) == 2


def test_a_new_visitors_token_unmasks_to_the_secret_in_their_cookie():
    request = RequestFactory().get("/")

    token = csrf.get_token(request)

    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == csrf.CSRF_SECRET_LENGTH
    assert len(token) == csrf.CSRF_TOKEN_LENGTH
    assert set(secret + token) <= set(csrf.CSRF_ALLOWED_CHARS)
    assert csrf._unmask_cipher_token(token) == secret
    # A second page for the same visitor: the same secret under a new mask.
    again = csrf.get_token(request)
    assert again != token
    assert csrf._unmask_cipher_token(again) == secret


def test_the_mask_is_added_as_django_adds_it(monkeypatch):
    secret = csrf_secrets.new_csrf_string()
    mask = csrf_secrets.new_csrf_string()
    monkeypatch.setattr(csrf_secrets, "new_csrf_string", lambda: mask)

    assert csrf_secrets.mask_cipher_secret(secret) == _django_mask(secret, mask)


def test_bytes_past_the_last_whole_round_of_characters_are_drawn_again(monkeypatch):
    # 248..255 would favour the first 8 characters: they are dropped and more bytes are read.
    reads = iter([bytes([255] * 20 + list(range(20))), bytes(range(20, 60))])
    monkeypatch.setattr(csrf_secrets.os, "urandom", lambda n: next(reads))

    drawn = csrf_secrets.new_csrf_string()

    chars = csrf.CSRF_ALLOWED_CHARS
    assert drawn == "".join(chars[value % len(chars)] for value in range(32))


def test_every_character_is_drawn_about_equally_often():
    counts = Counter("".join(csrf_secrets.new_csrf_string() for _ in range(2_000)))

    assert set(counts) == set(csrf.CSRF_ALLOWED_CHARS)
    expected = 2_000 * 32 / 62  # about 1,032; a biased byte mapping would give the first 8 about 1,290
    assert all(abs(count - expected) < 200 for count in counts.values())


def test_a_form_posted_with_the_token_passes_djangos_check_and_a_wrong_one_fails(db):
    client = Client(enforce_csrf_checks=True)
    client.get("/tillganglighet/")
    secret = client.cookies["csrftoken"].value
    token = csrf_secrets.mask_cipher_secret(secret)

    accepted = client.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    refused = client.post(
        "/i18n/setlang/",
        {"language": "sv", "next": "/", "csrfmiddlewaretoken": csrf_secrets.mask_cipher_secret(secret[::-1])},
    )

    assert accepted.status_code == 302
    assert refused.status_code == 403


@given(st.lists(st.binary(min_size=40, max_size=40), min_size=8, max_size=8))
def test_the_characters_are_the_byte_by_byte_mapping_of_the_usable_bytes(draws):
    # The reference: each byte below 248 in draw order, mapped by its remainder; the rest dropped.
    chars = csrf.CSRF_ALLOWED_CHARS
    usable = [byte for draw in draws for byte in draw if byte < 248]
    assume(len(usable) >= 32)
    reads = iter(draws)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csrf_secrets.os, "urandom", lambda n: next(reads))
        drawn = csrf_secrets.new_csrf_string()

    assert drawn == "".join(chars[byte % len(chars)] for byte in usable[:32])
