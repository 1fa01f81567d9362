"""Reading a PNG back for the tests: its image, whatever zlib level compressed it."""

from __future__ import annotations

import struct
import zlib


def image(png: bytes) -> list[tuple[bytes, bytes]]:
    """The PNG's chunks in order, each (name, data) with the IDAT data decompressed: equal for two
    PNGs of the same image (the same header and pixel rows), however the rows were compressed.
    Each chunk's CRC is checked."""
    assert png[:8] == b"\211PNG\r\n\032\n"
    chunks, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        name, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(name + data), name
        chunks.append((name, zlib.decompress(data) if name == b"IDAT" else data))
        at += 12 + length
    assert chunks[-1] == (b"IEND", b"")
    return chunks
