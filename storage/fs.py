"""Local filesystem backend: objects are files under a root directory."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from flask import Response

from .base import (
    FILE_ID_PATTERN,
    FileTooLarge,
    HashingReader,
    ObjectNotFound,
    Storage,
    StoredObject,
    check_file_id,
    copy_hashing,
    new_file_id,
)
from .responses import attachment_response
from .staging import StagedFile

#: Temp files carry this prefix, so a listing never mistakes a half-written upload for an object.
PARTIAL_PREFIX = ".partial-"


class FsStorage(Storage):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def save(
        self,
        stream: BinaryIO,
        *,
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> StoredObject:
        if isinstance(stream, StagedFile) and (kept := self._keep_staged(stream, max_size)):
            return kept
        file_id = new_file_id()
        final_path = self._path(file_id)
        final_path.parent.mkdir(parents=True, exist_ok=True)
        reader = HashingReader(stream, max_size)
        fd, temp_name = tempfile.mkstemp(dir=final_path.parent, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(fd, "wb") as temp_file:
                copy_hashing(reader, temp_file.write)
                temp_file.flush()
                os.fsync(temp_file.fileno())
            os.replace(temp_name, final_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_directory(final_path.parent)
        return reader.stored(file_id)

    def staging_file(self) -> StagedFile:
        """A partial file under the root, so saving it is a rename on the same filesystem."""
        directory = self._path(new_file_id()).parent
        return StagedFile(directory, PARTIAL_PREFIX, owner=self, write_behind=True)

    def _keep_staged(self, staged: StagedFile, max_size: int | None) -> StoredObject | None:
        """Rename a staged upload into place, written once; None where it must be copied."""
        if staged.owner is not self or staged.adopted or staged.tell() != 0:
            return None  # kept already, partly read by the caller, or staged by another storage
        known = staged.digest()
        if known is None:
            return None
        size, sha256 = known
        if max_size is not None and size > max_size:
            raise FileTooLarge(max_size)
        os.fsync(staged.fileno())
        file_id = new_file_id()
        final_path = self._path(file_id)
        final_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, final_path)
        staged.moved_to(final_path)
        staged.seek(0, os.SEEK_END)  # as a copying save leaves its source
        _fsync_directory(final_path.parent)
        return StoredObject(file_id=file_id, size=size, sha256=sha256)

    def open(self, file_id: str) -> BinaryIO:
        try:
            return self._path(file_id).open("rb")
        except FileNotFoundError:
            raise ObjectNotFound(file_id) from None

    def delete(self, file_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(file_id).unlink()

    def exists(self, file_id: str) -> bool:
        return self._path(file_id).is_file()

    def stored_at(self, file_id: str) -> datetime:
        try:
            return datetime.fromtimestamp(self._path(file_id).stat().st_mtime, UTC)
        except FileNotFoundError:
            raise ObjectNotFound(file_id) from None

    def iter_ids(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("*/*/*")):
            file_id = path.relative_to(self.root).as_posix()
            if FILE_ID_PATTERN.fullmatch(file_id) and path.is_file():
                yield file_id

    def download_response(self, file_id: str, *, filename: str, content_type: str) -> Response:
        path = self._path(file_id)
        if not path.is_file():
            raise ObjectNotFound(file_id)
        return attachment_response(str(path), filename=filename, content_type=content_type)

    def _path(self, file_id: str) -> Path:
        return self.root / check_file_id(file_id)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; some platforms cannot open directories, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
