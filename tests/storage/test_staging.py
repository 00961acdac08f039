"""StagedFile: hashed while written, renamed into place by its own storage, deleted otherwise."""

from __future__ import annotations

import gc
import hashlib

import pytest

from storage import FileTooLarge, FsStorage


def _written(storage: FsStorage, *pieces: bytes):
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
