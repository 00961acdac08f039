"""Automatic checks on an uploaded enablement document, before a reviewer looks at it.

Pure functions: no database, no request. The type is sniffed from the bytes, never taken from the
filename. Each :class:`Precheck` message is written for the applicant (a hint to fix the upload)
and is also shown to the reviewer as evidence of what was checked.

A precheck is stored (``DocumentVersion.prechecks``) with its English ``message`` and, beside it,
the ``key`` of its text in :data:`TEXTS` and the ``params`` it was written with, so a page shows it
in the reader's language (:func:`shown`). Rows stored before the key existed show their English.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

from pypdf import PdfReader

from workflow.i18n import LazyText, _l, english, lazy_ngettext

Level = Literal["ok", "warning", "error"]

#: Enough leading bytes for :func:`sniff_kind`.
HEAD_SIZE = 16
MIME_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)

TINY_FILE_BYTES = 1024
MAX_PLAUSIBLE_PAGES = 200
#: Text is extracted from this many pages at most; a signed agreement names the account early.
TEXT_PAGES_LIMIT = 20
#: Fewer extractable characters than this means the PDF is a scan.
MIN_TEXT_CHARS = 20
MIN_IMAGE_SIDE = 200
MAX_IMAGE_PIXELS = 100_000_000


#: Each precheck's text by its key, with the parameters it is written with. A key names one
#: wording; a check with two wordings (``pdf_no_text``) has two keys.
TEXTS: dict[str, Callable[..., LazyText]] = {
    "unsupported_type": lambda: _l("Upload a PDF, PNG or JPEG file."),
    "file_tiny": lambda num: lazy_ngettext(
        "The file is only %(num)d byte, which is too small for a real scan or document. "
        "Check you uploaded the right file.",
        "The file is only %(num)d bytes, which is too small for a real scan or document. "
        "Check you uploaded the right file.",
        num,
    ),
    "pdf_unreadable": lambda: _l(
        "The PDF is damaged or incomplete and cannot be opened. Export or scan it again."
    ),
    "pdf_restricted": lambda: _l(
        "The PDF carries copy or print restrictions. It can be read, but an unrestricted copy "
        "is easier to review and archive."
    ),
    "pdf_encrypted": lambda: _l(
        "The PDF is protected by a password, so nobody can open it here. "
        "Upload a copy without a password."
    ),
    "pdf_no_pages": lambda: _l("The PDF has no pages. Export it again."),
    "pdf_too_many_pages": lambda num: _l(
        "The PDF has %(num)d pages, far more than this document usually has. "
        "Check you uploaded the right file.",
        num=num,
    ),
    "pdf_pages": lambda num: lazy_ngettext(
        "The PDF opens and has %(num)d page.", "The PDF opens and has %(num)d pages.", num
    ),
    "pdf_no_text": lambda: _l(
        "The PDF has no readable text (it is probably a scan), so it is being read with OCR "
        "in the background; the taobao account ID and the signatory will be checked there. "
        "The reviewer checks what OCR cannot find by eye."
    ),
    "pdf_no_text_signatory": lambda: _l(
        "The PDF has no readable text (it is probably a scan), so it is being read with OCR "
        "in the background; the signatory will be checked there. The reviewer checks what OCR "
        "cannot find by eye."
    ),
    "account_id_unknown": lambda: _l(
        "No taobao account ID was entered, so the agreement could not be checked."
    ),
    "account_id_found": lambda account_id: _l(
        "The agreement mentions taobao account ID %(account_id)s.", account_id=account_id
    ),
    "account_id_missing": lambda account_id: _l(
        "The agreement does not mention taobao account ID %(account_id)s. "
        "Check it is the signed agreement naming your account.",
        account_id=account_id,
    ),
    "account_id_missing_in_pages": lambda account_id, num: _l(
        "The agreement does not mention taobao account ID %(account_id)s in its first "
        "%(num)d pages. Check it is the signed agreement naming your account.",
        account_id=account_id,
        num=num,
    ),
    "signatory_unknown": lambda: _l(
        "No authorized signatory is named in the company details yet, so this document "
        "could not be checked for the name."
    ),
    "signatory_found": lambda name: _l("The document names the signatory %(name)s.", name=name),
    "signatory_missing": lambda name: _l(
        "The document does not name the authorized signatory %(name)s. Check the name in the "
        "company details matches the one signed here.",
        name=name,
    ),
    "image_unreadable": lambda: _l(
        "The image is damaged or incomplete and cannot be read. Scan or save it again."
    ),
    "image_too_small": lambda width, height: _l(
        "The image is only %(width)d × %(height)d pixels, too small to read. "
        "Upload a scan of at least 200 pixels on the short side (300 dpi is ideal).",
        width=width,
        height=height,
    ),
    "image_too_large": lambda width, height: _l(
        "The image is %(width)d × %(height)d pixels, unusually large. Upload a smaller scan.",
        width=width,
        height=height,
    ),
    "image_dimensions": lambda width, height: _l(
        "The image is %(width)d × %(height)d pixels.", width=width, height=height
    ),
}


@dataclass(frozen=True)
class Precheck:
    code: str
    level: Level
    #: The text's key in :data:`TEXTS` (the ``code`` unless the check has several wordings).
    key: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> LazyText:
        """The message, in the language of whoever reads it."""
        return TEXTS[self.key or self.code](**self.params)

    @property
    def message(self) -> str:
        """The message in English, as it is stored."""
        return english(self.text)

    def stored(self) -> dict[str, Any]:
        """The row kept in ``DocumentVersion.prechecks``."""
        return {
            "code": self.code,
            "level": self.level,
            "message": self.message,
            "key": self.key or self.code,
            "params": dict(self.params),
        }


def shown(check: Mapping[str, Any]) -> str:
    """A stored precheck's message in the reader's language; the English it was stored with
    when it has no key (an older row) or one whose text or parameters are not the desk's."""
    english_text = str(check.get("message") or "")
    text = TEXTS.get(check.get("key") or "")
    params = check.get("params")
    if text is None or not isinstance(params, Mapping):
        return english_text
    try:
        return str(text(**params))
    except (TypeError, KeyError, ValueError):
        return english_text


