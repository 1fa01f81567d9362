"""The QR symbol's codewords and their placement, without segno's per-module loops.

`segno.make(code, error="m", micro=False, mask=0)` cost the check-in QR 0.33-0.44 ms of the mail
worker's CPU per message (issue 10), nearly all of it Python loops over bits and modules:
building the bit stream, Reed-Solomon division one coefficient at a time, placing each module,
applying mask 0. Here a text segno would write as one alphanumeric or one byte segment (every
check-in code is alphanumeric) is encoded with whole-integer and C-level operations:

- the data bits (mode indicator, character count, data, terminator, padding to a byte with
  segno's quirk of a whole zero byte when the stream already ends on one, pad codewords
  0xEC/0x11) as one int;
- Reed-Solomon as a shift register over an int, one step a data codeword, with a table of the
  generator polynomial multiplied by each of the 256 byte values, made once per process from
  this module's own GF(256) log/antilog tables;
- interleaving, placement and mask 0 as one permutation per version and error level (a module
  of the packed matrix -> a bit of the blocks' codewords), applied by `operator.itemgetter` over
  a string of the bits, or, for versions 1 and 2 (a check-in code's is 1), through tables made
  from it: per codeword and nibble value, the modules its set bits flip. The permutation is
  read off segno's own functions (`make_matrix`, `add_finder_patterns`,
  `add_alignment_patterns`, `add_codewords` placing marker values in a scratch matrix), so the
  layout is segno's by construction; the version and error level (boosted: a check-in code
  gets H) are segno's own choice (`find_version`, `boost_error_level`) for a text of the same
  mode and length.

Anything else (numeric or Kanji mode, non-ASCII text, a text too long for any version) is left
to segno: `encode` returns None. tests/checkin/test_qr.py holds the codewords, the matrix and the
PNG image equal to segno's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import zip_longest
from operator import itemgetter

from segno import DataOverflowError, consts, encoder

GAP = 4  # light modules between the packed lines (checkin.qr's templates pack the same way)

_ERROR_M = consts.ERROR_LEVEL_M
_ALPHANUMERIC = consts.MODE_ALPHANUMERIC
_BYTE = consts.MODE_BYTE
# A byte -> its value in alphanumeric mode (ISO/IEC 18004 table 5), 0xFF for any other byte.
_ALPHANUMERIC_VALUES = bytes(
    consts.ALPHANUMERIC_CHARS.index(byte) if byte in consts.ALPHANUMERIC_CHARS else 0xFF
    for byte in range(256)
)
_PAD_CODEWORDS = b"\xec\x11" * 1500  # more than the largest symbol's 2,956 data codewords
_FLIP = str.maketrans("01", "10")


def _galois_tables() -> tuple[list[int], list[int]]:
    """Antilog (alpha**i, doubled in length so a sum of two logs needs no modulo) and log
    tables of GF(256) with the QR code's polynomial x**8 + x**4 + x**3 + x**2 + 1 (0x11D)."""
    antilog, log = [0] * 510, [0] * 256
    value = 1
    for power in range(255):
        antilog[power] = antilog[power + 255] = value
        log[value] = power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    return antilog, log


_ANTILOG, _LOG = _galois_tables()


def _multiply(a: int, b: int) -> int:
    return _ANTILOG[_LOG[a] + _LOG[b]] if a and b else 0


@cache
def _generator(degree: int) -> list[int]:
    """The generator polynomial (x - alpha**0) ... (x - alpha**(degree-1)), highest power first."""
    polynomial = [1]
    for power in range(degree):
        root = _ANTILOG[power]  # times (x + root): minus is plus in GF(2**8)
        polynomial = [
            high ^ _multiply(low, root) for high, low in zip([*polynomial, 0], [0, *polynomial], strict=True)
        ]
    return polynomial


@cache
def _feedback(degree: int) -> list[int]:
    """For each byte value c: c times the generator's lower coefficients, as one int of
    `degree` bytes, what one step of the division XORs into the remainder."""
    lower = _generator(degree)[1:]
    return [
        int.from_bytes(bytes(_multiply(c, coefficient) for coefficient in lower), "big") for c in range(256)
    ]


def error_codewords(data: bytes, degree: int) -> bytes:
    """The `degree` Reed-Solomon codewords of a block: the remainder of data(x) * x**degree
    divided by the generator, computed as a shift register held in one int."""
    feedback = _feedback(degree)
    top = 8 * (degree - 1)
    below_top = (1 << top) - 1
    remainder = 0
    for codeword in data:
        remainder = ((remainder & below_top) << 8) ^ feedback[(remainder >> top) ^ codeword]
    return remainder.to_bytes(degree, "big")


@dataclass(frozen=True)
class _Shape:
    """What segno decides from a segment's mode and length alone."""

    version: int
    error: int
    count_bits: int  # length of the character count indicator
    capacity: int  # data bits of the symbol
    blocks: tuple[tuple[int, int], ...]  # (data codewords, error codewords) of each block, in order


