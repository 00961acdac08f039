"""The hostile values, each with a name that becomes part of the case's pytest id.

Every payload the issue names is here: NUL bytes, control characters, invisible and bidi
characters, look-alike digits, integers past what the database holds, numbers Python refuses
to parse, oversized text, invalid UTF-8, files of the wrong type and hostile file names.
"""

from __future__ import annotations

import io
import zipfile

from workflow.distribution.samples import inflating_workbook
from workflow.enablement.samples import sample_pdf, sample_png

#: Text for any form field or query parameter. ``bytes`` values are sent as they are
#: (percent-encoded), so they reach the server as invalid UTF-8.
TEXT: dict[str, str | bytes] = {
    "nul": "before\x00after",
    "control-chars": "bell\x07 escape\x1b[2J delete\x7f backspace\x08",
    "crlf-header": "Name\r\nBcc: victim@evil.example",
    "zero-width": "tb\u200bid\u200c\u200d\u2060\ufeff",
    "bidi": "\u202egnp.exe\u202c \u2066x\u2069 \u200f",
    "lookalike-digits": "١٢٣٤",
    "fullwidth-digits": "１２３４５６７８",
    "superscript-two": "²",
    "nfd-accent": "Cafe\u0301",
    "astral": "𝟙𝟚𝟛 😀",
    "markup": "<script>alert(1)</script>\"'&amp;",
    "sql": "' OR '1'='1' --",
    "empty": "",
    "whitespace": " \t \u3000 ",
    "chars-100k": "x" * 100_000,
    "int-2^31": str(2**31),
    "int-2^63": str(2**63),
    "int-huge": "9" * 40,
    "digits-4300": "9" * 4301,
    "float-1e12": "1e12",
    "nan": "NaN",
    "float-1e999999": "1e999999",
    "negative": "-1",
    "invalid-utf8": b"\xff\xfe\xc3(",
}

#: What every form field gets (the rest of ``TEXT`` goes to every query parameter): what breaks
#: storage (NUL, 2^31 and 2^63, huge text), parsing (4,300 digits, NaN, invalid UTF-8, ``²``),
#: and what a validator must refuse (control, invisible and bidi characters, look-alikes).
FIELD: dict[str, str | bytes] = {
    name: TEXT[name]
    for name in (
        "nul",
        "control-chars",
        "crlf-header",
        "zero-width",
        "bidi",
        "lookalike-digits",
        "superscript-two",
        "chars-100k",
        "int-2^31",
        "int-2^63",
        "digits-4300",
        "nan",
        "empty",
        "invalid-utf8",
    )
}

#: Values for integer parts of a path (``<int:…>``): the database holds 32-bit ids.
INT_PATH: dict[str, str] = {
    "id-2^31": str(2**31),
    "id-2^63": str(2**63),
    "id-huge": "1" + "0" * 40,
    "id-zero": "0",
    "id-negative": "-1",
    "id-lookalike": "١٢",
    "id-superscript": "²",
    "id-float": "1e3",
}

#: Values for text parts of a path (``<kind>``, ``<event>``, ``<token>``…), percent-encoded.
STR_PATH: dict[str, str] = {
    "seg-nul": "%00",
    "seg-newline": "%0a",
    "seg-traversal": "..%2f..%2fetc%2fpasswd",
    "seg-bidi": "%E2%80%AE",
    "seg-long": "a" * 5000,
    "seg-invalid-utf8": "%FF%FE",
    "seg-dunder": "__class__",
}

#: ``next`` values that must never send a browser off the site.
NEXT: dict[str, str] = {
    "next-tab-evil": "/%09/evil.example",
    "next-newline": "/%0a/evil.example",
    "next-cr": "/%0d/evil.example",
    "next-double-slash": "//evil.example",
    "next-backslash": "/%5Cevil.example",
    "next-backslash-raw": "\\\\evil.example",
    "next-scheme": "https://evil.example/",
    "next-javascript": "javascript:alert(1)",
    "next-nul": "/%00/evil.example",
    "next-userinfo": "/@evil.example",
    "next-long": "/" + "a" * 5000,
}


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return buffer.getvalue()


#: Uploads of the wrong type, or broken: ``name -> (bytes, filename)``.
FILES: dict[str, tuple[bytes, str]] = {
    "file-empty": (b"", "empty.pdf"),
    "file-html": (b"<html><script>alert(1)</script></html>", "page.pdf"),
    "file-elf": (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "tool.pdf"),
    "file-zip": (_zip_bytes(), "archive.xlsx"),
    "file-pdf-header-only": (b"%PDF-1.7\n", "truncated.pdf"),
    "file-png-as-pdf": (sample_png(16, 16), "picture.pdf"),
    "file-pdf-as-json": (sample_pdf("Not JSON"), "report.json"),
    "file-utf16-text": ("2001\n2002".encode("utf-16"), "ids.csv"),
    "file-binary-noise": (bytes(range(256)) * 8, "noise.csv"),
    "name-nul": (sample_pdf("Named"), "a\x00b.pdf"),
    "name-bidi": (sample_pdf("Named"), "invoice\u202efdp.exe"),
    "name-crlf": (sample_pdf("Named"), "a\r\nContent-Type: text/html.pdf"),
    "name-traversal": (sample_pdf("Named"), "../../../etc/passwd"),
    "name-long": (sample_pdf("Named"), "n" * 5000 + ".pdf"),
    "name-zero-width": (sample_pdf("Named"), "\u200b\u200b.pdf"),
}


#: The corpus app's upload limits: small, so that going over them costs little.
UPLOAD_LIMIT = 256 * 1024
REQUEST_LIMIT = 1024 * 1024

FILES["file-over-upload-limit"] = (b"%PDF-1.4\n" + b"0" * (UPLOAD_LIMIT + 1), "big.pdf")
FILES["request-over-limit"] = (b"%PDF-1.4\n" + b"0" * (REQUEST_LIMIT + 1), "huge.pdf")

#: The corpus app's seller-list limit: a workbook unpacking past it is refused unread.
SELLER_LIST_UNPACKED_LIMIT = 512 * 1024


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


FILES.update(
    {
        "xlsx-bomb": (inflating_workbook(4 * SELLER_LIST_UNPACKED_LIMIT), "sellers.xlsx"),
        "json-nested": (_nested(100_000), "report.json"),
        "json-nested-objects": (b'{"a":' * 5000 + b"1" + b"}" * 5000, "report.json"),
        "json-4300-digits": (b'{"n": ' + b"9" * 4301 + b"}", "report.json"),
        "json-apps-list": (b'{"apps":[1]}', "report.json"),
        "json-nan": (b'{"format": NaN, "payload": {"checks": [{"latency_ms": NaN}]}}', "r.json"),
        "json-1e999999": (b'{"format": 1e999999, "payload": {"n": -1e999999}}', "r.json"),
        "json-top-level-number": (b"1e999999", "report.json"),
        "json-duplicate-keys": (b'{"format": 1, "format": {"x": []}}', "report.json"),
    }
)
