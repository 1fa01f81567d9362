"""The check-in code's QR image: the very PNG segno makes, at a fraction of its CPU.

Every confirmation e-mail carries one, so it counts against the mail worker's CPU per message
(issue 10). segno does it in per-module Python loops: encoding the text (checkin/qr_encoding.py
does that for a check-in code's shapes, with segno's layout; other texts still go through
`segno.make(..., mask=0)`), applying and scoring all eight data masks (ISO/IEC 18004 7.8.3: N1
runs, N2 2x2 blocks, N3 finder-like patterns, N4 dark ratio) and writing the PNG. Here the
matrix's rows and columns are packed into one integer, each mask is an XOR with a template
built once per process per version and error level, and the penalties are counted with shifts
and `bit_count()` over all lines at once; the PNG's scanlines are made from that integer. The
rules are segno's own (`segno.encoder.mask_scores`), quirks included: its evaluation sees the
format and version areas as light, and its scan for N3 patterns skips an occurrence that
overlaps one it has just counted. tests/checkin/test_qr.py holds the scores, the chosen mask and
the PNG's image (its header and its decompressed pixel rows) equal to segno's. The pixel rows are
compressed at zlib level 1, not segno's 9: a third of the CPU for the same image, in about 50
more bytes (`ZLIB_LEVEL`).
"""

from __future__ import annotations

import struct
import zlib
from functools import cache

import segno
from segno import encoder

from frukost.checkin import qr_encoding

# zlib level 1: about 0.16 M instructions a check-in QR where segno's level 9 takes 0.51 M, for
# 250 bytes instead of 202 (benchmarks/README.md, "Sixth pass: the mail worker"). The image is
# the same; only its compressed bytes differ.
ZLIB_LEVEL = 1
_GAP = qr_encoding.GAP  # light modules between packed lines: N3 looks four modules beyond a line's end
_DIGITS = bytes.maketrans(b"\0\1", b"01")


class _Template:
    """What is the same for every symbol of one version and error level: which modules each
    mask flips, the format and version modules as segno writes them for each mask, and the bit
    masks that confine the penalty rules to their lines."""

    def __init__(self, version: int, error: int) -> None:
        width = encoder.calc_matrix_size(version)
        self.width = width
        stride = width + _GAP
        self.stride = stride
        self.total = _GAP + 2 * width * stride
        self.all = (1 << self.total) - 1

        # The function patterns, as segno's find_and_apply_best_mask marks them: a module
        # still 0x2 after these is in the encoding region, the only one masks touch.
        function = encoder.make_matrix(width, width)
        encoder.add_finder_patterns(function, width, width)
        encoder.add_alignment_patterns(function, width, width)
        function[-8][8] = 0x1
        masks = encoder.get_data_mask_functions(False)
        span = range(width)
        flips = [
            self.pack([bytearray(function[i][j] > 0x1 and bool(fn(i, j)) for j in span) for i in span])
            for fn in masks
        ]
        # Against segno's output with mask 0: flipping by (mask 0 XOR mask m) gives mask m.
        self.flips_from_0 = [flips[0] ^ flip for flip in flips]

        # The modules segno writes only after choosing the mask (format information, the dark
        # module, version information): light while masks are scored.
        probe = tuple(bytearray([0x2] * width) for _ in range(width))
        encoder.add_format_info(probe, version, error, 0)
        encoder.add_version_info(probe, version)
        self.late = self.pack([bytearray(value != 0x2 for value in row) for row in probe])
        self.late_values = []
        for mask in range(len(masks)):
            written = tuple(bytearray(width) for _ in range(width))
            encoder.add_format_info(written, version, error, mask)
            encoder.add_version_info(written, version)
            self.late_values.append(self.pack(written))

        line = [1] * width
        pairs = [1] * (width - 1) + [0]  # a module and the next one in its line
        self.pairs = self._lines([pairs] * (2 * width))
        # 2x2 blocks, by their top-left module: rows 0..width-2, columns 0..width-2, in the row
        # lines only (each block is counted once).
        self.blocks = self._lines([pairs] * (width - 1) + [[0] * width] * (width + 1))
        self.rows = self._lines([line] * width + [[0] * width] * width)

    def pack(self, matrix) -> int:
        """A matrix of 0/1 (rows of bytes) as one int: its rows, then its columns, each line's
        first module the most significant, _GAP zero bits before, between and after lines."""
        rows = [bytes(row).translate(_DIGITS) for row in matrix]
        columns = [bytes(column).translate(_DIGITS) for column in zip(*matrix, strict=True)]
        gap = b"0" * _GAP
        return int(gap + gap.join(rows + columns) + gap, 2)

    def _lines(self, lines) -> int:
        gap = "0" * _GAP
        return int(gap + gap.join("".join(map(str, line)) for line in lines) + gap, 2)

    def scores(self, packed: int) -> tuple[int, int, int, int]:
        """The penalties N1, N2, N3, N4 of a packed matrix, as segno.encoder.mask_scores counts
        them. A module later in its line is a lower bit: `x << t` puts at each module the
        value t modules further on; `x << stride` the value in the next line."""
        dark = packed
        light = dark ^ self.all  # the gaps count as light: outside the symbol is light

        # N1: five or more alike in a row or column, 3 points plus one for each beyond five.
        same = ~(dark ^ (dark << 1)) & self.pairs
        fives = same & (same << 1) & (same << 2) & (same << 3)
        n1 = fives.bit_count() + 2 * (fives & ~(fives >> 1)).bit_count()

        # N2: 3 points for each 2x2 block of one colour, overlapping blocks all counted.
        below = ~(dark ^ (dark << self.stride))
        n2 = 3 * (below & (below << 1) & ~(dark ^ (dark << 1)) & self.blocks).bit_count()

        # N3: dark-light-dark-dark-dark-light-dark with four light modules before or after it.
        found = dark & (light << 1) & (dark << 2) & (dark << 3) & (dark << 4) & (light << 5) & (dark << 6)
        before = (light >> 1) & (light >> 2) & (light >> 3) & (light >> 4)
        after = (light << 7) & (light << 8) & (light << 9) & (light << 10)
        counted = found & (before | after)
        # segno's scan resumes after a counted pattern's end, so a pattern overlapping it
        # (starting 4 or 6 modules later, the only overlaps the pattern allows) is not counted.
        counted &= ~((counted >> 4) | (counted >> 6))
        n3 = 40 * counted.bit_count()

        # N4: 10 points for each 5% the dark share is off 50%, in segno's float arithmetic.
        percent = float((dark & self.rows).bit_count()) / (self.width**2)
        n4 = 10 * int(abs(percent * 100 - 50) / 5)
        return n1, n2, n3, n4

    def best_mask(self, masked_with_0: int) -> int:
        """The mask segno would choose, from the packed matrix segno made with mask 0: the
        lowest total penalty, the lowest mask number among equals."""
        unmasked_late = masked_with_0 & ~self.late
        totals = [sum(self.scores(unmasked_late ^ flip)) for flip in self.flips_from_0]
        return min(range(len(totals)), key=totals.__getitem__)

    def with_mask(self, masked_with_0: int, mask: int) -> int:
        """The final symbol, packed: `mask` instead of mask 0, and its format and version modules."""
        return (masked_with_0 & ~self.late | self.late_values[mask]) ^ self.flips_from_0[mask]

    def row_strings(self, packed: int) -> list[str]:
        """A packed symbol's rows ("1" dark)."""
        bits = format(packed, f"0{self.total}b")
        starts = range(_GAP, self.width * self.stride, self.stride)
        return [bits[start : start + self.width] for start in starts]


