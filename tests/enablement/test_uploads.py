"""Every document rule with real files: what is stored, what is refused, refusals keep nothing."""

from __future__ import annotations

import pytest

from tests.enablement.conftest import file_for, sha256, upload, versions
from workflow.enablement.samples import sample_pdf, sample_png
from workflow.extensions import db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2048


def _stored_ids(storage) -> list[str]:
    return list(storage.iter_ids())


def _read_back(storage, file_id: str) -> bytes:
    with storage.open(file_id) as stream:
        return stream.read()


def test_pdf_naming_the_account_is_stored_with_a_passing_precheck(isv, client_for, desk_storage):
    data = sample_pdf("Taobao service agreement", f"Account {isv.account.taobao_account_id}")
    response = upload(client_for(isv.applicant), isv.journey.id, "d", data, "agreement.pdf")
    assert response.status_code == 302
    (row,) = versions(isv.journey.id)
    assert (row.kind.value, row.version, row.size, row.sha256) == ("d", 1, len(data), sha256(data))
    assert row.content_type == "application/pdf" and row.filename == "agreement.pdf"
    assert sha256(_read_back(desk_storage, row.file_id)) == sha256(data)
    assert {p["code"]: p["level"] for p in row.prechecks}["account_id_found"] == "ok"


def test_pdf_without_the_account_id_is_kept_with_a_warning_hint(isv, client_for):
    applicant = client_for(isv.applicant)
    data = sample_pdf("Taobao service agreement", "Signed by somebody else entirely")
    upload(applicant, isv.journey.id, "d", data, "agreement.pdf")
    (row,) = versions(isv.journey.id)
    assert row.prechecks[-1]["code"] == "account_id_missing"
    page = applicant.get(f"/journeys/{isv.journey.id}").get_data(as_text=True)
    assert "does not mention taobao account ID" in page


def test_other_documents_are_not_checked_for_the_account_id(isv, client_for):
    data = sample_pdf("Certificate of incorporation", "No account here")
    upload(client_for(isv.applicant), isv.journey.id, "a", data, "cert.pdf")
    codes = [check["code"] for check in versions(isv.journey.id)[0].prechecks]
    assert codes == ["pdf_pages"]


def test_png_is_sniffed_from_its_bytes_not_its_name(isv, client_for, desk_storage):
    data = sample_png()
    upload(client_for(isv.applicant), isv.journey.id, "c", data, "passport.jpeg")
    (row,) = versions(isv.journey.id)
    assert row.content_type == "image/png"
    assert row.prechecks == [
        {
            "code": "image_dimensions",
            "level": "ok",
            "message": "The image is 320 × 240 pixels.",
            "key": "image_dimensions",
            "params": {"width": 320, "height": 240},
        }
    ]
    assert _read_back(desk_storage, row.file_id) == data


def test_every_upload_adds_a_version(isv, client_for, desk_storage):
    applicant = client_for(isv.applicant)
    first, second = sample_pdf("first"), sample_pdf("second")
    upload(applicant, isv.journey.id, "b", first, "v1.pdf")
    upload(applicant, isv.journey.id, "b", second, "v2.pdf")
    rows = versions(isv.journey.id)
    assert [(r.version, r.sha256) for r in rows] == [(1, sha256(first)), (2, sha256(second))]
    assert sorted(_stored_ids(desk_storage)) == sorted(r.file_id for r in rows)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (ELF, "agreement.pdf", "not a PDF, PNG or JPEG"),
        (b"", "empty.pdf", "The file is empty"),
        (b"GIF89a" + b"\x00" * 2000, "scan.gif", "not a PDF, PNG or JPEG"),
    ],
    ids=["renamed-executable", "empty", "gif"],
)
def test_refused_files_store_nothing(isv, client_for, desk_storage, data, filename, message):
    applicant = client_for(isv.applicant)
    response = upload(applicant, isv.journey.id, "d", data, filename)
    assert response.status_code == 302
    assert message in applicant.get(f"/journeys/{isv.journey.id}").get_data(as_text=True)
    assert versions(isv.journey.id) == []
    assert _stored_ids(desk_storage) == []


def test_refusal_answers_json_for_the_upload_script(isv, client_for, desk_storage):
    response = upload(
        client_for(isv.applicant), isv.journey.id, "d", ELF, "agreement.pdf", as_json=True
    )
    assert response.status_code == 400
    assert response.get_json()["ok"] is False and "not a PDF" in response.get_json()["message"]
    assert versions(isv.journey.id) == [] and _stored_ids(desk_storage) == []


def test_success_answers_json_with_the_new_slot(isv, client_for):
    data, name = file_for("a", isv.account.taobao_account_id)
    response = upload(client_for(isv.applicant), isv.journey.id, "a", data, name, as_json=True)
    body = response.get_json()
    assert response.status_code == 200 and body["ok"] is True
    assert 'id="doc-a"' in body["slot"] and 'data-state="uploaded"' in body["slot"]


def test_oversize_file_is_refused_with_the_limit(app, isv, client_for, desk_storage):
    data = sample_pdf("big", padding=5000)
    original = app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = 4096
    try:
        applicant = client_for(isv.applicant)
        upload(applicant, isv.journey.id, "a", data, "big.pdf")
        page = applicant.get(f"/journeys/{isv.journey.id}").get_data(as_text=True)
    finally:
        app.config["MAX_UPLOAD_BYTES"] = original
    assert "larger than the limit" in page
    assert versions(isv.journey.id) == [] and _stored_ids(desk_storage) == []


def test_request_beyond_max_content_length_gets_the_413_page(app, isv, client_for):
    original = app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] = 2048
    try:
        response = upload(
            client_for(isv.applicant), isv.journey.id, "a", sample_pdf("x", padding=8000), "x.pdf"
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_BYTES"] = original
    assert response.status_code == 413 and b"too large" in response.data
    assert versions(isv.journey.id) == []


def test_uploads_only_while_editable_and_only_by_the_applicants(
    isv, client_for, make_account, make_user
):
    data, name = file_for("a", isv.account.taobao_account_id)
    stranger = make_user(account=make_account())
    db.session.commit()
    assert upload(client_for(stranger), isv.journey.id, "a", data, name).status_code == 404
    response = upload(client_for(isv.reviewer), isv.journey.id, "a", data, name, as_json=True)
    assert response.status_code == 403
    isv.journey.state = "enablement_submitted"  # as the chart would after submit
    db.session.commit()
    response = upload(client_for(isv.applicant), isv.journey.id, "a", data, name, as_json=True)
    assert response.status_code == 400 and "only be changed while" in response.get_json()["message"]
    assert versions(isv.journey.id) == []


def test_unknown_slot_is_not_found(isv, client_for):
    response = upload(client_for(isv.applicant), isv.journey.id, "z", sample_png(), "x.png")
    assert response.status_code == 404


def test_downloads_are_inline_for_owner_and_reviewer_and_hidden_from_others(
    isv, client_for, make_account, make_user
):
    data = sample_png()
    upload(client_for(isv.applicant), isv.journey.id, "c", data, "passport.png")
    (row,) = versions(isv.journey.id)
    stranger = make_user(account=make_account())
    db.session.commit()
    url = f"/enablement/documents/{row.id}/file"
    for user in (isv.applicant, isv.reviewer):
        response = client_for(user).get(url)
        assert response.status_code == 200 and response.data == data
        assert response.mimetype == "image/png"
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    attachment = client_for(isv.reviewer).get(url + "?download=1")
    assert attachment.headers["Content-Disposition"].startswith("attachment")
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(stranger).get("/enablement/documents/999999/file").status_code == 404