@lru_cache(maxsize=256)
def _shape(mode: int, length: int) -> _Shape | None:
    """segno's version and (boosted) error level for one segment of this mode and length,
    found by segno's own functions on a stand-in text of that mode and length; None when no
    version holds it (segno then raises its own error)."""
    stand_in = ("A" if mode == _ALPHANUMERIC else "a") * length
    segments = encoder.prepare_data(stand_in, None, None)
    if segments.modes != [mode]:  # never for the stand-ins: segno's choice of mode is the one guessed
        return None
    try:
        version = encoder.find_version(segments, _ERROR_M, eci=False, micro=False)
    except DataOverflowError:
        return None
    error = encoder.boost_error_level(version, _ERROR_M, segments, eci=False)
    return _Shape(
        version=version,
        error=error,
        count_bits=consts.CHAR_COUNT_INDICATOR_LENGTH[mode][encoder.version_range(version)],
        capacity=consts.SYMBOL_CAPACITY[version][error],
        blocks=blocks(version, error),
    )


@cache
def blocks(version: int, error: int) -> tuple[tuple[int, int], ...]:
    """(data codewords, error codewords) of each block of the symbol, in order (7.5.2, table 9)."""
    return tuple(
        (info.num_data, info.num_total - info.num_data)
        for info in consts.ECC[version][error]
        for _ in range(info.num_blocks)
    )


