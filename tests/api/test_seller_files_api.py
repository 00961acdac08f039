"""Seller lists sent to the API as CSV or XLSX files, checked as the journey page checks them."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select

from tests.api.conftest import bearer
from tests.seeding import journey_with_app
from workflow.extensions import db
from workflow.models import AccountKind, Audience, Event, Role, SellerList
from workflow.models.base import utcnow
from workflow.storage_setup import get_storage


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _setup(make_account, make_user, token_for):
    account = make_account(AccountKind.isv, name="Account A")
    account.enabled_at = utcnow()
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = journey_with_app(
        account, applicant, "distribution_setup", app_key="10000002", name="APP for sellers",
        audience=Audience.other_sellers,
    )  # fmt: skip
    db.session.commit()
    return journey, applicant, token_for(applicant), token_for(reviewer)


def _send(client, journey, token, data: bytes, name="sellers.csv", kind="authorization", **h):
    return client.post(
        f"/api/v1/journeys/{journey.id}/sellers/{kind}/file",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=bearer(token, **h),
    )


def _lists(journey):
    db.session.expire_all()
    return db.session.scalars(select(SellerList).where(SellerList.journey_id == journey.id)).all()


def test_a_csv_file_is_saved_as_the_list_under_its_user(client, make_account, make_user, token_for):
    journey, applicant, token, _ = _setup(make_account, make_user, token_for)
    saved = _send(client, journey, token, b"seller_id\n2001\n2002\n2001\n2003\n")
    assert saved.status_code == 201, saved.get_data(as_text=True)
    body = saved.get_json()
    assert (body["kind"], body["count"]) == ("authorization", 3)
    assert saved.headers["ETag"] == f'"{body["journey_version"]}"'
    (row,) = _lists(journey)
    with get_storage().open(row.file_id) as fh:
        stored = fh.read().decode()
    assert [line for line in stored.split() if line] == ["2001", "2002", "2003"]
    assert (row.created_by_id, row.is_in_force) == (applicant.id, False)
    # A proposal adding other sellers waits for Tmall Global: as on the page, the trail has
    # no new step (only the journey's opening).
    trail = db.session.scalars(select(Event).where(Event.journey_id == journey.id)).all()
    assert [(e.event, e.via) for e in trail] == [("open", "")]


def test_an_xlsx_is_read_by_its_bytes_whatever_its_name(client, make_account, make_user, token_for):
    journey, _, token, _ = _setup(make_account, make_user, token_for)
    saved = _send(client, journey, token, _xlsx([["seller_id"], [3001], [3002]]), name="list.csv")
    assert saved.status_code == 201, saved.get_data(as_text=True)
    assert saved.get_json()["count"] == 2
    assert len(_lists(journey)) == 1


def test_bad_lines_are_named_and_nothing_is_saved(client, make_account, make_user, token_for):
    journey, _, token, _ = _setup(make_account, make_user, token_for)
    bad = _send(client, journey, token, _xlsx([["seller_id"], [1001], ["12a4"], [2.5]]), "s.xlsx")
    assert bad.status_code == 422, bad.get_data(as_text=True)
    errors = bad.get_json()["errors"]
    assert {e["field"] for e in errors} == {"file"}
    details = " ".join(e["detail"] for e in errors).lower()
    assert "line 3" in details and "line 4" in details and "line 2" not in details
    assert _lists(journey) == []
    empty = _send(client, journey, token, b"")
    assert empty.status_code == 422 and _lists(journey) == []


def test_the_file_route_refuses_what_the_page_would(client, make_account, make_user, token_for):
    journey, _, token, reviewer_token = _setup(make_account, make_user, token_for)
    url = f"/api/v1/journeys/{journey.id}/sellers/authorization/file"
    as_json = client.post(url, json={"text": "2001"}, headers=bearer(token))
    assert as_json.status_code == 415
    assert as_json.get_json()["errors"][0]["field"] == "Content-Type"
    extra = client.post(
        url,
        data={"file": (io.BytesIO(b"2001\n"), "a.csv"), "note": "hi"},
        content_type="multipart/form-data",
        headers=bearer(token),
    )
    assert extra.status_code == 422 and extra.get_json()["errors"][0]["field"] == "note"
    missing = client.post(url, data={}, content_type="multipart/form-data", headers=bearer(token))
    assert missing.status_code in (415, 422)
    staff = _send(client, journey, reviewer_token, b"2001\n")
    assert staff.status_code == 403
    nonsense = _send(client, journey, token, b"2001\n", kind="nonsense")
    assert nonsense.status_code == 404
    assert _lists(journey) == []


def test_the_document_and_its_page_name_the_file_part(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/journeys/{journey_id}/sellers/{kind}/file"]["post"]
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    schema = spec["components"]["schemas"][content["multipart/form-data"]["schema"]["$ref"][21:]]
    assert list(schema["properties"]) == ["file"]
    evidence = spec["paths"]["/journeys/{journey_id}/evidence/{kind}"]["post"]
    assert evidence["security"] == [{"evidenceToken": []}]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "SellerListFileIn" in page.get_data(as_text=True)