def sniff_kind(head: bytes) -> str | None:
    """``"pdf"``, ``"png"`` or ``"jpeg"`` from the first bytes of a file; None for anything else."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def sniff_stream(stream: BinaryIO) -> str | None:
    """Sniff a seekable stream and rewind it, so it can be saved afterwards."""
    position = stream.tell()
    head = stream.read(HEAD_SIZE)
    stream.seek(position)
    return sniff_kind(head)


def mime_type(kind: str) -> str:
    return MIME_TYPES[kind]


def worst_level(prechecks: list[Precheck]) -> Level:
    levels: tuple[Level, ...] = ("ok", "warning", "error")
    return max((p.level for p in prechecks), key=levels.index, default="ok")


@dataclass(frozen=True)
class Inspection:
    """What the upload checks found, and the text they searched.

    ``text`` is the PDF's text layer (empty for images and scans). ``needs_ocr`` says the
    document is searched for the account ID or the signatory but has no text to search.
    """

    prechecks: list[Precheck]
    text: str = ""
    needs_ocr: bool = False


def run_prechecks(
    source: str | os.PathLike[str] | BinaryIO,
    kind: str,
    *,
    taobao_account_id: str | None,
    expect_account_id: bool,
    signatory_name: str | None = None,
    expect_signatory: bool = False,
) -> list[Precheck]:
    """Check a stored document; ``source`` is a path or a seekable binary stream."""
    return inspect_document(
        source,
        kind,
        taobao_account_id=taobao_account_id,
        expect_account_id=expect_account_id,
        signatory_name=signatory_name,
        expect_signatory=expect_signatory,
    ).prechecks


def inspect_document(
    source: str | os.PathLike[str] | BinaryIO,
    kind: str,
    *,
    taobao_account_id: str | None,
    expect_account_id: bool,
    signatory_name: str | None = None,
    expect_signatory: bool = False,
) -> Inspection:
    """:func:`run_prechecks`, keeping the text layer and whether OCR must read the document."""
    if kind not in MIME_TYPES:
        return Inspection([Precheck("unsupported_type", "error")])
    searched = expect_account_id or expect_signatory
    with _opened(source) as stream:
        results = _size_checks(stream)
        if kind != "pdf":
            results += _image_checks(stream, kind)
            readable = worst_level(results) != "error"
            return Inspection(results, needs_ocr=searched and readable)
        checks, text, page_count = _pdf_checks(stream)
    results += checks
    if text is None or not searched:
        return Inspection(results)
    if len("".join(text.split())) < MIN_TEXT_CHARS:
        return Inspection([*results, _no_text_check(expect_account_id)], needs_ocr=True)
    if expect_signatory:
        results.append(_signatory_check(text, signatory_name))
    if expect_account_id:
        results.append(_account_id_check(text, taobao_account_id, page_count))
    return Inspection(results, text)


@contextmanager
def _opened(source: str | os.PathLike[str] | BinaryIO) -> Iterator[BinaryIO]:
    if isinstance(source, str | os.PathLike):
        # An open file, not the path: pypdf reads a whole path into memory, a stream lazily.
        with open(source, "rb") as stream:
            yield stream
    else:
        source.seek(0)
        yield source


def _size_checks(stream: BinaryIO) -> list[Precheck]:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    if size < TINY_FILE_BYTES:
        return [Precheck("file_tiny", "warning", params={"num": size})]
    return []


# --- PDF -------------------------------------------------------------------------------------


#: A complete PDF ends with ``%%EOF`` in its last kilobyte (ISO 32000 7.5.5); some writers
#: append a little padding, so a little more is searched.
EOF_WINDOW = 4096


def _has_eof_marker(stream: BinaryIO) -> bool:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(max(0, size - EOF_WINDOW))
    tail = stream.read(EOF_WINDOW)
    stream.seek(0)
    return b"%%EOF" in tail


def _pdf_checks(stream: BinaryIO) -> tuple[list[Precheck], str | None, int]:
    """The PDF's checks, its text layer (None when it cannot be read or has no pages) and its
    page count."""
    # Without its end marker pypdf would rebuild the file by scanning every byte: for a large
    # truncated upload that takes many seconds and says no more than this does.
    if not _has_eof_marker(stream):
        return [_pdf_unreadable()], None, 0
    try:
        reader = PdfReader(stream, strict=False)
        results, readable = _encryption_checks(reader)
        if not readable:
            return results, None, 0
        page_count = len(reader.pages)
    except Exception:
        # pypdf reports damaged files through many exception types (its own, struct, zlib,
        # IndexError, ...); a precheck must report them, never crash the upload.
        return [_pdf_unreadable()], None, 0
    results.append(_page_count_check(page_count))
    return results, (_extract_text(reader) if page_count else None), page_count


def _pdf_unreadable() -> Precheck:
    return Precheck("pdf_unreadable", "error")


def _encryption_checks(reader: PdfReader) -> tuple[list[Precheck], bool]:
    if not reader.is_encrypted:
        return [], True
    # An empty open password means only permissions are restricted: anyone can read it.
    if reader.decrypt(""):
        return [Precheck("pdf_restricted", "warning")], True
    return [Precheck("pdf_encrypted", "error")], False


def _page_count_check(page_count: int) -> Precheck:
    if page_count == 0:
        return Precheck("pdf_no_pages", "error")
    if page_count > MAX_PLAUSIBLE_PAGES:
        return Precheck("pdf_too_many_pages", "warning", params={"num": page_count})
    return Precheck("pdf_pages", "ok", params={"num": page_count})


#: Pages of the kept text are separated by a form feed, as Tesseract and pdftotext do.
PAGE_BREAK = "\f"
#: The kept text is cut here: enough for any agreement, never the size of a book.
MAX_TEXT_CHARS = 200_000


def text_pages(text: str) -> list[str]:
    return text.split(PAGE_BREAK)


def _extract_text(reader: PdfReader) -> str:
    texts = []
    for page in reader.pages[:TEXT_PAGES_LIMIT]:
        try:
            texts.append(page.extract_text() or "")
        except Exception:
            texts.append("")  # one bad page should not hide the text of the others
    # A NUL byte is no text, and PostgreSQL refuses it in a text column.
    return PAGE_BREAK.join(texts).replace("\x00", "")[:MAX_TEXT_CHARS]


def _no_text_check(expect_account_id: bool) -> Precheck:
    key = "pdf_no_text" if expect_account_id else "pdf_no_text_signatory"
    return Precheck("pdf_no_text", "warning", key)


def _account_id_check(text: str, account_id: str | None, page_count: int) -> Precheck:
    if not account_id or not account_id.strip():
        return Precheck("account_id_unknown", "warning")
    if mentions(text, account_id):
        return Precheck("account_id_found", "ok", params={"account_id": account_id.strip()})
    if page_count > TEXT_PAGES_LIMIT:
        params = {"account_id": account_id.strip(), "num": TEXT_PAGES_LIMIT}
        return Precheck("account_id_missing", "warning", "account_id_missing_in_pages", params)
    return Precheck("account_id_missing", "warning", params={"account_id": account_id.strip()})


def _signatory_check(text: str, signatory_name: str | None) -> Precheck:
    if not signatory_name or not signatory_name.strip():
        return Precheck("signatory_unknown", "warning")
    name = " ".join(signatory_name.split())
    if mentions(text, name):
        return Precheck("signatory_found", "ok", params={"name": name})
    return Precheck("signatory_missing", "warning", params={"name": name})


def _normalized(text: str) -> str:
    """Ignore case and whitespace: PDF text extraction often splits or joins words."""
    return "".join(text.split()).casefold()


def mentions(text: str, needle: str, *, loose: bool = False) -> bool:
    """Whether ``text`` contains ``needle``, ignoring case and whitespace.

    ``loose`` also ignores punctuation, for OCR: Tesseract often drops or misreads an
    underscore or a hyphen, and puts spaces between Chinese characters.
    """
    wanted = _letters_and_digits(needle) if loose else _normalized(needle)
    if not wanted:
        return False
    return wanted in (_letters_and_digits(text) if loose else _normalized(text))


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# --- images ----------------------------------------------------------------------------------


def _image_checks(stream: BinaryIO, kind: str) -> list[Precheck]:
    size = _png_size(stream) if kind == "png" else _jpeg_size(stream)
    if size is None:
        return [Precheck("image_unreadable", "error")]
    width, height = size
    dimensions = {"width": width, "height": height}
    if min(width, height) < MIN_IMAGE_SIDE:
        return [Precheck("image_too_small", "warning", params=dimensions)]
    if width * height > MAX_IMAGE_PIXELS:
        return [Precheck("image_too_large", "warning", params=dimensions)]
    return [Precheck("image_dimensions", "ok", params=dimensions)]


def _png_size(stream: BinaryIO) -> tuple[int, int] | None:
    """Width and height from the IHDR chunk, which must come first."""
    header = stream.read(24)
    if len(header) < 24 or header[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", header[16:24])
    return (width, height) if width and height else None


#: JPEG start-of-frame markers carry the dimensions (C4, C8 and CC are not frames).
_JPEG_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE_MARKERS = frozenset(range(0xD0, 0xD8)) | {0x01}
#: Give up if no frame header appears in this many bytes of segments (EXIF can be ~64 KiB).
_JPEG_HEADER_LIMIT = 1024 * 1024


def _jpeg_size(stream: BinaryIO) -> tuple[int, int] | None:
    """Walk the segments after SOI until a start-of-frame header gives the dimensions."""
    if stream.read(2) != b"\xff\xd8":
        return None
    while stream.tell() < _JPEG_HEADER_LIMIT:
        marker = _next_jpeg_marker(stream)
        if marker is None or marker in (0xD9, 0xDA):  # end of image, or scan data without a frame
            return None
        if marker in _JPEG_STANDALONE_MARKERS:
            continue
        length_bytes = stream.read(2)
        if len(length_bytes) < 2 or (length := struct.unpack(">H", length_bytes)[0]) < 2:
            return None
        if marker in _JPEG_SOF_MARKERS:
            frame = stream.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return (width, height) if width and height else None
        stream.seek(length - 2, os.SEEK_CUR)
    return None


def _next_jpeg_marker(stream: BinaryIO) -> int | None:
    if stream.read(1) != b"\xff":
        return None
    marker = stream.read(1)
    while marker == b"\xff":  # fill bytes may pad before a marker
        marker = stream.read(1)
    return marker[0] if marker else None
