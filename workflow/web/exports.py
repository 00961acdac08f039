"""Tables as CSV and XLSX downloads, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read as a
formula by Excel, LibreOffice or Sheets (a company named ``=HYPERLINK(…)`` becomes a link that
leaks the sheet). Such text gets a leading apostrophe, in both formats, so the two files hold
the same rows, and the XLSX cell is stored as text, never as a formula. Line breaks are line
feeds in both, as XML has them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from workflow.errors import NotFound
from workflow.i18n import _l

#: What a spreadsheet takes for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Rows an export holds at most; the last row says when there were more.
MAX_ROWS = 10_000
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": None}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    #: The file's name without its extension, and the sheet's title.
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]


def safe_cell(value: object) -> object:
    """What a cell holds: numbers as they are, times in UTC text, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    # XML turns a lone carriage return into a line feed; say so in the CSV too.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _capped(table: Table) -> Iterable[list[object]]:
    for count, row in enumerate(table.rows):
        if count == MAX_ROWS:
            yield [f"More than {MAX_ROWS} rows: narrow the filter to export the rest."]
            return
        yield [safe_cell(value) for value in row]


def csv_bytes(table: Table) -> Iterable[bytes]:
    """The table as CSV, a row at a time (a BOM first, so Excel reads it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(h) for h in table.header])
    for row in _capped(table):
        writer.writerow(row)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_bytes(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append([_text_cell(sheet, h) for h in table.header])
    for row in _capped(table):
        sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, whatever it starts with
    return cell


def export_response(table: Table, fmt: str) -> Response:
    """A download of ``table`` as ``csv`` or ``xlsx``; any other format is not found."""
    if fmt == "csv":
        response = Response(csv_bytes(table), mimetype="text/csv")
        response.charset = "utf-8"
    elif fmt == "xlsx":
        response = Response(xlsx_bytes(table), mimetype=XLSX_TYPE)
    else:
        raise NotFound(_l("Exports come as .csv or .xlsx."))
    response.headers["Content-Disposition"] = f'attachment; filename="{table.name}.{fmt}"'
    return response
