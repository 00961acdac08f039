"""The storage interface every backend implements, and the helpers they share."""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from flask import Response

#: Streams are copied in pieces of this size, so memory use does not grow with the file.
CHUNK_SIZE = 1024 * 1024

#: An upload part up to this size is spooled in memory, as werkzeug does, before it is saved.
SPOOL_SIZE = 500 * 1024

#: Server-generated keys: ``YYYY/MM/<uuid4 hex>``. Anything else is refused, which also
#: keeps ``..`` and absolute paths out of the filesystem backend.
FILE_ID_PATTERN = re.compile(r"\d{4}/\d{2}/[0-9a-f]{32}")


class StorageError(Exception):
    """Base class for every error a storage backend raises on purpose."""


class FileTooLarge(StorageError):
    def __init__(self, max_size: int) -> None:
        super().__init__(f"The file is larger than the limit of {max_size} bytes.")
        self.max_size = max_size


class ObjectNotFound(StorageError):
    def __init__(self, file_id: str) -> None:
        super().__init__(f"No stored object {file_id!r}.")
        self.file_id = file_id


class InvalidFileId(StorageError):
    def __init__(self, file_id: str) -> None:
        super().__init__(f"{file_id!r} is not a file id this storage generates.")
        self.file_id = file_id


@dataclass(frozen=True)
class StoredObject:
    """What a completed save returns; the caller records it on its database row."""

    file_id: str
    size: int
    sha256: str


class Storage(ABC):
    """Save streams under server-generated ids, read them back, serve them for download."""

    @abstractmethod
    def save(
        self,
        stream: BinaryIO,
        *,
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> StoredObject:
        """Store the stream completely or not at all.

        :raises FileTooLarge: the stream holds more than ``max_size`` bytes; nothing is kept.
        """

    @abstractmethod
    def open(self, file_id: str) -> BinaryIO:
        """A readable binary stream; use it as a context manager.

        :raises ObjectNotFound:
        """

    @abstractmethod
    def delete(self, file_id: str) -> None:
        """Remove the object. Deleting an object that is already gone is not an error."""

    @abstractmethod
    def exists(self, file_id: str) -> bool: ...

    @abstractmethod
    def iter_ids(self) -> Iterator[str]:
        """Every stored object's id, for consistency checks."""

    @abstractmethod
    def download_response(self, file_id: str, *, filename: str, content_type: str) -> Response:
        """A Flask response that makes the browser download the object as ``filename``."""

    @abstractmethod
    def stored_at(self, file_id: str) -> datetime:
        """When the object was written (UTC), so a sweep can spare uploads still in flight.

        :raises ObjectNotFound:
        """

    def staging_file(self) -> BinaryIO:
        """A file for an incoming upload to be written into as it arrives (see staging.py).

        By default a spooled temporary file that ``save`` copies from; a backend that can keep
        the file where it was written returns one that ``save`` moves into place instead.
        """
        return tempfile.SpooledTemporaryFile(max_size=SPOOL_SIZE, mode="w+b")

    def checksum(self, file_id: str) -> str:
        """Recompute the SHA-256 of the stored bytes, reading them as a stream."""
        with self.open(file_id) as stream:
            reader = HashingReader(stream)
            while reader.read(CHUNK_SIZE):
                pass
        return reader.hexdigest()


class HashingReader:
    """Wraps a stream; hashes and counts the bytes as they are read, enforcing a size limit.

    It deliberately offers only ``read``: upload code that sees no ``seek`` reads the source
    once, front to back, which is what keeps the running hash correct.
    """

    def __init__(self, stream: BinaryIO, max_size: int | None = None) -> None:
        self._stream = stream
        self._max_size = max_size
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = CHUNK_SIZE  # never slurp the whole source in one call
        data = self._stream.read(size)
        self.size += len(data)
        if self._max_size is not None and self.size > self._max_size:
            raise FileTooLarge(self._max_size)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def stored(self, file_id: str) -> StoredObject:
        return StoredObject(file_id=file_id, size=self.size, sha256=self.hexdigest())


def copy_hashing(reader: HashingReader, write) -> None:
    """Copy everything ``reader`` yields into ``write`` one chunk at a time."""
    while chunk := reader.read(CHUNK_SIZE):
        write(chunk)


def new_file_id(now: datetime | None = None) -> str:
    """A fresh key; the month prefix keeps directories and listings small."""
    now = now or datetime.now(UTC)
    return f"{now:%Y/%m}/{uuid.uuid4().hex}"


def check_file_id(file_id: str) -> str:
    if not isinstance(file_id, str) or not FILE_ID_PATTERN.fullmatch(file_id):
        raise InvalidFileId(str(file_id))
    return file_id


def safe_download_name(filename: str, fallback: str = "download") -> str:
    """The user's filename without directories, control characters or quotes.

    Non-ASCII letters stay: Flask encodes them into ``filename*`` for the browser.
    """
    name = re.split(r"[/\\]", filename or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '"<>:|?*')
    name = name.strip(" .")[:150].strip(" .")
    return name or fallback


def content_disposition(filename: str) -> str:
    """An ``attachment`` header value with an ASCII fallback and an RFC 5987 UTF-8 name."""
    from urllib.parse import quote

    name = safe_download_name(filename)
    ascii_name = name.encode("ascii", "ignore").decode("ascii").strip(" .") or "download"
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header
