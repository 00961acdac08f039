"""Uploads written once: the request's file parts go straight to where storage keeps objects.

Werkzeug spools each uploaded part to a temporary file, and saving it copied the bytes a second
time. A backend that can keep a file where it lands (the filesystem backend) hands the form
parser a :class:`StagedFile` in its own directory instead: the parser writes the part there and
the bytes are hashed as they go by. Checks then read it like any uploaded file, and saving it
renames it into place, with the size and SHA-256 already known.

On the filesystem the staged file becomes the stored object, which is fsynced when it is saved.
While the upload still arrives, the disk writes of what has come so far are started every
``WRITE_BEHIND`` bytes (``sync_file_range(2)``, where the platform has it), so that the fsync
finds little left to wait for.

A staged file that is never saved (a refused type, a file too large, a form with errors, a
request that broke off half-way) is deleted when it is closed, which the request does when it
ends, or when it is garbage-collected, whichever comes first.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import os
import tempfile
import weakref
from collections.abc import Callable
from pathlib import Path

#: How much of a staged file may be written before its disk writes are started.
WRITE_BEHIND = 8 * 1024 * 1024

#: ``SYNC_FILE_RANGE_WRITE``: start writing the range's dirty pages; do not wait for them.
_SYNC_FILE_RANGE_WRITE = 2


def _writeback_starter() -> Callable[[int, int, int], object] | None:
    """``start(fd, offset, length)`` through libc's ``sync_file_range`` (Linux); else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        call = libc.sync_file_range
    except (OSError, AttributeError, TypeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    call.restype = ctypes.c_int

    def start(fd: int, offset: int, length: int) -> object:
        # Only a head start: a failure here leaves the work to the fsync on save.
        return call(fd, offset, length, _SYNC_FILE_RANGE_WRITE)

    return start


start_writeback = _writeback_starter()


def _discard(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class StagedFile:
    """A readable, writable, seekable file in a storage directory, hashed while it is written.

    It behaves as the open file it wraps (``read``, ``seek``, ``tell``, ``fileno`` ...), so
    upload checks and form parsers treat it as any spooled upload.
    """

    def __init__(
        self, directory: Path, prefix: str, owner: object, *, write_behind: bool = False
    ) -> None:
        #: The storage that made it, and the only one that may keep it without a copy.
        self.owner = owner
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=prefix)
        self.path = Path(name)
        self._file = os.fdopen(fd, "w+b")
        self._hash = hashlib.sha256()
        #: Bytes hashed from the start of the file; None once a write breaks the sequence.
        self._hashed: int | None = 0
        #: Whether anything but ``write`` used the file since the last write, which may have
        #: moved its position; until then the position is known to be the end, with no tell().
        self._touched = False
        self.adopted = False
        self._discard = weakref.finalize(self, _discard, name)
        #: Start the disk writes as the file grows (for a file that is kept where it is).
        self._write_behind = write_behind and start_writeback is not None
        self._written_back = 0

    def write(self, data: bytes) -> int:
        if self._hashed is not None and (not self._touched or self._file.tell() == self._hashed):
            self._hash.update(data)
            self._hashed += len(data)
            self._touched = False
        else:
            self._hashed = None  # a write elsewhere than the end: hash the file when it is saved
        written = self._file.write(data)
        if self._write_behind and self._hashed is not None:
            pending = self._hashed - self._written_back
            if pending >= WRITE_BEHIND:
                self._file.flush()
                start_writeback(self._file.fileno(), self._written_back, pending)
                self._written_back = self._hashed
        return written

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
        self._touched = True  # seek, read, truncate ... all come through here
        return getattr(self._file, name)

    def __iter__(self):
        self._touched = True
        return iter(self._file)

    def __enter__(self) -> StagedFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
