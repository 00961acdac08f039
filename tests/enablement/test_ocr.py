"""Scanned documents d and f: read by the ``ocr`` job in the background (Tesseract), their
findings shown to the reviewer, and the reviewer's tick where no text names the account."""

from __future__ import annotations

import html
import json
import shutil

import pytest
from sqlalchemy import select

from tests.enablement.conftest import (
    decide,
    file_for,
    fire_event,
    save_isv_details,
    state_of,
    upload,
    versions,
)
from tests.enablement.scans import CJK_FONT, scanned_pdf, scanned_png
from workflow.extensions import db
from workflow.models import Event, Job, JobStatus, OcrStatus, TextSource
from workflow.models.enablement import EnablementRequest, ReviewStatus
from workflow.replay import replay_log

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract is not installed (make system-deps)"
)


def run_worker(app) -> str:
    """What ``flask worker --once --kinds ocr`` prints, as an operator would run it."""
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--kinds", "ocr"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def page_of(client, journey_id: int) -> str:
    return client.get(f"/journeys/{journey_id}").get_data(as_text=True).replace("&#39;", "'")


def findings_on(page: str, letter: str) -> dict[str, str]:
    """data-finding -> data-status inside the slot of document ``letter``."""
    start = page.index(f'id="doc-{letter}"')
    end = page.find('<li class="doc-slot', start)
    slot = page[start : end if end > 0 else len(page)]
    found = {}
    for part in slot.split('data-finding="')[1:]:
        subject, rest = part.split('"', 1)
        found[subject] = rest.split('data-status="', 1)[1].split('"', 1)[0]
    return found


def upload_the_other_documents(client, party, skip: str) -> None:
    for letter in "abcdef".replace(skip, ""):
        data, name = file_for(letter, party.account.taobao_account_id)
        assert upload(client, party.journey.id, letter, data, name).status_code == 302


def test_scanned_agreement_is_read_in_the_background_and_never_blocks(app, isv, client_for):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    journey_id, account_id = isv.journey.id, isv.account.taobao_account_id
    save_isv_details(applicant, journey_id)
    scan = scanned_pdf(
        "Taobao Open Platform service agreement",
        f"Taobao account ID: {account_id}",
        "Signed for Demo Software Ltd by Li Lei",
    )
    assert upload(applicant, journey_id, "d", scan, "agreement-scan.pdf").status_code == 302
    upload_the_other_documents(applicant, isv, skip="d")

    (row,) = [v for v in versions(journey_id) if v.kind.value == "d"]
    assert (row.ocr_status, row.text) == (OcrStatus.running, "")
    assert [p["code"] for p in row.prechecks] == ["pdf_pages", "pdf_no_text"]
    job = db.session.scalar(select(Job).where(Job.kind == "ocr"))
    assert (job.payload, job.status) == ({"document": row.id}, JobStatus.pending)

    # Submission does not wait for OCR; the reviewer sees it running.
    assert fire_event(applicant, journey_id, "submit").status_code == 302
    assert state_of(journey_id) == "enablement_submitted"
    page = page_of(reviewer, journey_id)
    assert findings_on(page, "d") == {"account_id": "running", "signatory": "running"}
    assert "OCR running: the taobao account ID is looked for when it ends." in page

    assert run_worker(app) == "done 1, retrying 0, failed 0"
    (row,) = [v for v in versions(journey_id) if v.kind.value == "d"]
    assert (row.ocr_status, row.text_source) == (OcrStatus.done, TextSource.ocr)
    assert account_id in row.text and "Li Lei" in row.text
    page = page_of(reviewer, journey_id)
    assert findings_on(page, "d") == {"account_id": "found", "signatory": "found"}
    assert f"The taobao account ID {account_id} was found by OCR." in page
    assert "The authorized signatory Li Lei was found by OCR." in page
    assert 'name="account_id_seen"' not in page  # found: no tick asked for

    # Found by OCR, so accepting needs no tick, and none is recorded.
    assert decide(reviewer, row.id, "accept").status_code == 302
    (row,) = [v for v in versions(journey_id) if v.kind.value == "d"]
    assert (row.review_status, row.is_account_id_seen) == (ReviewStatus.accepted, False)
    assert db.session.get(Job, job.id).status is JobStatus.done


def test_chinese_authorization_letter_names_the_signatory(app, isv, client_for):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    journey_id = isv.journey.id
    save_isv_details(applicant, journey_id)
    applicant.post(f"/journeys/{journey_id}/enablement/request", data={"signatory_name": "张伟"})
    assert db.session.scalar(select(EnablementRequest.signatory_name)) == "张伟"
    letter = scanned_png(
        "授权书",
        "兹授权张伟代表本公司签署淘宝开放平台服务协议。",
        "授权签字人：张伟",
        font=CJK_FONT,
    )
    assert upload(applicant, journey_id, "f", letter, "authorization.png").status_code == 302

    assert run_worker(app) == "done 1, retrying 0, failed 0"
    (row,) = versions(journey_id)
    assert row.ocr_status is OcrStatus.done and "张" in row.text
    for client in (applicant, reviewer):
        page = page_of(client, journey_id)
        assert findings_on(page, "f") == {"signatory": "found"}
        assert "The authorized signatory 张伟 was found by OCR." in page


