"""Prechecks on real documents the tests generate: PDFs, PNGs, JPEGs and impostors."""

from __future__ import annotations

import base64
import io
import os
import random
import struct
import zlib

import pytest
from pypdf import PdfWriter
from weasyprint import HTML

from workflow.enablement.prechecks import (
    Precheck,
    mime_type,
    run_prechecks,
    sniff_kind,
    sniff_stream,
    worst_level,
)

ACCOUNT_ID = "tg_seller_2024"
AGREEMENT_FILLER = "The parties agree to the Taobao Open Platform service terms. " * 30


def agreement_pdf(account_line: str) -> bytes:
    html = f"""<h1>Taobao Service Agreement</h1>
        <p>{account_line}</p><p>{AGREEMENT_FILLER}</p><p>Signed: Example Trading Ltd.</p>"""
    return HTML(string=html).write_pdf()


def blank_pdf(pages: int, *, user_password: str | None = None, owner_only: bool = False) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if user_password is not None or owner_only:
        writer.encrypt(
            user_password=user_password or "", owner_password="owner-secret", algorithm="AES-256"
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes(width: int, height: int) -> bytes:
    """A valid greyscale PNG with noise, so it does not compress below a realistic size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + os.urandom(width) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes(width: int, height: int, *, exif_padding: int = 2000) -> bytes:
    """JPEG headers as a camera writes them: SOI, JFIF, a large APP1, tables, then the frame."""

    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    jfif = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    exif = segment(0xE1, b"Exif\x00\x00" + b"\x00" * exif_padding)
    quant = segment(0xDB, b"\x00" + bytes(range(1, 65)))
    frame = segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    scan = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x00" * 64
    return b"\xff\xd8" + jfif + exif + quant + frame + scan + b"\xff\xd9"


def codes(results: list[Precheck]) -> dict[str, str]:
    return {result.code: result.level for result in results}


def check_pdf(data: bytes, *, account_id: str | None = ACCOUNT_ID, expect: bool = True):
    return run_prechecks(
        io.BytesIO(data), "pdf", taobao_account_id=account_id, expect_account_id=expect
    )


def check_image(data: bytes, kind: str):
    return run_prechecks(io.BytesIO(data), kind, taobao_account_id=None, expect_account_id=False)


# --- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8, None),
        (b"MZ\x90\x00", None),
        (b"PK\x03\x04", None),
        (b"<html><body>%PDF-", None),
        (b"", None),
    ],
)
def test_sniff_kind_reads_magic_bytes(head: bytes, kind: str | None) -> None:
    assert sniff_kind(head) == kind


def test_renamed_executable_is_not_a_pdf(tmp_path) -> None:
    impostor = tmp_path / "certificate.pdf"
    impostor.write_bytes(b"\x7fELF\x02\x01\x01\x00" + os.urandom(4096))

    with impostor.open("rb") as stream:
        assert sniff_stream(stream) is None
        assert stream.tell() == 0


def test_sniff_stream_rewinds_for_the_save() -> None:
    stream = io.BytesIO(png_bytes(300, 300))

    assert sniff_stream(stream) == "png"
    assert stream.read(4) == b"\x89PNG"


def test_mime_types() -> None:
    assert [mime_type(k) for k in ("pdf", "png", "jpeg")] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
    ]


# --- PDFs -------------------------------------------------------------------------------------


def test_agreement_naming_the_account_passes(tmp_path) -> None:
    path = tmp_path / "agreement.pdf"
    path.write_bytes(agreement_pdf(f"Taobao account ID: {ACCOUNT_ID}"))

    results = run_prechecks(path, "pdf", taobao_account_id=ACCOUNT_ID, expect_account_id=True)

    assert codes(results) == {"pdf_pages": "ok", "account_id_found": "ok"}
    assert worst_level(results) == "ok"


def test_agreement_without_the_account_warns_with_a_hint() -> None:
    results = check_pdf(agreement_pdf("Taobao account ID: someone_else_99"))

    missing = [r for r in results if r.code == "account_id_missing"]
    assert missing and missing[0].level == "warning"
    assert missing[0].message == (
        f"The agreement does not mention taobao account ID {ACCOUNT_ID}. "
        "Check it is the signed agreement naming your account."
    )


def test_account_id_match_ignores_case_and_spacing() -> None:
    results = check_pdf(agreement_pdf("Account: TG_SELLER_2024"), account_id=f"  {ACCOUNT_ID} ")

    assert codes(results)["account_id_found"] == "ok"


def test_other_documents_are_not_searched_for_the_account() -> None:
    results = check_pdf(agreement_pdf("Certificate of incorporation"), expect=False)

    assert codes(results) == {"pdf_pages": "ok"}


def scanned_pdf() -> bytes:
    """A page that is only an image, like a scanner's output."""
    image = base64.b64encode(png_bytes(400, 400)).decode()
    return HTML(string=f'<img src="data:image/png;base64,{image}">').write_pdf()


def test_scanned_pdf_without_text_gets_a_neutral_warning() -> None:
    results = check_pdf(scanned_pdf())

    assert codes(results) == {"pdf_pages": "ok", "pdf_no_text": "warning"}
    assert "checked" in next(r.message for r in results if r.code == "pdf_no_text")


def test_password_protected_pdf_is_an_error() -> None:
    results = check_pdf(blank_pdf(1, user_password="open-sesame"))

    assert codes(results) == {"pdf_encrypted": "error"}
    assert worst_level(results) == "error"


def test_pdf_with_only_an_owner_password_is_readable_with_a_warning() -> None:
    results = check_pdf(blank_pdf(1, owner_only=True), expect=False)

    assert codes(results) == {"pdf_restricted": "warning", "pdf_pages": "ok"}


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + random.Random(7).randbytes(4000),
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + b"\x00" * 2000,
    ],
)
def test_corrupt_pdf_is_an_error(data: bytes) -> None:
    results = check_pdf(data)

    assert worst_level(results) == "error"
    assert "pdf_unreadable" in codes(results) or "pdf_no_pages" in codes(results)


