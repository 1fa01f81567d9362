"""The check-in QR image is exactly the one segno makes: the same version, error correction,
mask, modules and PNG image (header and pixel rows; compressed at another zlib level).
checkin/qr.py scores segno's eight masks with its own bit arithmetic, so these tests hold that
arithmetic to segno's own (segno.encoder.mask_scores)."""

from __future__ import annotations

import io
import random
import zlib

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from segno import encoder

from frukost.checkin import codes, qr, qr_encoding
from tests.checkin.png import image

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


def _segno_image(text: str, *, scale: int, border: int = 4) -> list[tuple[bytes, bytes]]:
    return image(_segno_png(text, scale=scale, border=border))


def _assert_same_as_segno(text: str, *, scale: int = 6, border: int = 4) -> None:
    by_segno = segno.make(text, error="m", micro=False)
    mask, rows = qr.qr_symbol(text)
    assert mask == by_segno.mask
    assert rows == ["".join(map(str, row)) for row in by_segno.matrix]
    ours = qr.qr_png(text, scale=scale, border=border)
    assert image(ours) == _segno_image(text, scale=scale, border=border)


@settings(max_examples=400, deadline=None)
@given(code=st.one_of(ALPHABET_CODES, DERIVED_CODES))
def test_a_check_in_codes_qr_has_segnos_mask_and_png_image(code):
    assert codes.normalise(code) == code.replace("-", "") and len(code) == 9

    _assert_same_as_segno(code)
    assert image(codes.qr_png(code)) == _segno_image(code, scale=6)


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

    assert list(map(image, images)) == [_segno_image(first, scale=6), _segno_image(second, scale=6)] * 2
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


# The encoding (checkin/qr_encoding.py): codewords, Reed-Solomon, interleaving and placement
# without segno, held to segno's own functions.

ALPHANUMERIC_TEXTS = st.text(
    alphabet=encoder.consts.ALPHANUMERIC_CHARS.decode(), min_size=1, max_size=300
).filter(lambda text: not text.isdigit())
ASCII_BYTE_TEXTS = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=300).filter(
    lambda text: not encoder.is_alphanumeric(text.encode()) or text == ""
)
SHAPES = [(version, error) for version in range(1, 41) for error in range(4)]


def _segno_masked_with_0(text: str) -> tuple[int, int, int]:
    made = segno.make(text, error="m", micro=False, mask=0)
    version, error = encoder.normalize_version(made.version), encoder.normalize_errorlevel(made.error)
    template = qr._template(version, error)
    return version, error, template.pack(made.matrix) & ~template.late


def _encoded_without_late(text: str) -> tuple[int, int, int]:
    version, error, packed = qr_encoding.encode(text)
    return version, error, packed & ~qr._template(version, error).late


@settings(max_examples=300, deadline=None)
@given(code=st.one_of(ALPHABET_CODES, DERIVED_CODES))
def test_a_check_in_code_is_encoded_without_segno_into_segnos_matrix(code):
    assert qr_encoding.encode(code) is not None

    assert _encoded_without_late(code) == _segno_masked_with_0(code)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(ALPHANUMERIC_TEXTS, ASCII_BYTE_TEXTS))
def test_any_alphanumeric_or_ascii_text_is_encoded_as_segno_encodes_it(text):
    """Every length of both modes: other versions, blocks, pad codewords and segno's zero byte."""
    assert qr_encoding.encode(text) is not None

    assert _encoded_without_late(text) == _segno_masked_with_0(text)
    _assert_same_as_segno(text, scale=1, border=1)


@pytest.mark.parametrize(
    "text",
    [
        "A" * length  # the data ends exactly on a byte, on the capacity, or leaves pad codewords
        for length in (1, 2, 3, 7, 8, 10, 11, 13, 14, 16, 20, 25, 47, 77, 114, 154, 1852)
    ]
    + ["a" * length for length in (0, 1, 7, 11, 14, 15, 16, 17, 26, 32, 42, 53, 2331)],
)
def test_the_terminator_padding_and_pad_codewords_are_segnos(text):
    assert _encoded_without_late(text) == _segno_masked_with_0(text)
    _assert_same_as_segno(text, scale=1, border=0)


@pytest.mark.parametrize(
    "text",
    [
        "12345678",  # numeric mode
        "0",
        "Välkommen på frukost!",  # ISO 8859-1, not ASCII
        "朝食",  # Kanji or UTF-8
        "\x82\xa0\x82\xa2",  # ISO 8859-1 bytes that are Shift JIS pairs: segno's Kanji mode
    ],
)
def test_texts_outside_the_encoded_shapes_are_left_to_segno_and_still_match(text):
    assert qr_encoding.encode(text) is None

    _assert_same_as_segno(text, scale=2, border=2)


def test_a_text_too_long_for_any_version_gets_segnos_error():
    assert qr_encoding.encode("A" * 4297) is None

    with pytest.raises(segno.DataOverflowError):
        qr.qr_png("A" * 4297, scale=1)


def _segno_blocks(data: bytes, version: int, error: int) -> tuple[list[bytearray], list[bytearray]]:
    buffer = encoder.Buffer()
    for byte in data:
        buffer.append_bits(byte, 8)
    return encoder.make_blocks(encoder.consts.ECC[version][error], buffer)


