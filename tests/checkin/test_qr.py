"""The check-in QR image is exactly the one segno makes: the same version, error correction,
mask, modules and PNG bytes. checkin/qr.py scores segno's eight masks with its own bit
arithmetic, so these tests hold that arithmetic to segno's own (segno.encoder.mask_scores)."""

from __future__ import annotations

import io
import random

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from segno import encoder

from frukost.checkin import codes, qr

ALPHABET_CODES = st.tuples(
    st.text(alphabet=codes.ALPHABET, min_size=4, max_size=4),
    st.text(alphabet=codes.ALPHABET, min_size=4, max_size=4),
).map("-".join)
# Codes as code_for and codes_for derive them: from an HMAC-SHA256 digest.
DERIVED_CODES = st.binary(min_size=32, max_size=32).map(codes._grouped)


def _segno_png(text: str, *, scale: int, border: int = 4) -> bytes:
    made = io.BytesIO()
    segno.make(text, error="m", micro=False).save(made, kind="png", scale=scale, border=border)
    return made.getvalue()


def _assert_same_as_segno(text: str, *, scale: int = 6, border: int = 4) -> None:
    by_segno = segno.make(text, error="m", micro=False)
    mask, rows = qr.qr_symbol(text)
    assert mask == by_segno.mask
    assert rows == ["".join(map(str, row)) for row in by_segno.matrix]
    assert qr.qr_png(text, scale=scale, border=border) == _segno_png(text, scale=scale, border=border)


@settings(max_examples=400, deadline=None)
@given(code=st.one_of(ALPHABET_CODES, DERIVED_CODES))
def test_a_check_in_codes_qr_has_segnos_mask_and_png_bytes(code):
    assert codes.normalise(code) == code.replace("-", "") and len(code) == 9

    _assert_same_as_segno(code)
    assert codes.qr_png(code) == _segno_png(code, scale=6)


@pytest.mark.parametrize(
    "code",
    [
        "2222-2222",  # the alphabet's first symbol only
        "ZZZZ-ZZZZ",  # its last
        "2345-6789",  # digits only
        "ABCD-EFGH",
        "K7QX-2MPA",
        "WWWW-2222",
        "MMMM-MMMM",
    ],
)
@pytest.mark.parametrize("scale", [1, 3, 6])
def test_the_qr_of_edge_case_codes_is_segnos(code, scale):
    _assert_same_as_segno(code, scale=scale)


def test_a_check_in_code_is_a_regular_qr_code_of_21_modules():
    """A Micro QR (segno's own pick for nine characters) is read by no phone camera."""
    mask, rows = qr.qr_symbol("K7QX-2MPA")

    assert len(rows) == 21 and {len(row) for row in rows} == {21}
    assert rows[0].startswith("1111111")  # a finder pattern in every corner but the lower right
    assert rows[0].endswith("1111111")
    assert rows[-1].startswith("1111111")


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "1234567890" * 3,  # numeric mode
        "HELLO WORLD $%*+-./:",  # alphanumeric, every special character
        "hello, world",  # byte mode
        "Välkommen på frukost!",  # non-ASCII
        "https://frukost.example.se/a/" + "x" * 60,  # version 5: an alignment pattern
        "y" * 140,  # version 7: version information
        "z" * 400,  # version 14: several alignment patterns
    ],
)
def test_the_qr_of_other_texts_is_segnos_in_every_version_shape(text):
    _assert_same_as_segno(text, scale=2, border=2)


def test_one_code_after_another_each_gets_its_own_image():
    """The per-process template holds nothing of a code: images made in turn stay each code's."""
    first, second = "K7QX-2MPA", "H8NM-4TQV"

    images = [codes.qr_png(code) for code in (first, second, first, second)]

    assert images == [_segno_png(first, scale=6), _segno_png(second, scale=6)] * 2
    assert images[0] != images[1]


def _matrix(width: int, seed: int, density: float, patterns: int):
    """A random 0/1 matrix with finder-like patterns (some overlapping) drawn into rows and
    columns, so the N3 rule and its overlaps are exercised."""
    rng = random.Random(seed)
    matrix = tuple(bytearray(int(rng.random() < density) for _ in range(width)) for _ in range(width))
    pieces = [
        b"\1\0\1\1\1\0\1",
        b"\0\0\0\0\1\0\1\1\1\0\1\0\0\0\0",
        b"\0\0\0\0\1\0\1\1\1\0\1\1\1\0\1\0\0\0\0",  # two patterns, 4 apart
        b"\0\0\0\0\1\0\1\1\1\0\1\0\1\1\1\0\1\0\0\0\0",  # two patterns, 6 apart
        b"\1\0\1\1\1\0\1\1\1\0\1\1\1\0\1",  # three in a chain
    ]
    for _ in range(patterns):
        piece = rng.choice(pieces)[:width]
        line, start = rng.randrange(width), rng.randrange(width - 6)
        piece = piece[: width - start]
        if rng.random() < 0.5:
            matrix[line][start : start + len(piece)] = piece
        else:
            for offset, value in enumerate(piece):
                matrix[start + offset][line] = value
    return matrix


@settings(max_examples=300, deadline=None)
@given(
    width=st.sampled_from([21, 25, 45]),
    seed=st.integers(0, 2**32),
    density=st.floats(0.05, 0.95),
    patterns=st.integers(0, 12),
)
def test_the_penalty_scores_are_segnos_for_any_matrix(width, seed, density, patterns):
    matrix = _matrix(width, seed, density, patterns)
    template = qr._template((width - 17) // 4, encoder.normalize_errorlevel("M"))

    assert template.scores(template.pack(matrix)) == encoder.mask_scores(matrix, width, width)


@pytest.mark.parametrize("fill", [0, 1])
def test_the_penalty_scores_of_a_one_coloured_matrix_are_segnos(fill):
    matrix = tuple(bytearray([fill] * 21) for _ in range(21))
    template = qr._template(1, encoder.normalize_errorlevel("M"))

    assert template.scores(template.pack(matrix)) == encoder.mask_scores(matrix, 21, 21)
