"""Seller lists through the page: typed, CSV and XLSX, with line-numbered problems."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import Role, SellerList
from workflow.storage_setup import get_storage


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def setup_journey(make_account, make_user, make_journey, login):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, state="distribution_setup")
    return journey, login(applicant)


def _stored_ids(row: SellerList) -> bytes:
    with get_storage().open(row.file_id) as fh:
        return fh.read()


def test_xlsx_upload_with_problems_stores_nothing_and_names_the_rows(setup_journey):
    journey, client = setup_journey
    data = xlsx([["seller_id"], [1001], ["12a4"], [1001], [2.5]])
    response = client.post(
        f"/journeys/{journey.id}/sellers/authorization",
        data={"file": (io.BytesIO(data), "sellers.xlsx")},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "line 3" in page and "not numeric" in page
    assert "line 5" in page
    assert "line 4" not in page  # a repeated ID is dropped, not refused
    assert db.session.scalars(select(SellerList)).all() == []


def test_duplicates_are_removed_and_reported_when_the_list_is_saved(setup_journey):
    journey, client = setup_journey
    text = "1001\n2002\n3003\n1001\n4004\n\n2002\n5005\n1001"
    response = client.post(
        f"/journeys/{journey.id}/sellers/authorization", data={"ids": text}, follow_redirects=True
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Saved 5 seller IDs" in page
    assert "3 duplicate IDs removed: lines 4, 7, 9" in page
    row = db.session.scalars(select(SellerList)).one()
    assert _stored_ids(row) == b"1001\n2002\n3003\n4004\n5005\n"


def test_a_refused_list_keeps_the_typed_text_above_which_the_problems_show(setup_journey):
    journey, client = setup_journey
    text = "1001\n12a4\n2002"
    response = client.post(f"/journeys/{journey.id}/sellers/authorization", data={"ids": text})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    problems = page.index('id="ids-authorization-problems"')
    textarea = page.index('id="ids-authorization"', problems)
    assert "line 2: &#39;12a4&#39; is not numeric" in page[problems:textarea]
    assert page[textarea:].split(">", 1)[1].startswith(text)
    assert db.session.scalars(select(SellerList)).all() == []


def test_xlsx_and_csv_uploads_store_the_canonical_list(setup_journey):
    journey, client = setup_journey
    response = client.post(
        f"/journeys/{journey.id}/sellers/authorization",
        data={"file": (io.BytesIO(xlsx([["seller_id"], [3003], [1001], [2002.0]])), "s.xlsx")},
    )
    assert response.status_code == 302
    row = db.session.scalars(select(SellerList)).one()
    assert _stored_ids(row) == b"1001\n2002\n3003\n" and row.count == 3
    response = client.post(
        f"/journeys/{journey.id}/sellers/authorization",
        data={"file": (io.BytesIO(b"seller_id\n1001\n4004\n"), "s.csv")},
    )
    assert response.status_code == 302
    newest = db.session.scalars(select(SellerList).order_by(SellerList.id.desc())).first()
    assert _stored_ids(newest) == b"1001\n4004\n"


def test_typed_ids_with_an_empty_list_get_a_clear_message(setup_journey):
    journey, client = setup_journey
    response = client.post(
        f"/journeys/{journey.id}/sellers/authorization",
        data={"ids": "\n  \n"},
        follow_redirects=True,
    )
    assert b"The list is empty" in response.data
    assert db.session.scalars(select(SellerList)).all() == []
