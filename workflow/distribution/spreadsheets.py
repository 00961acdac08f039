"""Seller ID lists from CSV and XLSX uploads, read within limits.

An upload is untrusted. An XLSX file is a zip archive whose sheet can unpack to hundreds of times
its size, and a CSV of short lines can hold millions of rows, so reading is bounded three ways,
each checked before and while reading: the bytes a workbook unpacks to, the rows, and the time.
Going past a limit is one clear problem (``Reason.TOO_LARGE``); nothing is stored.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import time
import warnings
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import openpyxl

from workflow.distribution.sellerids import (
    LineProblem,
    LocatedIds,
    Reason,
    SellerIdListError,
    _Collector,
    _ids_if_all_valid,
    _shorten,
)

#: Integral spreadsheet numbers at or past this lost digits when Excel stored them as doubles.
_LARGEST_EXACT_FLOAT = 2**53
#: The clock is read once per this many rows.
_CLOCK_EVERY = 4096


@dataclass(frozen=True)
class ReadLimits:
    """How far an uploaded list is read before it is refused."""

    #: What an XLSX workbook may unpack to, all its parts together. Python's zip reader stops at
    #: each part's declared size (and fails its CRC past it), so the declared sizes bound the
    #: work and can be checked before anything is inflated.
    max_unpacked_bytes: int = 64 * 1024 * 1024
    #: Rows read, data or not; an XLSX sheet holds at most 1,048,576.
    max_rows: int = 1_100_000
    max_seconds: float = 10.0
    #: Parts of an XLSX archive; a real workbook has a few dozen.
    max_parts: int = 2000


DEFAULT_LIMITS = ReadLimits()


class _Budget:
    """Counts rows and watches the clock while a file is read."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.rows = 0
        self.deadline = time.monotonic() + limits.max_seconds

    def row(self) -> None:
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise _too_large(
                f"the file has more than {self.limits.max_rows:,} rows; split the list"
            )
        if self.rows % _CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            raise _too_large(
                f"reading the file took longer than {self.limits.max_seconds:g} seconds; "
                "save it as CSV with one seller ID a line"
            )


def _too_large(detail: str) -> SellerIdListError:
    return SellerIdListError([LineProblem(0, detail, Reason.TOO_LARGE)], 1)


def _unreadable(line: int, exc: Exception) -> SellerIdListError:
    problem = LineProblem(line, _shorten(str(exc)), Reason.UNREADABLE)
    return SellerIdListError([problem], 1)


def _is_header(cell: str) -> bool:
    return not any(char in "0123456789" for char in cell)


# --- CSV ------------------------------------------------------------------------------------


def parse_seller_ids_csv(
    source: bytes | BinaryIO, *, max_digits: int = 20, limits: ReadLimits = DEFAULT_LIMITS
) -> list[int]:
    """The IDs of :func:`locate_seller_ids_csv`."""
    return locate_seller_ids_csv(source, max_digits=max_digits, limits=limits).ids


