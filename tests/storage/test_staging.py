"""StagedFile: hashed while written, kept by its own storage without a second write (renamed
into place on disk, sent once to S3), deleted otherwise."""

from __future__ import annotations

import gc
import hashlib
import io
import os

import pytest

from storage import FileTooLarge, FsStorage, S3Storage


def _written(storage, *pieces: bytes):
    staged = storage.staging_file()
    for piece in pieces:
        staged.write(piece)
    staged.seek(0)
    return staged


def _files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def test_saving_a_staged_file_renames_it_with_the_hash_of_its_writes(tmp_path):
    storage = FsStorage(tmp_path)
    staged = _written(storage, b"first ", b"second")
    partial = staged.path
    stored = storage.save(staged)
    assert (stored.size, stored.sha256) == (12, hashlib.sha256(b"first second").hexdigest())
    assert not partial.exists() and staged.path == tmp_path / stored.file_id
    staged.close()  # closing a kept file does not delete it
    assert _files(tmp_path) == [tmp_path / stored.file_id]
    assert storage.checksum(stored.file_id) == stored.sha256


def test_an_unsaved_staged_file_is_deleted_on_close_and_when_dropped(tmp_path):
    storage = FsStorage(tmp_path)
    closed = _written(storage, b"refused")
    closed.close()
    dropped = _written(storage, b"abandoned")
    assert len(_files(tmp_path)) == 1
    del dropped
    gc.collect()
    assert _files(tmp_path) == []


def test_a_staged_file_over_the_limit_is_refused_and_not_kept(tmp_path):
    storage = FsStorage(tmp_path)
    staged = _written(storage, b"x" * 100)
    with pytest.raises(FileTooLarge):
        storage.save(staged, max_size=99)
    staged.close()
    assert _files(tmp_path) == []


def test_a_rewritten_or_foreign_staged_file_is_copied_with_a_true_hash(tmp_path):
    storage, other = FsStorage(tmp_path / "one"), FsStorage(tmp_path / "two")
    rewritten = _written(storage, b"aaaa")
    rewritten.seek(1)
    rewritten.write(b"B")  # not at the end: the running hash no longer holds
    rewritten.seek(0)
    stored = storage.save(rewritten)
    assert stored.sha256 == hashlib.sha256(b"aBaa").hexdigest()
    foreign = _written(other, b"elsewhere")
    kept = storage.save(foreign)
    assert kept.sha256 == hashlib.sha256(b"elsewhere").hexdigest()
    rewritten.close(), foreign.close()
    assert _files(tmp_path / "two") == []
    assert sorted(_files(tmp_path / "one")) == sorted(
        tmp_path / "one" / obj.file_id for obj in (stored, kept)
    )


@pytest.fixture
def s3(s3_bucket, moto_s3_endpoint, tmp_path, monkeypatch) -> S3Storage:
    """S3 storage staging into tmp_path; copying an object onto itself is refused, so a test
    fails if an upload is written twice in the bucket."""
    storage = S3Storage(
        s3_bucket,
        region="us-east-1",
        endpoint_url=moto_s3_endpoint,
        addressing_style="path",
        staging_dir=tmp_path / "staging",
    )

    def written_twice(*args, **kwargs):
        raise AssertionError("the object was copied onto itself to record its hash")

    monkeypatch.setattr(storage.client, "copy", written_twice)
    return storage


def _bucket_keys(storage: S3Storage) -> list[str]:
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_s3_sends_a_staged_file_once_with_its_hash_and_drops_the_local_copy(s3):
    data = os.urandom(9 * 1024 * 1024 + 5)  # past the multipart threshold
    staged = _written(s3, data[:4096], data[4096:])
    stored = s3.save(staged, content_type="application/pdf")
    expected = hashlib.sha256(data).hexdigest()
    assert (stored.size, stored.sha256) == (len(data), expected)
    assert s3.stored_sha256(stored.file_id) == expected
    with s3.open(stored.file_id) as body:
        assert body.read() == data
    staged.close()
    assert _files(s3.staging_dir) == [] and _bucket_keys(s3) == [stored.file_id]


def test_s3_refuses_a_staged_file_over_the_limit_and_keeps_nothing(s3):
    staged = _written(s3, b"x" * 100)
    with pytest.raises(FileTooLarge):
        s3.save(staged, max_size=99)
    staged.close()
    assert _files(s3.staging_dir) == [] and _bucket_keys(s3) == []


def test_s3_puts_a_small_stream_once_with_its_hash(s3):
    stored = s3.save(io.BytesIO(b"%PDF-1.7 small"), content_type="application/pdf")
    assert s3.stored_sha256(stored.file_id) == hashlib.sha256(b"%PDF-1.7 small").hexdigest()
    head = s3.client.head_object(Bucket=s3.bucket, Key=stored.file_id)
    assert head["ContentType"] == "application/pdf"


def test_s3_records_the_hash_of_a_large_stream_of_unknown_hash(s3, monkeypatch):
    monkeypatch.undo()  # this one has to copy: the hash is known only after the upload
    data = os.urandom(9 * 1024 * 1024)
    stored = s3.save(io.BytesIO(data))
    assert s3.stored_sha256(stored.file_id) == hashlib.sha256(data).hexdigest()
    assert s3.checksum(stored.file_id) == stored.sha256


def test_a_staged_file_on_disk_starts_its_disk_writes_as_it_grows(tmp_path, monkeypatch):
    import storage.staging

    started: list[tuple[int, int]] = []
    monkeypatch.setattr(
        storage.staging,
        "start_writeback",
        lambda fd, offset, length: started.append((offset, length)),
    )
    piece = os.urandom(1024 * 1024)
    count = 2 * storage.staging.WRITE_BEHIND // len(piece) + 3
    storage_ = FsStorage(tmp_path)
    staged = _written(storage_, *[piece] * count)
    # Every byte up to the last whole WRITE_BEHIND was handed to the disk, in order.
    behind = storage.staging.WRITE_BEHIND
    assert started == [(0, behind), (behind, behind)]
    stored = storage_.save(staged)
    assert stored.sha256 == hashlib.sha256(piece * count).hexdigest()
    assert storage_.checksum(stored.file_id) == stored.sha256
    staged.close()


def test_a_file_staged_for_s3_starts_no_disk_writes(s3, monkeypatch):
    """It is sent to the bucket and deleted, so nothing is gained by writing it to disk."""
    import storage.staging

    started = []
    monkeypatch.setattr(storage.staging, "start_writeback", lambda *args: started.append(args))
    staged = _written(s3, *[bytes(65536)] * (2 * storage.staging.WRITE_BEHIND // 65536))
    stored = s3.save(staged)
    staged.close()
    assert started == [] and stored.size == 2 * storage.staging.WRITE_BEHIND
