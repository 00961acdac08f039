"""In-memory backend for tests. It keeps whole objects in a dict, so never use it in production."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from flask import Response

from .base import (
    HashingReader,
    ObjectNotFound,
    Storage,
    StoredObject,
    check_file_id,
    copy_hashing,
    new_file_id,
)
from .responses import attachment_response


class MemoryStorage(Storage):
    def __init__(self) -> None:
        self._objects: dict[str, tuple[bytes, str | None]] = {}
        self._saved_at: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def save(
        self,
        stream: BinaryIO,
        *,
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> StoredObject:
        reader = HashingReader(stream, max_size)
        buffer = io.BytesIO()
        copy_hashing(reader, buffer.write)
        file_id = new_file_id()
        with self._lock:
            self._objects[file_id] = (buffer.getvalue(), content_type)
            self._saved_at[file_id] = datetime.now(UTC)
        return reader.stored(file_id)

    def open(self, file_id: str) -> BinaryIO:
        return io.BytesIO(self._data(file_id))

    def delete(self, file_id: str) -> None:
        with self._lock:
            self._objects.pop(check_file_id(file_id), None)
            self._saved_at.pop(file_id, None)

    def exists(self, file_id: str) -> bool:
        return check_file_id(file_id) in self._objects

    def stored_at(self, file_id: str) -> datetime:
        with self._lock:
            saved = self._saved_at.get(check_file_id(file_id))
        if saved is None or file_id not in self._objects:
            raise ObjectNotFound(file_id)
        return saved

    def iter_ids(self) -> Iterator[str]:
        with self._lock:
            ids = sorted(self._objects)
        yield from ids

    def download_response(self, file_id: str, *, filename: str, content_type: str) -> Response:
        data = self._data(file_id)
        return attachment_response(
            io.BytesIO(data), filename=filename, content_type=content_type, size=len(data)
        )

    def overwrite(self, file_id: str, data: bytes) -> None:
        """Replace an object's bytes in place; tests use it to simulate corruption."""
        with self._lock:
            _, content_type = self._objects[check_file_id(file_id)]
            self._objects[file_id] = (data, content_type)

    def _data(self, file_id: str) -> bytes:
        try:
            return self._objects[check_file_id(file_id)][0]
        except KeyError:
            raise ObjectNotFound(file_id) from None
