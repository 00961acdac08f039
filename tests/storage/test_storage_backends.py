"""Behaviour every storage backend shares, run against fs, memory and S3 (moto on loopback)."""

from __future__ import annotations

import hashlib
import io
import os
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask

from storage import (
    FileTooLarge,
    FsStorage,
    MemoryStorage,
    ObjectNotFound,
    S3Storage,
    Storage,
    check_consistency,
)

MiB = 1024 * 1024


class FailingStream(io.RawIOBase):
    """Yields ``good_bytes`` of data, then fails the way a dropped upload connection does."""

    def __init__(self, good_bytes: int) -> None:
        self.remaining = good_bytes

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            raise ConnectionResetError("client went away mid-upload")
        size = self.remaining if size < 0 else min(size, self.remaining)
        self.remaining -= size
        return b"x" * size


def stored_bytes(storage: Storage, file_id: str) -> bytes:
    with storage.open(file_id) as stream:
        return stream.read()


def overwrite_object(storage: Storage, file_id: str, data: bytes) -> None:
    """Change an object's bytes behind the storage's back, as disk rot or an operator would."""
    if isinstance(storage, FsStorage):
        (storage.root / file_id).write_bytes(data)
    elif isinstance(storage, MemoryStorage):
        storage.overwrite(file_id, data)
    else:
        assert isinstance(storage, S3Storage)
        client = storage.client
        client.put_object(Bucket=storage.bucket, Key=file_id, Body=data)


def assert_nothing_left_behind(storage: Storage) -> None:
    assert list(storage.iter_ids()) == []
    if isinstance(storage, FsStorage):
        assert [p for p in storage.root.rglob("*") if p.is_file()] == []
    if isinstance(storage, S3Storage):
        client = storage.client
        assert client.list_objects_v2(Bucket=storage.bucket).get("KeyCount") == 0
        assert client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", []) == []


@pytest.mark.parametrize("size", [0, 1, 5000, 9 * MiB + 17])
def test_round_trip_keeps_bytes_and_reports_sha256(storage: Storage, size: int) -> None:
    data = os.urandom(size)
    stored = storage.save(io.BytesIO(data), content_type="application/pdf")

    assert stored.size == size
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored_bytes(storage, stored.file_id) == data
    assert storage.checksum(stored.file_id) == stored.sha256
    assert storage.exists(stored.file_id)


def test_file_id_is_generated_not_taken_from_the_upload(storage: Storage) -> None:
    upload = io.BytesIO(b"%PDF-1.7 fake")
    upload.name = "../../etc/passwd.pdf"
    first = storage.save(upload)
    second = storage.save(io.BytesIO(b"%PDF-1.7 fake"))

    assert "passwd" not in first.file_id
    assert first.file_id != second.file_id
    assert first.sha256 == second.sha256


def test_max_size_is_enforced_while_streaming_and_leaves_nothing(storage: Storage) -> None:
    with pytest.raises(FileTooLarge):
        storage.save(io.BytesIO(b"a" * (9 * MiB + 1)), max_size=9 * MiB)

    assert_nothing_left_behind(storage)


def test_max_size_allows_a_file_of_exactly_that_size(storage: Storage) -> None:
    stored = storage.save(io.BytesIO(b"a" * 4096), max_size=4096)

    assert stored.size == 4096


@pytest.mark.parametrize("good_bytes", [100, 12 * MiB])
def test_stream_failing_midway_leaves_nothing(storage: Storage, good_bytes: int) -> None:
    with pytest.raises(ConnectionResetError):
        storage.save(FailingStream(good_bytes))

    assert_nothing_left_behind(storage)


def test_delete_removes_the_object_and_is_idempotent(storage: Storage) -> None:
    kept = storage.save(io.BytesIO(b"keep me"))
    doomed = storage.save(io.BytesIO(b"delete me"))

    storage.delete(doomed.file_id)
    storage.delete(doomed.file_id)

    assert not storage.exists(doomed.file_id)
    assert list(storage.iter_ids()) == [kept.file_id]
    with pytest.raises(ObjectNotFound):
        storage.open(doomed.file_id)


def test_iter_ids_lists_every_object(storage: Storage) -> None:
    ids = {storage.save(io.BytesIO(f"object {n}".encode())).file_id for n in range(3)}

    assert set(storage.iter_ids()) == ids


def test_consistency_report_finds_missing_mismatched_and_orphan(storage: Storage) -> None:
    healthy = storage.save(io.BytesIO(b"healthy"))
    deleted = storage.save(io.BytesIO(b"deleted"))
    corrupted = storage.save(io.BytesIO(b"corrupted"))
    orphan = storage.save(io.BytesIO(b"orphan"))
    storage.delete(deleted.file_id)
    overwrite_object(storage, corrupted.file_id, b"c0rrupted")

    referenced = {obj.file_id: obj.sha256 for obj in (healthy, deleted, corrupted)}
    report = check_consistency(storage, referenced)

    assert report.missing == [deleted.file_id]
    assert [m.file_id for m in report.mismatched] == [corrupted.file_id]
    assert report.mismatched[0].actual_sha256 == hashlib.sha256(b"c0rrupted").hexdigest()
    assert report.orphans == [orphan.file_id]
    assert report.checked == 3
    assert not report.is_consistent


def test_consistency_report_is_clean_when_everything_matches(storage: Storage) -> None:
    objects = [storage.save(io.BytesIO(f"doc {n}".encode())) for n in range(2)]

    report = check_consistency(storage, {obj.file_id: obj.sha256 for obj in objects})

    assert report.is_consistent


@pytest.fixture
def download_client(storage: Storage):
    app = Flask(__name__)

    @app.get("/files/<path:file_id>")
    def download(file_id: str):
        return storage.download_response(
            file_id, filename="营业执照 final.pdf", content_type="application/pdf"
        )

    return app.test_client()


def test_download_response_serves_the_bytes_as_an_attachment(
    storage: Storage, download_client
) -> None:
    data = os.urandom(3 * MiB + 5)
    stored = storage.save(io.BytesIO(data), content_type="application/pdf")

    response = download_client.get(f"/files/{stored.file_id}")

    if isinstance(storage, S3Storage):
        assert response.status_code == 302
        location = response.headers["Location"]
        assert urlsplit(location).hostname == "127.0.0.1"
        fetched = requests.get(location, timeout=30)
        body, headers = fetched.content, fetched.headers
        assert fetched.status_code == 200
    else:
        assert response.status_code == 200
        assert response.is_streamed or response.direct_passthrough
        body, headers = response.get_data(), response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
    assert body == data
    assert headers["Content-Type"].startswith("application/pdf")
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20final.pdf" in disposition
    response.close()