@cache
def _template(version: int, error: int) -> _Template:
    return _Template(version, error)


def _symbol(text: str) -> tuple[_Template, int, int]:
    """The template, the mask and the packed final symbol segno.make(text, error="m",
    micro=False) makes for `text`."""
    encoded = qr_encoding.encode(text)  # a check-in code always is: one alphanumeric segment
    if encoded is None:
        # micro=False: segno picks a Micro QR for 9 characters, which phone cameras, BarcodeDetector
        # and jsQR do not read.
        qr = segno.make(text, error="m", micro=False, mask=0)
        template = _template(encoder.normalize_version(qr.version), encoder.normalize_errorlevel(qr.error))
        masked_with_0 = template.pack(qr.matrix)
    else:
        version, error, masked_with_0 = encoded
        template = _template(version, error)
    mask = template.best_mask(masked_with_0)
    return template, mask, template.with_mask(masked_with_0, mask)


def qr_symbol(text: str) -> tuple[int, list[str]]:
    """The mask and the rows ("1" dark) of the regular QR symbol segno.make(text, error="m",
    micro=False) makes for `text`."""
    template, mask, packed = _symbol(text)
    return mask, template.row_strings(packed)


def qr_png(text: str, *, scale: int, border: int = 4) -> bytes:
    """`text` as the PNG image segno.make(text, error="m", micro=False).save(kind="png",
    scale=scale, border=border) writes: the same chunks and pixel rows, the rows compressed at
    ZLIB_LEVEL instead of segno's 9."""
    template, _, packed = _symbol(text)
    return _png(template, packed, scale=scale, border=border)


@cache
def _widened(scale: int) -> list[bytes]:
    """Each byte value with each of its bits repeated `scale` times: `scale` bytes."""
    return [
        int("".join(bit * scale for bit in format(value, "08b")), 2).to_bytes(scale, "big")
        for value in range(256)
    ]


def _png(template: _Template, packed: int, *, scale: int, border: int) -> bytes:
    """The packed symbol as the PNG segno's writer makes (1-bit greyscale, a light pixel 1, each
    repeated row an "Up"-filtered row of zeros), compressed at ZLIB_LEVEL. The rows are widened to
    pixels all at once, byte by byte through a table, and each scanline is one int."""
    size, stride = template.width, template.stride
    width = (size + 2 * border) * scale
    row_bytes = (width + 7) // 8
    padding = row_bytes * 8 - width  # 0 bits after the last pixel
    rows = packed >> (template.total - size * stride)  # the rows part: row 0 highest, GAP apart
    widened = int.from_bytes(
        b"".join(map(_widened(scale).__getitem__, rows.to_bytes(-(-size * stride // 8), "big")))
    )
    light = ((1 << width) - 1) << padding
    offset = border * scale + padding
    row_mask = (1 << size * scale) - 1
    light_rows = (b"\0" + light.to_bytes(row_bytes, "big")) * (border * scale)
    repeated = (b"\2" + bytes(row_bytes)) * (scale - 1)  # filter type 2 ("Up"): same as above
    data = [light_rows]
    for shift in range((size - 1) * stride * scale, -1, -stride * scale):  # filter type 0 ("None")
        dark = (widened >> shift) & row_mask
        data.append(b"\0" + (light ^ dark << offset).to_bytes(row_bytes, "big"))
        data.append(repeated)
    data.append(light_rows)
    header = struct.pack(">2I5B", width, width, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    return (
        b"\211PNG\r\n\032\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(data), ZLIB_LEVEL))
        + _chunk(b"IEND", b"")
    )


def _chunk(name: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))
