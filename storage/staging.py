"""Uploads written once: the request's file parts go straight to where storage keeps objects.

Werkzeug spools each uploaded part to a temporary file, and saving it copied the bytes a second
time. A backend that can keep a file where it lands (the filesystem backend) hands the form
parser a :class:`StagedFile` in its own directory instead: the parser writes the part there and
the bytes are hashed as they go by. Checks then read it like any uploaded file, and saving it
renames it into place, with the size and SHA-256 already known.

A staged file that is never saved (a refused type, a file too large, a form with errors, a
request that broke off half-way) is deleted when it is closed, which the request does when it
ends, or when it is garbage-collected, whichever comes first.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import weakref
from pathlib import Path


def _discard(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class StagedFile:
    """A readable, writable, seekable file in a storage directory, hashed while it is written.

    It behaves as the open file it wraps (``read``, ``seek``, ``tell``, ``fileno`` ...), so
    upload checks and form parsers treat it as any spooled upload.
    """

    def __init__(self, directory: Path, prefix: str, owner: object) -> None:
        #: The storage that made it, and the only one that may keep it without a copy.
        self.owner = owner
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=prefix)
        self.path = Path(name)
        self._file = os.fdopen(fd, "w+b")
        self._hash = hashlib.sha256()
        #: Bytes hashed from the start of the file; None once a write breaks the sequence.
        self._hashed: int | None = 0
        self.adopted = False
        self._discard = weakref.finalize(self, _discard, name)

    def write(self, data: bytes) -> int:
        if self._hashed is not None and self._file.tell() == self._hashed:
            self._hash.update(data)
            self._hashed += len(data)
        else:
            self._hashed = None  # a write elsewhere than the end: hash the file when it is saved
        return self._file.write(data)

    def digest(self) -> tuple[int, str] | None:
        """``(size, sha256)`` of the whole file when its writes were hashed, else None."""
        self._file.flush()
        size = os.fstat(self._file.fileno()).st_size
        if self._hashed != size:
            return None
        return size, self._hash.hexdigest()

    def moved_to(self, path: Path) -> None:
        """The file now lives at ``path`` as a stored object: closing it no longer deletes it."""
        self.path = path
        self.adopted = True
        self._discard.detach()

    def close(self) -> None:
        self._file.close()
        if not self.adopted:
            self._discard()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def __getattr__(self, name: str):
        return getattr(self._file, name)

    def __iter__(self):
        return iter(self._file)

    def __enter__(self) -> StagedFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
