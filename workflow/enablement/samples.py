"""Small, real sample files (PDF with text, PNG) for the demo data and the tests."""

from __future__ import annotations

import random
import struct
import zlib


def sample_pdf(*lines: str, padding: int = 1200) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (ASCII), built by hand.

    ``padding`` bytes of comment make it look like a real document to the size precheck.
    """
    text = " ".join(f"({_escape(line)}) Tj 0 -16 Td" for line in lines)
    content = f"BT /F1 12 Tf 72 760 Td 16 TL {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%" + b"sample " * (padding // 7) + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def sample_png(width: int = 320, height: int = 240, shade: int = 200) -> bytes:
    """A grey RGB PNG with a band of noise, big enough for the size and dimension prechecks."""
    noise = random.Random(shade)
    rows = []
    for y in range(height):
        if height // 3 < y < height // 3 + 8:
            rows.append(b"\x00" + noise.randbytes(width * 3))
        else:
            rows.append(b"\x00" + bytes((shade, shade, shade)) * width)
    raw = zlib.compress(b"".join(rows), 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
