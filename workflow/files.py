"""Keep a file and the row that points at it together: the object is written completely
first, and deleted again if recording it fails, so no row ever points at a missing or
half-written object.

Recording can also fail later, when the request commits. Every object saved here is remembered
on the database session until its transaction ends: a commit keeps it, and a rollback of the
outermost transaction, for whatever reason, deletes it, so no object outlives a row that never
committed (``install_rollback_cleanup``, called by ``create_app``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from storage import FileTooLarge, StoredObject
from workflow.errors import DomainError
from workflow.extensions import db
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
    db.session.info.setdefault(_UNCOMMITTED, []).append(obj.file_id)


#: Session.info key: ids of objects saved in the session's current transaction.
_UNCOMMITTED = "uncommitted_file_ids"


def install_rollback_cleanup() -> None:
    """Delete a transaction's stored objects when it rolls back; keep them when it commits."""
    if not event.contains(Session, "after_commit", _kept):
        event.listen(Session, "after_commit", _kept)
        event.listen(Session, "after_soft_rollback", _rolled_back)


def _kept(session: Session) -> None:
    session.info.pop(_UNCOMMITTED, None)


def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction may still commit the rows
    file_ids = session.info.pop(_UNCOMMITTED, None)
    if not file_ids:
        return
    storage = get_storage()
    for file_id in file_ids:
        try:
            storage.delete(file_id)
        except Exception:  # storage check reports it as unreferenced; the rollback goes on
            log.exception("could not delete %s after its transaction rolled back", file_id)
        else:
            log.info("deleted %s: the transaction that recorded it rolled back", file_id)