def test_pdf_without_pages_is_an_error() -> None:
    assert codes(check_pdf(blank_pdf(0), expect=False))["pdf_no_pages"] == "error"


def test_implausibly_long_pdf_warns() -> None:
    results = check_pdf(blank_pdf(201), expect=False)

    assert codes(results) == {"pdf_too_many_pages": "warning"}


def test_truncated_agreement_is_an_error() -> None:
    data = agreement_pdf(f"Taobao account ID: {ACCOUNT_ID}")

    results = check_pdf(data[: len(data) // 3])

    assert worst_level(results) == "error"


# --- images -----------------------------------------------------------------------------------


def test_png_of_readable_size_passes() -> None:
    results = check_image(png_bytes(640, 480), "png")

    assert [(r.code, r.level, r.message) for r in results] == [
        ("image_dimensions", "ok", "The image is 640 × 480 pixels.")
    ]


def test_small_png_warns_too_small_to_read() -> None:
    results = check_image(png_bytes(150, 600), "png")

    assert codes(results)["image_too_small"] == "warning"
    assert "too small to read" in results[-1].message


def test_jpeg_dimensions_are_read_past_exif_segments() -> None:
    results = check_image(jpeg_bytes(2480, 3508, exif_padding=60_000), "jpeg")

    assert codes(results) == {"image_dimensions": "ok"}
    assert "2480 × 3508" in results[0].message


def test_tiny_jpeg_warns_about_size_and_dimensions() -> None:
    results = check_image(jpeg_bytes(120, 90, exif_padding=0), "jpeg")

    assert codes(results) == {"file_tiny": "warning", "image_too_small": "warning"}


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 2000, "jpeg"),
        (jpeg_bytes(800, 600)[:30], "jpeg"),
    ],
)
def test_damaged_image_is_an_error(data: bytes, kind: str) -> None:
    assert worst_level(check_image(data, kind)) == "error"
    assert "image_unreadable" in codes(check_image(data, kind))


def test_empty_file_is_rejected_by_sniffing_and_by_prechecks() -> None:
    assert sniff_kind(b"") is None
    results = check_pdf(b"", expect=False)

    assert codes(results) == {"file_tiny": "warning", "pdf_unreadable": "error"}


def test_unknown_kind_is_an_error() -> None:
    results = check_image(b"GIF89a", "gif")

    assert [(r.code, r.level, r.message) for r in results] == [
        ("unsupported_type", "error", "Upload a PDF, PNG or JPEG file.")
    ]


def test_truncated_pdf_is_reported_without_scanning_it() -> None:
    whole = agreement_pdf(f"Taobao account ID: {ACCOUNT_ID}")
    truncated = whole[: len(whole) - 200] + os.urandom(5 * 1024 * 1024)
    assert codes(check_pdf(truncated)) == {"pdf_unreadable": "error"}
    assert "pdf_unreadable" not in codes(check_pdf(whole))


# --- the signatory and OCR --------------------------------------------------------------------


def inspect(data: bytes, kind: str = "pdf", **expect):
    from workflow.enablement.prechecks import inspect_document

    return inspect_document(
        io.BytesIO(data), kind, taobao_account_id=ACCOUNT_ID, signatory_name="Wang Fang", **expect
    )


def test_signatory_is_looked_for_in_the_text_and_the_text_is_kept() -> None:
    signed = inspect(
        agreement_pdf("Signed by WANG  FANG"), expect_account_id=False, expect_signatory=True
    )
    unsigned = inspect(agreement_pdf("Signed by nobody"), expect_account_id=False,
                       expect_signatory=True)  # fmt: skip

    assert codes(signed.prechecks) == {"pdf_pages": "ok", "signatory_found": "ok"}
    assert "WANG" in signed.text and not signed.needs_ocr
    missing = codes(unsigned.prechecks)
    assert missing["signatory_missing"] == "warning"


def test_scans_and_images_of_searched_documents_need_ocr() -> None:
    scan = inspect(scanned_pdf(), expect_account_id=True, expect_signatory=True)
    image = inspect(png_bytes(400, 400), "png", expect_account_id=False, expect_signatory=True)
    other = inspect(png_bytes(400, 400), "png", expect_account_id=False, expect_signatory=False)

    assert (scan.needs_ocr, scan.text) == (True, "")
    assert "read with OCR in the background" in scan.prechecks[-1].message
    assert image.needs_ocr and not other.needs_ocr


def test_loose_matching_for_ocr_ignores_punctuation_only_when_asked() -> None:
    from workflow.enablement.prechecks import mentions

    assert mentions("account tg seller 2024", ACCOUNT_ID, loose=True)
    assert not mentions("account tg seller 2024", ACCOUNT_ID)
    assert mentions("授权 签字 人 : 张 伟", "张伟", loose=True)
    assert not mentions("anything", "___", loose=True)
