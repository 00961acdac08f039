"""Seller-list workbooks for the tests and the benchmarks: real XLSX files, made here."""

from __future__ import annotations

import io
import zipfile

import openpyxl

SHEET_PART = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
#: One row holding one seller ID; repeated, it deflates to almost nothing.
ROW = b'<row><c t="inlineStr"><is><t>2200000001</t></is></c></row>'
ROWS_PER_WRITE = 10_000


def inflating_workbook(unpacked_sheet_bytes: int, *, padding: bytes = b"") -> bytes:
    """A workbook whose sheet unpacks to about ``unpacked_sheet_bytes`` (the same row over and
    over), with ``padding`` stored uncompressed in a part of its own to make the file bigger."""
    book = openpyxl.Workbook()
    book.active.append(["seller_id"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            if part.filename != SHEET_PART:
                target.writestr(part, source.read(part))
                continue
            with target.open(SHEET_PART, "w") as sheet:
                sheet.write(SHEET_HEAD)
                chunk = ROW * ROWS_PER_WRITE
                for _ in range(unpacked_sheet_bytes // len(chunk)):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
        if padding:
            target.writestr(zipfile.ZipInfo("xl/media/padding.bin"), padding, zipfile.ZIP_STORED)
    return out.getvalue()
