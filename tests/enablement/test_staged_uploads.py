"""Large uploads are written once, straight into storage; refused or broken ones leave nothing."""

from __future__ import annotations

import io

import storage.fs
from tests.enablement.conftest import sha256, upload, versions
from workflow.enablement.samples import sample_pdf

BIG = 700_000  # past the 500 KB that is spooled in memory


def _every_file(desk_storage) -> list[str]:
    """Every file under the storage root, partial uploads included."""
    root = desk_storage.root
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _no_copying(monkeypatch) -> None:
    def refuse_copy(reader, write):
        raise AssertionError("the upload was copied instead of kept where it was written")

    monkeypatch.setattr(storage.fs, "copy_hashing", refuse_copy)


def test_a_large_upload_is_kept_where_the_form_parser_wrote_it(
    isv, client_for, desk_storage, monkeypatch
):
    _no_copying(monkeypatch)
    data = sample_pdf("Certificate of incorporation", "Demo Software Ltd", padding=BIG)
    assert len(data) > BIG
    response = upload(client_for(isv.applicant), isv.journey.id, "a", data, "cert.pdf")
    assert response.status_code == 302
    (row,) = versions(isv.journey.id)
    assert (row.size, row.sha256) == (len(data), sha256(data))
    with desk_storage.open(row.file_id) as stored:
        assert stored.read() == data
    assert _every_file(desk_storage) == [row.file_id]  # no partial file beside it


def test_a_refused_large_upload_leaves_no_file(isv, client_for, desk_storage):
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(BIG)
    response = upload(client_for(isv.applicant), isv.journey.id, "a", elf, "tool.pdf", as_json=True)
    assert response.status_code == 400 and response.get_json()["ok"] is False
    assert versions(isv.journey.id) == [] and _every_file(desk_storage) == []


def test_a_large_upload_over_the_document_limit_leaves_no_file(
    app, isv, client_for, desk_storage, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", BIG // 2)
    data = sample_pdf("big", padding=BIG)
    response = upload(client_for(isv.applicant), isv.journey.id, "a", data, "big.pdf", as_json=True)
    assert response.status_code == 400
    assert "larger than the limit" in response.get_json()["message"]
    assert versions(isv.journey.id) == [] and _every_file(desk_storage) == []


def test_an_upload_that_breaks_off_leaves_no_file(isv, client_for, desk_storage):
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    sent = head + sample_pdf("cut", padding=BIG)  # no closing boundary: the client went away
    response = client_for(isv.applicant).post(
        f"/journeys/{isv.journey.id}/enablement/documents/a",
        input_stream=io.BytesIO(sent),
        content_length=len(sent) + 10_000,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert versions(isv.journey.id) == [] and _every_file(desk_storage) == []