@settings(max_examples=200, deadline=None)
@given(shape=st.sampled_from(SHAPES), seed=st.integers(0, 2**32))
def test_the_reed_solomon_codewords_are_segnos_for_any_data(shape, seed):
    version, error = shape
    blocks = qr_encoding.blocks(version, error)
    data = random.Random(seed).randbytes(sum(count for count, _ in blocks))

    data_blocks, error_blocks = _segno_blocks(data, version, error)

    assert qr_encoding.codewords(data, blocks) == data + b"".join(map(bytes, error_blocks))
    assert b"".join(map(bytes, data_blocks)) == data


@pytest.mark.parametrize(
    "degree", sorted({error for version, level in SHAPES for _, error in qr_encoding.blocks(version, level)})
)
def test_the_reed_solomon_codewords_of_single_bytes_are_segnos(degree):
    """Each data byte's value at each place: every entry of the GF(256) tables is used."""
    length = 2
    for value in range(256):
        data = bytes([value, 255 - value])
        expected = bytearray(data) + bytearray(degree)
        for k in range(length):  # segno's synthetic division, as make_blocks does it
            coefficient = expected[k]
            if coefficient:
                log = encoder.consts.GALIOS_LOG[coefficient]
                for n, generator in enumerate(encoder.consts.GEN_POLY[degree]):
                    expected[k + n + 1] ^= encoder.consts.GALIOS_EXP[log + generator]
        assert qr_encoding.error_codewords(data, degree) == bytes(expected[length:])


def _placed_by_segno(data: bytes, version: int, error: int) -> int:
    """The codewords' matrix as segno builds it (make_final_message: Reed-Solomon, interleaving
    and remainder bits; add_codewords; mask 0), packed without the format and version modules."""
    buffer = encoder.Buffer()
    for byte in data:
        buffer.append_bits(byte, 8)
    width = encoder.calc_matrix_size(version)
    matrix = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(matrix, width, width)
    encoder.add_alignment_patterns(matrix, width, width)
    encoder.add_codewords(matrix, encoder.make_final_message(version, error, buffer), version)
    encoder.find_and_apply_best_mask(matrix, width, width, proposed_mask=0)
    template = qr._template(version, error)
    return template.pack(matrix) & ~template.late


@settings(max_examples=120, deadline=None)
@given(shape=st.sampled_from(SHAPES), seed=st.integers(0, 2**32))
def test_the_placement_is_segnos_for_any_codewords_in_every_version(shape, seed):
    """Interleaving, placement, remainder bits and mask 0 for random codewords, against
    segno's make_final_message, add_codewords and apply_mask."""
    version, error = shape
    blocks = qr_encoding.blocks(version, error)
    data = random.Random(seed).randbytes(sum(count for count, _ in blocks))

    placed = qr_encoding.place(qr_encoding.codewords(data, blocks), version, blocks)

    assert placed == _placed_by_segno(data, version, error)


@pytest.mark.parametrize("shape", [shape for shape in SHAPES if shape[0] <= qr_encoding._TABLED_VERSIONS])
def test_the_nibble_tables_and_the_permutation_place_every_value_of_every_codeword_as_segno(shape):
    """The tabled versions (a check-in code's among them), both ways of placing, with every
    nibble value at every place in the data codewords."""
    version, error = shape
    blocks = qr_encoding.blocks(version, error)
    count = sum(data for data, _ in blocks)
    for value in range(16):
        data = bytes((value + k) % 16 * 17 for k in range(count))
        message = qr_encoding.codewords(data, blocks)
        by_segno = _placed_by_segno(data, version, error)

        assert qr_encoding._placed_by_tables(message, version, blocks) == by_segno
        assert qr_encoding._placed_by_getter(message, version, blocks) == by_segno


def test_the_pixel_rows_are_compressed_at_level_1_in_few_more_bytes():
    """Level 1 (a third of level 9's CPU): the same rows as segno's, compressed otherwise."""
    code = "K7QX-2MPA"
    png, by_segno = codes.qr_png(code), _segno_png(code, scale=6)
    [idat] = [data for name, data in image(png) if name == b"IDAT"]

    assert qr.ZLIB_LEVEL == 1
    assert png != by_segno and image(png) == image(by_segno)
    assert zlib.compress(idat, 1) in png
    assert len(png) < len(by_segno) + 100 and len(png) < 400


def test_the_image_decodes_to_segnos_pixels():
    """An independent decoder (Pillow, which reportlab brings) sees the very pixels segno's has."""
    pil = pytest.importorskip("PIL.Image")
    for code in ("K7QX-2MPA", "2222-2222", "ZZZZ-ZZZZ"):
        ours, theirs = (pil.open(io.BytesIO(png)) for png in (codes.qr_png(code), _segno_png(code, scale=6)))
        # Version 1 (at H): (21 + 2 × 4 border) × 6 pixels a side.
        assert (ours.mode, ours.size) == (theirs.mode, theirs.size) == ("1", (174, 174))
        assert ours.tobytes() == theirs.tobytes()