def test_agreement_without_the_account_id_needs_the_reviewers_tick(app, isv, client_for):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    journey_id, account_id = isv.journey.id, isv.account.taobao_account_id
    save_isv_details(applicant, journey_id)
    scan = scanned_pdf("Taobao Open Platform service agreement", "Signed by Li Lei")
    upload(applicant, journey_id, "d", scan, "agreement-scan.pdf")
    upload_the_other_documents(applicant, isv, skip="d")
    fire_event(applicant, journey_id, "submit")
    run_worker(app)
    (row,) = [v for v in versions(journey_id) if v.kind.value == "d"]

    page = page_of(reviewer, journey_id)
    assert findings_on(page, "d") == {"account_id": "not_found", "signatory": "found"}
    assert f"The taobao account ID {account_id} was not found by OCR." in page
    assert 'name="account_id_seen"' in page

    # Accepting without the tick is refused with a clear message, and nothing is recorded.
    events_before = db.session.scalar(select(db.func.count()).select_from(Event))
    refused = decide(reviewer, row.id, "accept")
    assert refused.status_code == 400  # the page again, with the reason on it
    assert (
        f"Tick that you saw taobao account ID {account_id} in the signed service agreement "
        "(document d) yourself before accepting it: neither its text nor OCR found it."
    ) in html.unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(type(row), row.id).review_status is ReviewStatus.pending
    assert db.session.scalar(select(db.func.count()).select_from(Event)) == events_before

    # With the tick the document is accepted and the tick is in the chain with the decision.
    response = reviewer.post(
        f"/enablement/documents/{row.id}/decision",
        data={"decision": "accept", "seen_status": "pending", "account_id_seen": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(type(row), row.id)
    assert (row.review_status, row.is_account_id_seen) == (ReviewStatus.accepted, True)
    event = db.session.scalars(select(Event).order_by(Event.id.desc())).first()
    (recorded,) = json.loads(event.payload)["rows"]
    assert recorded["values"]["is_account_id_seen"] is True
    assert event.event == "document.decided" and event.actor_id == isv.reviewer.id
    assert "the reviewer saw the taobao account ID in it" in page_of(reviewer, journey_id)
    assert replay_log().ok


def test_text_agreement_is_searched_at_once_and_needs_no_ocr(isv, client_for):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    journey_id = isv.journey.id
    save_isv_details(applicant, journey_id)
    upload_the_other_documents(applicant, isv, skip="")
    fire_event(applicant, journey_id, "submit")
    current = {v.kind.value: v for v in versions(journey_id)}
    assert current["d"].text_source is TextSource.pdf and current["d"].ocr_status is None
    assert db.session.scalar(select(Job).where(Job.kind == "ocr")) is None
    codes = {p["code"]: p["level"] for p in current["d"].prechecks}
    assert codes["signatory_found"] == codes["account_id_found"] == "ok"
    page = page_of(reviewer, journey_id)
    assert findings_on(page, "d") == {"account_id": "found", "signatory": "found"}
    assert findings_on(page, "f") == {"signatory": "found"}
    assert "was found in the PDF's text" in page


def test_signatory_named_after_the_upload_is_looked_for(isv, client_for):
    applicant = client_for(isv.applicant)
    journey_id = isv.journey.id
    data, name = file_for("f", isv.account.taobao_account_id)
    upload(applicant, journey_id, "f", data, name)
    (row,) = versions(journey_id)
    assert [p["code"] for p in row.prechecks][-1] == "signatory_unknown"
    assert findings_on(page_of(applicant, journey_id), "f") == {"signatory": "unknown"}
    applicant.post(
        f"/journeys/{journey_id}/enablement/request", data={"signatory_name": "Han Meimei"}
    )
    assert findings_on(page_of(applicant, journey_id), "f") == {"signatory": "not_found"}
    save_isv_details(applicant, journey_id)  # names Li Lei, who signed the letter
    assert findings_on(page_of(applicant, journey_id), "f") == {"signatory": "found"}


def test_submitting_needs_the_signatory(isv, client_for):
    applicant = client_for(isv.applicant)
    journey_id = isv.journey.id
    save_isv_details(applicant, journey_id)
    applicant.post(f"/journeys/{journey_id}/enablement/request", data={"signatory_name": " "})
    upload_the_other_documents(applicant, isv, skip="")
    fire_event(applicant, journey_id, "submit")
    assert "Enter the authorized signatory's name before submitting." in page_of(
        applicant, journey_id
    )
    assert state_of(journey_id) == "enablement_draft"


def test_ocr_that_keeps_failing_is_shown_as_failed(app, isv, client_for, monkeypatch):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    journey_id = isv.journey.id
    save_isv_details(applicant, journey_id)
    upload(applicant, journey_id, "f", scanned_pdf("Authorization letter"), "letter.pdf")
    monkeypatch.setitem(app.config, "OCR_LANGUAGES", "no_such_language")

    assert run_worker(app) == "done 0, retrying 1, failed 0"
    (row,) = versions(journey_id)
    assert row.ocr_status is OcrStatus.running
    job = db.session.scalar(select(Job).where(Job.kind == "ocr"))
    assert "tesseract failed" in job.last_error
    job.run_after, job.max_attempts = job.created_at, 1  # the backoff is over; the last try
    db.session.commit()

    assert run_worker(app) == "done 1, retrying 0, failed 0"
    (row,) = versions(journey_id)
    assert row.ocr_status is OcrStatus.failed and row.ocr_error.startswith("tesseract failed")
    page = page_of(reviewer, journey_id)
    assert findings_on(page, "f") == {"signatory": "failed"}
    assert "OCR could not read the document (tesseract failed" in page
