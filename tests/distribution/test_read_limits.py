"""Uploaded seller lists are read within limits: unpacked bytes, rows and time."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from workflow.distribution import spreadsheets
from workflow.distribution.samples import ROW, ROWS_PER_WRITE, inflating_workbook
from workflow.distribution.sellerids import Reason, SellerIdListError
from workflow.distribution.spreadsheets import (
    ReadLimits,
    locate_seller_ids_xlsx,
    parse_seller_ids_csv,
    parse_seller_ids_xlsx,
)
from workflow.extensions import db
from workflow.models import Role, SellerList


def inflating_xlsx(unpacked_sheet_bytes: int) -> bytes:
    return inflating_workbook(unpacked_sheet_bytes)


def refusal(parse, source, **kwargs) -> str:
    with pytest.raises(SellerIdListError) as caught:
        parse(source, **kwargs)
    [problem] = caught.value.problems
    assert problem.reason is Reason.TOO_LARGE and problem.line == 0
    return problem.message


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_inflating(monkeypatch):
    bomb = inflating_xlsx(40 * 2**20)
    assert len(bomb) < 2**20  # under a megabyte on the wire, 40 MB unpacked

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(spreadsheets.openpyxl, "load_workbook", never)
    message = refusal(parse_seller_ids_xlsx, bomb, limits=ReadLimits(max_unpacked_bytes=2**24))
    assert message.startswith("file: the workbook unpacks to 40 MB, more than the 16 MB allowed")
    assert "save the list as CSV" in message


def test_a_workbook_within_the_limit_is_read_to_the_end():
    workbook = inflating_xlsx(2 * 2**20)
    # The size limit is what this test is about: the time limit is out of reach on a busy machine.
    limits = ReadLimits(max_unpacked_bytes=2**24, max_seconds=600)
    located = locate_seller_ids_xlsx(workbook, limits=limits)
    # Every row was read: the one ID it repeats is dropped from each later row, not refused.
    rows = 2 * 2**20 // (len(ROW) * ROWS_PER_WRITE) * ROWS_PER_WRITE
    assert len(located.ids) == 1
    assert located.duplicate_count == rows - 1


def test_rows_past_the_limit_are_refused_for_csv_and_xlsx():
    limits = ReadLimits(max_rows=100)
    rows = [[2200000000 + n] for n in range(1, 102)]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    workbook = io.BytesIO()
    book.save(workbook)
    csv_text = "".join(f"{row[0]}\n" for row in rows).encode()
    expected = "file: the file has more than 100 rows; split the list"
    assert refusal(parse_seller_ids_csv, csv_text, limits=limits) == expected
    assert refusal(parse_seller_ids_xlsx, workbook.getvalue(), limits=limits) == expected
    assert len(parse_seller_ids_csv(csv_text, limits=ReadLimits(max_rows=101))) == 101


def test_reading_past_the_time_limit_is_refused():
    csv_text = "".join(f"{2200000000 + n}\n" for n in range(1, 10_000)).encode()
    message = refusal(parse_seller_ids_csv, csv_text, limits=ReadLimits(max_seconds=0))
    assert message == (
        "file: reading the file took longer than 0 seconds; "
        "save it as CSV with one seller ID a line"
    )


def test_a_workbook_with_too_many_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(30):
            archive.writestr(f"part{n}.xml", b"<x/>")
    message = refusal(parse_seller_ids_xlsx, out.getvalue(), limits=ReadLimits(max_parts=20))
    assert message == "file: the workbook has 30 parts; no seller list needs that many"


def test_an_inflating_upload_through_the_page_is_a_400_and_stores_nothing(
    app, make_account, make_user, make_journey, login, monkeypatch
):
    monkeypatch.setitem(app.config, "SELLER_LIST_MAX_UNPACKED_BYTES", 2**24)
    account = make_account()
    journey = make_journey(account, state="distribution_setup")
    client = login(make_user(Role.applicant, account))
    response = client.post(
        f"/journeys/{journey.id}/sellers/authorization",
        data={"file": (io.BytesIO(inflating_xlsx(40 * 2**20)), "sellers.xlsx")},
    )
    assert response.status_code == 400
    assert "the workbook unpacks to 40 MB, more than the 16 MB allowed" in response.text
    assert db.session.scalars(select(SellerList)).all() == []
