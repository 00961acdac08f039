"""The API's uploads (enablement documents, an MRD/PRD PDF), the APP and its APIs, document
decisions and a journey's packets: rows written, bytes stored, refusals naming the field."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from tests.api.conftest import bearer
from tests.api.test_api import _events, _version
from tests.api.test_api import desk as desk  # noqa: F401  (the fixture)
from tests.seeding import journey_with_app, seed_packet, seed_snapshot
from workflow.enablement.operations import upload_document
from workflow.enablement.samples import sample_pdf, sample_png
from workflow.extensions import db
from workflow.models import (
    ApiRequest,
    App,
    DecisionKind,
    DocumentKind,
    DocumentVersion,
    FormKind,
    IdempotentResponse,
    Journey,
    ReviewStatus,
    StageForm,
)
from workflow.operations import open_journey
from workflow.storage_setup import get_storage

API = "taobao.trades.sold.get"


def _upload(client, url: str, token: str, content: bytes, name: str = "doc.pdf", **headers):
    return client.post(
        url,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=bearer(token, **headers),
    )


def _stored(file_id: str) -> bytes:
    with get_storage().open(file_id) as stream:
        return stream.read()


@pytest.fixture
def enabling(desk, make_account, make_user):  # noqa: F811
    """A new ISV account's journey at enablement, its applicant's token."""
    from workflow.models import AccountKind, Role

    account = make_account(AccountKind.isv, name="Account N")
    applicant = make_user(Role.applicant, account)
    journey = open_journey(account, applicant)
    db.session.commit()
    return journey.id, applicant


def test_an_enablement_document_is_uploaded_with_the_pages_prechecks(
    client,
    desk,
    enabling,
    token_for,  # noqa: F811
):
    jid, applicant = enabling
    token = token_for(applicant)
    url = f"/api/v1/journeys/{jid}/documents/b"
    content = sample_pdf("Bank account proof", "Account N")
    saved = _upload(client, url, token, content, "bank.pdf", **{"Idempotency-Key": "bank-1"})
    assert saved.status_code == 201, saved.get_data(as_text=True)
    body = saved.get_json()
    [row] = db.session.scalars(select(DocumentVersion).where(DocumentVersion.journey_id == jid))
    assert (row.kind, row.version, row.uploaded_by_id) == (
        DocumentKind.bank_account_proof,
        1,
        applicant.id,
    )
    assert _stored(row.file_id) == content
    assert body["sha256"] == row.sha256 == hashlib.sha256(content).hexdigest()
    assert body["id"] == row.id and body["review_status"] == "pending"
    assert saved.headers["ETag"] == f'"{_version(jid)}"'
    # A retry with the same key and file acts once; the same key with other bytes is refused.
    again = _upload(client, url, token, content, "bank.pdf", **{"Idempotency-Key": "bank-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    other = _upload(
        client, url, token, sample_pdf("Other"), "bank.pdf", **{"Idempotency-Key": "bank-1"}
    )
    assert other.status_code == 422 and other.get_json()["errors"][0]["field"] == "Idempotency-Key"
    assert db.session.scalar(select(IdempotentResponse.status)) == 201
    # Not a PDF, PNG or JPEG by its contents: refused, the part named, nothing kept.
    text = _upload(client, url, token, b"just some text, named like a PDF", "fake.pdf")
    assert text.status_code == 422
    assert text.get_json()["errors"][0]["field"] == "file"
    assert "not a PDF" in text.get_json()["detail"]
    empty = _upload(client, url, token, b"", "empty.pdf")
    assert empty.status_code == 422 and empty.get_json()["errors"][0]["field"] == "file"
    missing = client.post(
        url, data={"other": "x"}, content_type="multipart/form-data", headers=bearer(token)
    )
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["field"] == "file"
    as_json = client.post(url, json={"file": "x"}, headers=bearer(token))
    assert as_json.status_code == 415
    db.session.expire_all()
    assert len(db.session.scalars(select(DocumentVersion)).all()) == 1
    # A PNG is a new version of the same slot.
    png = _upload(client, url, token, sample_png(), "bank.png")
    assert png.status_code == 201 and png.get_json()["version"] == 2
    assert png.get_json()["content_type"] == "image/png"
    # Staff and other accounts may not upload.
    assert _upload(client, url, desk.reviewer_token, content).status_code == 403
    assert _upload(client, url, desk.other_token, content).status_code == 404
    assert _upload(client, f"/api/v1/journeys/{jid}/documents/z", token, content).status_code == (
        404
    )


def test_too_large_a_file_or_body_is_refused_naming_the_file(
    app,
    client,
    enabling,
    token_for,  # noqa: F811
    monkeypatch,
):
    jid, applicant = enabling
    token = token_for(applicant)
    url = f"/api/v1/journeys/{jid}/documents/a"
    content = sample_pdf("Certificate", padding=60_000)
    # The app is the session's: its limits go back when the test ends.
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 40_000)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100_000)
    over_file = _upload(client, url, token, content)
    assert over_file.status_code == 422
    assert over_file.get_json()["errors"][0]["field"] == "file"
    assert "limit" in over_file.get_json()["detail"]
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 20_000)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    over_body = _upload(client, url, token, content)
    assert over_body.status_code == 413, over_body.get_data(as_text=True)
    assert over_body.mimetype == "application/problem+json"
    assert over_body.get_json()["errors"][0]["field"] == "file"
    assert db.session.scalars(select(DocumentVersion)).all() == []


def test_an_mrd_is_uploaded_as_a_pdf_in_place_of_its_form(client, desk):  # noqa: F811
    journey = journey_with_app(
        desk.account, desk.applicant, "mrd_prd_draft", app_key="10000004", name="APP with PDF"
    )
    db.session.commit()
    content = sample_pdf("MRD", "Markets and buyers")
    url = f"/api/v1/journeys/{journey.id}/forms/mrd/document"
    saved = _upload(client, url, desk.applicant_token, content, "mrd.pdf")
    assert saved.status_code == 201, saved.get_data(as_text=True)
    [row] = db.session.scalars(select(StageForm).where(StageForm.journey_id == journey.id))
    assert row.kind is FormKind.mrd and row.filename == "mrd.pdf"
    assert _stored(row.file_id) == content and saved.get_json()["sha256"] == row.sha256
    png = _upload(client, url, desk.applicant_token, sample_png(), "mrd.png")
    assert png.status_code == 422 and png.get_json()["errors"][0]["field"] == "file"
    staff = _upload(client, url, desk.reviewer_token, content)
    assert staff.status_code == 403
    db.session.expire_all()
    assert len(db.session.scalars(select(StageForm)).all()) == 1


def test_a_reviewer_decides_a_document_with_if_match_through_the_decision_door(
    client,
    desk,
    enabling,
    token_for,  # noqa: F811
):
    journey, applicant = db.session.get(Journey, enabling[0]), enabling[1]
    document = upload_document(
        journey,
        applicant,
        DocumentKind.certificate_of_incorporation,
        io.BytesIO(sample_pdf("Certificate", "Account B")),
        "a.pdf",
    )
    journey.state = "enablement_submitted"
    db.session.commit()
    jid, url = journey.id, f"/api/v1/journeys/{journey.id}/documents/{document.id}/decision"
    version = _version(jid)
    if_match = {"If-Match": f'"{version}"'}
    reject = {"decision": "reject", "reason": "The scan is blurred."}
    assert client.post(url, json=reject, headers=bearer(desk.reviewer_token)).status_code == 428
    stale = client.post(
        url, json=reject, headers=bearer(desk.reviewer_token, **{"If-Match": '"1"'})
    )
    assert stale.status_code == 412
    no_reason = client.post(
        url, json={"decision": "reject"}, headers=bearer(desk.reviewer_token, **if_match)
    )
    assert no_reason.status_code == 422 and "rejected" in no_reason.get_json()["detail"]
    bad = client.post(
        url, json={"decision": "maybe"}, headers=bearer(desk.reviewer_token, **if_match)
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "decision"
    mine = client.post(url, json=reject, headers=bearer(token_for(applicant), **if_match))
    assert mine.status_code == 403
    decided = client.post(url, json=reject, headers=bearer(desk.reviewer_token, **if_match))
    assert decided.status_code == 200, decided.get_data(as_text=True)
    assert decided.get_json()["review_status"] == "rejected"
    db.session.expire_all()
    row = db.session.get(DocumentVersion, document.id)
    assert (row.review_status, row.review_reason, row.reviewed_by_id) == (
        ReviewStatus.rejected,
        "The scan is blurred.",
        desk.reviewer.id,
    )
    [event] = _events(jid, DecisionKind.document.value)
    assert event.via == "api" and event.actor_id == desk.reviewer.id
    assert decided.headers["ETag"] == f'"{_version(jid)}"'
    elsewhere = f"/api/v1/journeys/{desk.jid}/documents/{document.id}/decision"
    assert (
        client.post(
            elsewhere, json=reject, headers=bearer(desk.reviewer_token, **if_match)
        ).status_code
        == 404
    )


def test_an_app_is_registered_through_the_pages_form(client, desk):  # noqa: F811
    journey = open_journey(desk.account, desk.applicant)
    db.session.commit()
    url = f"/api/v1/journeys/{journey.id}/app"
    app_in = {"app_key": "30000001", "name": "Order sync", "description": "Reads orders."}
    bad = client.post(
        url, json={**app_in, "app_key": "12ab", "name": ""}, headers=bearer(desk.applicant_token)
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"app_key", "name"}
    taken = client.post(
        url, json={**app_in, "app_key": "10000001"}, headers=bearer(desk.applicant_token)
    )
    assert taken.status_code == 422 and "10000001" in taken.get_json()["detail"]
    saved = client.post(url, json=app_in, headers=bearer(desk.applicant_token))
    assert saved.status_code == 200, saved.get_data(as_text=True)
    db.session.expire_all()
    app_row = db.session.get(Journey, journey.id).app
    assert (app_row.app_key, app_row.name, app_row.description) == (
        "30000001",
        "Order sync",
        "Reads orders.",
    )
    assert saved.get_json()["id"] == app_row.id
    assert client.post(url, json=app_in, headers=bearer(desk.reviewer_token)).status_code == 403
    assert client.post(url, json=app_in, headers=bearer(desk.other_token)).status_code == 404
    assert db.session.scalars(select(App).where(App.app_key == "12ab")).all() == []


def test_apis_are_requested_with_the_pages_checks_and_a_reopened_one_is_recorded_via_api(
    client,
    desk,  # noqa: F811
):
    url = f"/api/v1/journeys/{desk.jid}/apis"
    asked = {
        "apis": [
            {"method": API, "reason": "To ship orders"},
            {"method": "taobao.item.seller.get", "reason": "To list the seller's items"},
        ]
    }
    saved = client.post(url, json=asked, headers=bearer(desk.applicant_token))
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert [i["method"] for i in saved.get_json()["items"]] == [API, "taobao.item.seller.get"]
    db.session.expire_all()
    rows = db.session.scalars(
        select(ApiRequest).join(App).where(App.journey_id == desk.jid).order_by(ApiRequest.id)
    ).all()
    assert {r.method: r.reason for r in rows} == {
        API: "To ship orders",
        "taobao.item.seller.get": "To list the seller's items",
    }
    no_reason = client.post(
        url, json={"apis": [{"method": API, "reason": " "}]}, headers=bearer(desk.applicant_token)
    )
    assert no_reason.status_code == 422
    assert no_reason.get_json()["errors"][0]["field"] == "apis.0.reason"
    not_a_method = client.post(
        url,
        json={"apis": [{"method": "no such method!", "reason": "why"}]},
        headers=bearer(desk.applicant_token),
    )
    assert not_a_method.status_code == 422
    assert not_a_method.get_json()["errors"][0]["field"] == "apis"
    staff = client.post(url, json=asked, headers=bearer(desk.reviewer_token))
    assert staff.status_code == 403
    # A refused API asked for again goes back to the reviewer: a decision, via the API.
    request = next(r for r in rows if r.method == API)
    request.decision, request.decision_reason = ReviewStatus.rejected, "Not needed."
    db.session.commit()
    again = {"apis": [{"method": API, "reason": "To ship orders, as the guide asks"}]}
    assert client.post(url, json=again, headers=bearer(desk.applicant_token)).status_code == 200
    [event] = _events(desk.jid, DecisionKind.api_reopened.value)
    assert event.via == "api" and event.actor_id == desk.applicant.id


def test_a_journeys_packets_are_listed_ready_or_preparing(client, desk):  # noqa: F811
    journey = db.session.get(Journey, desk.jid)
    packet = seed_packet(journey, "API-LIST-1")
    seed_snapshot(journey, "API-LIST-2")
    db.session.commit()
    url = f"/api/v1/journeys/{desk.jid}/packets"
    listed = client.get(url, headers=bearer(desk.applicant_token))
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [(i["reference"], i["status"]) for i in items] == [
        ("API-LIST-1", "ready"),
        ("API-LIST-2", "preparing"),
    ]
    assert items[0]["id"] == packet.id and items[0]["sha256"] == packet.sha256
    assert items[1]["id"] is None and items[1]["sha256"] is None
    assert client.get(url, headers=bearer(desk.reviewer_token)).status_code == 200
    assert client.get(url, headers=bearer(desk.other_token)).status_code == 404


def test_the_spec_declares_uploads_as_multipart(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for path in (
        "/journeys/{journey_id}/documents/{kind}",
        "/journeys/{journey_id}/forms/{kind}/document",
    ):
        post = spec["paths"][path]["post"]
        form = post["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert form["required"] == ["file"]
        assert form["properties"]["file"] == {
            "type": "string",
            "format": "binary",
            "description": form["properties"]["file"]["description"],
        }
        assert {"413", "415", "422"} <= set(post["responses"])
    assert client.get("/api/v1/docs").status_code == 200
