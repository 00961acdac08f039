"""Keep a file and the row that points at it together: the object is written completely
first, and deleted again if recording it fails, so no row ever points at a missing or
half-written object."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from flask import current_app

from storage import FileTooLarge, StoredObject
from workflow.errors import DomainError
from workflow.storage_setup import get_storage

log = logging.getLogger(__name__)


class StorageUnavailable(DomainError):
    """The storage backend failed; nothing was kept."""

    status_code = 503


def too_large_message(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    return f"The file is larger than the limit of {megabytes:g} MB. Upload a smaller one."


@contextmanager
def stored(
    stream: BinaryIO, *, content_type: str, limit_uploads: bool = True
) -> Iterator[StoredObject]:
    """Save ``stream``; the ``with`` block records it, and a failure there deletes it again."""
    limit = current_app.config["MAX_UPLOAD_BYTES"] if limit_uploads else None
    storage = get_storage()
    try:
        obj = storage.save(stream, content_type=content_type, max_size=limit)
    except FileTooLarge:
        raise DomainError(too_large_message(limit or 0)) from None
    except Exception:
        log.exception("storing a file failed")
        raise StorageUnavailable(
            "The file could not be stored just now, so nothing was saved. Please try again."
        ) from None
    try:
        yield obj
    except BaseException:
        storage.delete(obj.file_id)
        raise