def locate_seller_ids_csv(
    source: bytes | BinaryIO, *, max_digits: int = 20, limits: ReadLimits = DEFAULT_LIMITS
) -> LocatedIds:
    """Parse the first column of a CSV upload; line numbers are the file's line numbers.

    The file is read as UTF-8 (with or without BOM) or, when it is not valid UTF-8 and the
    stream can seek, as GB18030 (Excel on Chinese Windows). Comma, semicolon and tab delimiters
    are recognised. A first row whose first cell holds no digit is taken as a header.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    encoding = "utf-8-sig" if _reads_as_utf8(stream) else "gb18030"
    # newline="" as the csv module asks; errors="replace" keeps digits intact in odd GB files.
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        lines, cells = _csv_first_column(text, _Budget(limits))
    finally:
        text.detach()  # leave the caller's stream open
    ids = _ids_if_all_valid(cells, max_digits)
    if ids is not None:
        return LocatedIds(ids, lambda: lines)
    collector = _Collector(max_digits)
    for line, cell in zip(lines, cells, strict=True):
        if cell:
            collector.add(line, cell)
        else:
            collector.report(line, "", Reason.MISSING)
    return collector.located()


def _reads_as_utf8(stream: BinaryIO) -> bool:
    """Whether the whole stream decodes as UTF-8, read in chunks and rewound afterwards."""
    if not stream.seekable():
        return True
    start = stream.tell()
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(start)
    return True


def _csv_first_column(text: io.TextIOWrapper, budget: _Budget) -> tuple[list[int], list[str]]:
    """Line numbers and stripped first cells of rows with data (``""`` when only others have)."""
    numbers: list[int] = []
    cells: list[str] = []
    previous_end = 0
    try:
        first_line = text.readline()
        reader = csv.reader(itertools.chain([first_line], text), _sniff_dialect(first_line))
        for row in reader:
            budget.row()
            number, previous_end = previous_end + 1, reader.line_num
            cell = row[0].strip() if row else ""
            if cell or any(field.strip() for field in row):
                numbers.append(number)
                cells.append(cell)
    except csv.Error as exc:  # e.g. a field past csv.field_size_limit()
        raise _unreadable(previous_end + 1, exc) from exc
    if cells and _is_header(cells[0]):
        del numbers[0], cells[0]
    return numbers, cells


def _sniff_dialect(first_line: str) -> type[csv.Dialect]:
    try:
        # The sniffer counts every character class per line; a short sample keeps it cheap.
        return csv.Sniffer().sniff(first_line[:4096], delimiters=",;\t")
    except csv.Error:  # one column: nothing to sniff
        return csv.excel


# --- XLSX -----------------------------------------------------------------------------------


def parse_seller_ids_xlsx(
    source: bytes | BinaryIO, *, max_digits: int = 20, limits: ReadLimits = DEFAULT_LIMITS
) -> list[int]:
    """The IDs of :func:`locate_seller_ids_xlsx`."""
    return locate_seller_ids_xlsx(source, max_digits=max_digits, limits=limits).ids


def locate_seller_ids_xlsx(
    source: bytes | BinaryIO, *, max_digits: int = 20, limits: ReadLimits = DEFAULT_LIMITS
) -> LocatedIds:
    """Parse the first column of the first sheet of an XLSX upload; line numbers are row numbers.

    Cells may hold text or whole numbers. A first row whose first cell holds no digit is taken
    as a header.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    rows = _xlsx_first_column(stream, limits)
    if rows and isinstance(rows[0][1], str) and _is_header(rows[0][1]):
        del rows[0]
    collector = _Collector(max_digits)
    for line, value in rows:
        _collect_cell(collector, line, value)
    return collector.located()


def _xlsx_first_column(stream: BinaryIO, limits: ReadLimits) -> list[tuple[int, object]]:
    """(row number, first cell value) of each row with data, read in streaming mode."""
    try:
        _check_unpacked_size(stream, limits)
        with warnings.catch_warnings():
            # openpyxl warns about styles, data validation and the like: nothing we read.
            warnings.simplefilter("ignore", UserWarning)
            return _read_first_column(stream, _Budget(limits))
    except SellerIdListError:
        raise
    # An upload is untrusted and openpyxl fails on damaged workbooks with whatever error its zip
    # or XML layer hit first (BadZipFile, KeyError, XML syntax errors, ...).
    except Exception as exc:
        raise _unreadable(0, exc) from exc


def _check_unpacked_size(stream: BinaryIO, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts declare more than the limit, before inflating any."""
    start = stream.tell()
    with zipfile.ZipFile(stream) as archive:
        parts = archive.infolist()
    stream.seek(start)
    if len(parts) > limits.max_parts:
        raise _too_large(f"the workbook has {len(parts):,} parts; no seller list needs that many")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes:
        raise _too_large(
            f"the workbook unpacks to {unpacked / 2**20:,.0f} MB, more than the "
            f"{limits.max_unpacked_bytes / 2**20:,.0f} MB allowed; save the list as CSV"
        )


def _read_first_column(stream: BinaryIO, budget: _Budget) -> list[tuple[int, object]]:
    workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise ValueError("the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        # Files from other tools often carry a wrong <dimension>; ignore it and read every row.
        sheet.reset_dimensions()
        rows = []
        for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
            budget.row()
            if any(_has_data(value) for value in row):
                rows.append((number, row[0] if row else None))
        return rows
    finally:
        workbook.close()


def _has_data(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _collect_cell(collector: _Collector, line: int, value: object) -> None:
    if not _has_data(value):
        collector.report(line, "", Reason.MISSING)
    elif isinstance(value, str):
        collector.add(line, value.strip())
    elif isinstance(value, float) and value.is_integer() and value >= _LARGEST_EXACT_FLOAT:
        collector.report(line, repr(value), Reason.NOT_EXACT)
    elif isinstance(value, float) and value.is_integer():
        collector.add(line, str(int(value)))
    else:  # ints pass; booleans, dates and fractions fail as text ("True", "1.5")
        collector.add(line, str(value))
