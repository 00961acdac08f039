"""Large uploads are written once, straight into storage; refused or broken ones leave nothing."""

from __future__ import annotations

import io

import pytest

import storage.fs
import storage.s3
from storage import S3Storage
from tests.enablement.conftest import sha256, upload, versions
from tests.storage.conftest import moto_s3_endpoint, s3_bucket  # noqa: F401 (fixtures)
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


@pytest.fixture
def s3_desk(app, isv, s3_bucket, moto_s3_endpoint, tmp_path, monkeypatch) -> S3Storage:  # noqa: F811
    """The desk on S3, staging uploads into a directory of this test's own."""
    s3 = S3Storage(
        s3_bucket,
        endpoint_url=moto_s3_endpoint,
        addressing_style="path",
        staging_dir=tmp_path / "in",
    )
    monkeypatch.setitem(app.extensions, "storage", s3)
    return s3


def _s3_keys(s3: S3Storage) -> list[str]:
    return [item["Key"] for item in s3.client.list_objects_v2(Bucket=s3.bucket).get("Contents", [])]


def _staged_left(s3: S3Storage) -> list:
    return [p for p in s3.staging_dir.rglob("*") if p.is_file()]


def test_on_s3_a_large_upload_goes_up_once_with_its_hash(isv, client_for, s3_desk, monkeypatch):
    def written_twice(*args, **kwargs):
        raise AssertionError("the object was copied onto itself to record its hash")

    def read_again(reader, limit):
        raise AssertionError("the staged upload was read and hashed a second time")

    monkeypatch.setattr(s3_desk.client, "copy", written_twice)
    monkeypatch.setattr(storage.s3, "_read_up_to", read_again)
    data = sample_pdf("Certificate of incorporation", "Demo Software Ltd", padding=BIG)
    response = upload(client_for(isv.applicant), isv.journey.id, "a", data, "cert.pdf")
    assert response.status_code == 302
    (row,) = versions(isv.journey.id)
    assert (row.size, row.sha256) == (len(data), sha256(data))
    assert s3_desk.stored_sha256(row.file_id) == sha256(data)
    with s3_desk.open(row.file_id) as body:
        assert body.read() == data
    assert _s3_keys(s3_desk) == [row.file_id] and _staged_left(s3_desk) == []


def test_on_s3_a_refused_large_upload_leaves_nothing(isv, client_for, s3_desk):
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(BIG)
    response = upload(client_for(isv.applicant), isv.journey.id, "a", elf, "tool.pdf", as_json=True)
    assert response.status_code == 400 and response.get_json()["ok"] is False
    assert versions(isv.journey.id) == []
    assert _s3_keys(s3_desk) == [] and _staged_left(s3_desk) == []


def test_a_request_over_the_body_limit_gets_413_and_leaves_no_file(
    app, isv, client_for, desk_storage, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024 * 1024)
    data = sample_pdf("big", padding=3 * 1024 * 1024)
    response = upload(client_for(isv.applicant), isv.journey.id, "a", data, "big.pdf")
    assert response.status_code == 413
    assert "Requests are limited to 2 MB" in response.get_data(as_text=True)
    assert versions(isv.journey.id) == [] and _every_file(desk_storage) == []


RAW_BOUNDARY = "raw-b0undary"


def _body(*parts: tuple[str, str | None, bytes]) -> bytes:
    out = b""
    for name, filename, data in parts:
        out += f'--{RAW_BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"'.encode()
        if filename is not None:
            out += f'; filename="{filename}"\r\nContent-Type: application/pdf'.encode()
        out += b"\r\n\r\n" + data + b"\r\n"
    return out + f"--{RAW_BOUNDARY}--\r\n".encode()


def _raw_upload(client, journey_id: int, body: bytes):
    return client.post(
        f"/journeys/{journey_id}/enablement/documents/a",
        input_stream=io.BytesIO(body),
        content_length=len(body),
        content_type=f"multipart/form-data; boundary={RAW_BOUNDARY}",
        headers={"Accept": "application/json"},
    )


def test_a_body_malformed_or_with_too_many_parts_after_a_staged_file_leaves_no_file(
    app, isv, client_for, desk_storage, monkeypatch
):
    """The file part is staged in storage first; what follows it makes the body refused."""
    client = client_for(isv.applicant)
    pdf = sample_pdf("Certificate", padding=BIG)
    no_disposition = b'Content-Disposition: form-data; name="x"'
    broken = _body(("file", "a.pdf", pdf), ("x", None, b"1"))
    broken = broken.replace(no_disposition, b"Content-Type: text/plain")
    response = _raw_upload(client, isv.journey.id, broken)
    assert response.status_code == 400 and response.get_json()["ok"] is False
    monkeypatch.setitem(app.config, "MAX_FORM_PARTS", 3)
    crowded = _body(("file", "a.pdf", pdf), *[("x", None, b"1")] * 3)
    assert _raw_upload(client, isv.journey.id, crowded).status_code == 413
    assert versions(isv.journey.id) == []
    assert [p for p in desk_storage.root.rglob("*") if p.is_file()] == []
    fine = _body(("file", "a.pdf", pdf))
    assert _raw_upload(client, isv.journey.id, fine).get_json()["ok"] is True
    (row,) = versions(isv.journey.id)
    with desk_storage.open(row.file_id) as stored:
        assert stored.read() == pdf


def test_a_body_read_ahead_on_a_thread_is_kept_whole_and_written_once(
    app, isv, client_for, desk_storage, monkeypatch
):
    import workflow.multipart

    _no_copying(monkeypatch)
    opened = []

    class Counted(workflow.multipart._ReadAhead):
        def __enter__(self):
            opened.append(self)
            return super().__enter__()

    monkeypatch.setattr(workflow.multipart, "_ReadAhead", Counted)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 8 * 1024 * 1024)
    data = sample_pdf("Certificate of incorporation", "Demo Software Ltd", padding=5 * 1024 * 1024)
    response = upload(client_for(isv.applicant), isv.journey.id, "a", data, "cert.pdf")
    assert response.status_code == 302 and len(opened) == 1
    (row,) = versions(isv.journey.id)
    assert (row.size, row.sha256) == (len(data), sha256(data))
    with desk_storage.open(row.file_id) as stored:
        assert stored.read() == data
    assert _every_file(desk_storage) == [row.file_id]