def _segment(text: str) -> tuple[int, int, int] | None:
    """(mode, data bits as an int, their number) of the one segment segno makes of `text`, or
    None when segno would choose a mode this module does not write (numeric, Kanji) or an
    encoding other than ASCII."""
    if not text.isascii():
        return None
    data = text.encode("ascii")
    if data.isdigit():  # numeric mode
        return None
    values = data.translate(_ALPHANUMERIC_VALUES)
    if not data or 0xFF in values:  # byte mode; ASCII pairs are never Shift JIS, so never Kanji
        return _BYTE, int.from_bytes(data, "big"), 8 * len(data)
    number = 0
    for index in range(0, len(values) - 1, 2):  # two characters in 11 bits
        number = number << 11 | values[index] * 45 + values[index + 1]
    bits = 11 * (len(values) // 2)
    if len(values) % 2:  # the last one alone in 6 bits
        number, bits = number << 6 | values[-1], bits + 6
    return _ALPHANUMERIC, number, bits


def data_codewords(mode: int, char_count: int, number: int, bits: int, shape: _Shape) -> bytes:
    """The symbol's data codewords as segno writes them (7.4: mode, count, data, terminator,
    padding, pad codewords)."""
    stream = (mode << shape.count_bits | char_count) << bits | number
    length = 4 + shape.count_bits + bits
    terminator = min(shape.capacity - length, 4)
    length += terminator
    padding = 8 - length % 8  # segno's: a whole zero byte when the stream ends on a byte
    stream <<= terminator + padding
    length += padding
    data_bytes = shape.capacity // 8
    pads = _PAD_CODEWORDS[: max(0, data_bytes - length // 8)]
    return (stream.to_bytes(length // 8, "big") + pads)[:data_bytes]


def codewords(data: bytes, blocks: tuple[tuple[int, int], ...]) -> bytes:
    """The blocks' data codewords, then their error codewords, block by block (not interleaved:
    the placement permutation interleaves)."""
    errors = []
    start = 0
    for data_count, error_count in blocks:
        errors.append(error_codewords(data[start : start + data_count], error_count))
        start += data_count
    return data + b"".join(errors)


@lru_cache(maxsize=16)  # version 40: ~2 MB with its getter; a check-in code needs ~20 KB
def placement(version: int, blocks: tuple[tuple[int, int], ...]) -> itemgetter:
    """`_sources` as one C-level getter."""
    return itemgetter(*_sources(version, blocks))


@lru_cache(maxsize=16)  # version 40: ~2 MB with its getter; a check-in code needs ~20 KB
def _sources(version: int, blocks: tuple[tuple[int, int], ...]) -> list[int]:
    """The permutation from the blocks' codeword bits to the packed matrix, mask 0 applied.

    For each bit of the packed matrix (rows, then columns, GAP light modules before, between
    and after lines), an index into a string of the N bits of `codewords()` ("1" dark), the
    same N bits inverted, then "0" and "1": the character to put there,
    a codeword's bit, inverted where mask 0 flips its module, or a constant for function
    modules, format and version areas (light) and the remainder bits (0 before masking).
    Built from segno's own functions: each free module of segno's scratch matrix receives its
    position in the final message from `add_codewords`, and the final message is the blocks'
    codewords interleaved as `make_final_message` interleaves them."""
    width = encoder.calc_matrix_size(version)
    scratch = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(scratch, width, width)
    encoder.add_alignment_patterns(scratch, width, width)
    scratch = tuple(list(row) for row in scratch)
    free = sum(row.count(0x2) for row in scratch)
    encoder.add_codewords(scratch, range(3, free + 3), version)  # markers 3.. : never 0, 1 or 2
    assert not any(0x2 in row for row in scratch)

    # The final message, codeword by codeword: which codeword of codewords() it is.
    data_total = sum(data for data, _ in blocks)
    data_lists, error_lists, data_start, error_start = [], [], 0, data_total
    for data, error in blocks:
        data_lists.append(range(data_start, data_start + data))
        error_lists.append(range(error_start, error_start + error))
        data_start, error_start = data_start + data, error_start + error
    order = [
        codeword
        for lists in (data_lists, error_lists)
        for column in zip_longest(*lists)
        for codeword in column
        if codeword is not None
    ]
    bits = 8 * len(order)
    assert free - bits in (0, 3, 4, 7), (version, free, bits)  # the remainder bits
    light, dark = 2 * bits, 2 * bits + 1
    flips = encoder.get_data_mask_functions(False)[0]

    def source(i: int, j: int) -> int:
        value = scratch[i][j]
        if value < 0x2:  # a function module, or a format or version module (still 0)
            return dark if value else light
        position = value - 3
        flipped = bool(flips(i, j))
        if position >= bits:  # a remainder bit: 0
            return dark if flipped else light
        index = 8 * order[position // 8] + position % 8
        return index + bits if flipped else index

    cells = [[source(i, j) for j in range(width)] for i in range(width)]
    indices = []
    for line in cells + [list(column) for column in zip(*cells, strict=True)]:
        indices += [light] * GAP
        indices += line
    indices += [light] * GAP
    return indices


_TABLED_VERSIONS = 2  # versions placed through nibble tables: ~120 KB (version 1), ~260 KB (2) each


@lru_cache(maxsize=_TABLED_VERSIONS * 4)
def _nibble_tables(
    version: int, blocks: tuple[tuple[int, int], ...]
) -> tuple[int, list[list[int]], list[list[int]]]:
    """The permutation as tables: the packed matrix of codewords all 0, and for each codeword
    and each value of its high (then low) nibble, the bits of the packed matrix that its set
    bits flip. No two bits of the codewords reach the same module, so a sum of table entries
    is their XOR."""
    sources = _sources(version, blocks)
    bits = 8 * sum(data + error for data, error in blocks)
    total = len(sources)
    flips = [0] * bits
    base = 0
    for position, source in enumerate(sources):
        bit = 1 << (total - 1 - position)
        if source >= bits and source != 2 * bits:  # dark while the codeword bit is 0
            base |= bit
        if source < 2 * bits:
            flips[source % bits] |= bit

    def table(first: int) -> list[int]:
        return [sum(flips[first + k] for k in range(4) if value & (8 >> k)) for value in range(16)]

    return (
        base,
        [table(start) for start in range(0, bits, 8)],
        [table(start + 4) for start in range(0, bits, 8)],
    )


_HIGH = bytes(value >> 4 for value in range(256))
_LOW = bytes(value & 15 for value in range(256))


def place(message: bytes, version: int, blocks: tuple[tuple[int, int], ...]) -> int:
    """The packed matrix of `codewords()` placed and masked with mask 0 (format and version
    modules light)."""
    if version <= _TABLED_VERSIONS:
        return _placed_by_tables(message, version, blocks)
    return _placed_by_getter(message, version, blocks)


def _placed_by_tables(message: bytes, version: int, blocks: tuple[tuple[int, int], ...]) -> int:
    base, high, low = _nibble_tables(version, blocks)
    get = list.__getitem__
    return base ^ (
        sum(map(get, high, message.translate(_HIGH))) + sum(map(get, low, message.translate(_LOW)))
    )


def _placed_by_getter(message: bytes, version: int, blocks: tuple[tuple[int, int], ...]) -> int:
    stream = format(int.from_bytes(message, "big"), f"0{8 * len(message)}b")
    return int("".join(placement(version, blocks)(stream + stream.translate(_FLIP) + "01")), 2)


def encode(text: str) -> tuple[int, int, int] | None:
    """(version, error level, packed matrix) of the symbol segno.make(text, error="m",
    micro=False, mask=0) makes, packed as checkin.qr's templates pack it, with the format and
    version modules left light (the templates replace them); None for a text left to segno."""
    if not isinstance(text, str):
        return None
    segment = _segment(text)
    if segment is None:
        return None
    mode, number, bits = segment
    shape = _shape(mode, len(text))
    if shape is None:
        return None
    message = codewords(data_codewords(mode, len(text), number, bits, shape), shape.blocks)
    return shape.version, shape.error, place(message, shape.version, shape.blocks)
