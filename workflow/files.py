"""Keep a file and the row that points at it together: the object is written completely
first, and deleted again if recording it fails, so no row ever points at a missing or
half-written object.

Recording can also fail later, when the request commits. Every object saved here is remembered
on the database session until its transaction ends: a commit keeps it, and a rollback of the
outermost transaction, for whatever reason, deletes it, so no object outlives a row that never
committed (``install_rollback_cleanup``, called by ``create_app``).

A COMMIT that fails may still have been applied: the server committed and the answer was lost
with the connection. After a failed commit the hook therefore asks the database, on a fresh
connection, which of the objects a committed row references, and deletes only the others. When
the database cannot answer, it deletes nothing (an object without a row is harmless; a row
without its object is lost evidence) and ``flask storage sweep`` removes what is left once it
is older than any request can run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from flask import current_app
from sqlalchemy import event, select, union_all
from sqlalchemy.orm import Session, SessionTransaction

from storage import FileTooLarge, StoredObject
from workflow.database import reading_only
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models.apps import Evidence, Packet, SellerList, StageForm
from workflow.models.enablement import DocumentVersion
from workflow.storage_setup import get_storage

log = logging.getLogger(__name__)


class StorageUnavailable(DomainError):
    """The storage backend failed; nothing was kept."""

    status_code = 503


def too_large_message(limit: int):
    return _l(
        "The file is larger than the limit of %(size)s MB. Upload a smaller one.",
        size=format(limit / (1024 * 1024), "g"),
    )


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
            _l("The file could not be stored just now, so nothing was saved. Please try again.")
        ) from None
    try:
        yield obj
    except BaseException:
        storage.delete(obj.file_id)
        raise
    db.session.info.setdefault(_UNCOMMITTED, []).append(obj.file_id)


#: Every model whose rows point at a stored object by ``file_id`` and record its ``sha256``.
FILE_TABLES = (DocumentVersion, Evidence, StageForm, SellerList, Packet)


def referenced_files() -> dict[str, str]:
    """``{file_id: sha256}`` over every table that references stored objects."""
    referenced: dict[str, str] = {}
    for model in FILE_TABLES:
        query = select(model.file_id, model.sha256).where(model.file_id.is_not(None))
        for file_id, sha256 in db.session.execute(query):
            referenced[file_id] = sha256 or ""
    return referenced


def committed_references(file_ids: list[str]) -> set[str]:
    """Which of ``file_ids`` a committed row references, asked on a connection of its own."""
    query = union_all(
        *(select(model.file_id).where(model.file_id.in_(file_ids)) for model in FILE_TABLES)
    )
    with reading_only(), db.engine.connect() as connection:
        return set(connection.scalars(query))


#: Session.info keys: ids of objects saved in the session's current transaction, and whether
#: that transaction tried to commit (so a rollback may follow a COMMIT the server applied);
#: ids of objects to delete once the transaction that stopped referencing them commits.
_UNCOMMITTED = "uncommitted_file_ids"
_COMMITTING = "commit_attempted"
_RELEASED = "released_file_ids"


def delete_after_commit(file_id: str) -> None:
    """Delete the object ``file_id`` once the current transaction commits (never before:
    a rollback would leave rows pointing at nothing). If the deletion fails then, the object
    is merely unreferenced, and ``flask storage sweep`` removes it."""
    db.session.info.setdefault(_RELEASED, []).append(file_id)


def install_rollback_cleanup() -> None:
    """Delete a transaction's stored objects when it rolls back; keep them when it commits."""
    if not event.contains(Session, "after_commit", _kept):
        event.listen(Session, "before_commit", _committing)
        event.listen(Session, "after_commit", _kept)
        event.listen(Session, "after_soft_rollback", _rolled_back)


def _committing(session: Session) -> None:
    if session.info.get(_UNCOMMITTED):
        session.info[_COMMITTING] = True


def _kept(session: Session) -> None:
    session.info.pop(_UNCOMMITTED, None)
    session.info.pop(_COMMITTING, None)
    released = session.info.pop(_RELEASED, None)
    if released:
        storage = get_storage()
        for file_id in released:
            try:
                storage.delete(file_id)
            except Exception:  # unreferenced now: storage sweep removes it later
                log.exception("could not delete %s, which no row references any more", file_id)


def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction may still commit the rows
    session.info.pop(_RELEASED, None)  # the rows still reference them
    file_ids = session.info.pop(_UNCOMMITTED, None)
    in_doubt = session.info.pop(_COMMITTING, False)
    if not file_ids:
        return
    if in_doubt:
        file_ids = _unreferenced_after_failed_commit(file_ids)
    storage = get_storage()
    for file_id in file_ids:
        try:
            storage.delete(file_id)
        except Exception:  # storage check reports it as unreferenced; the rollback goes on
            log.exception("could not delete %s after its transaction rolled back", file_id)
        else:
            log.info("deleted %s: the transaction that recorded it rolled back", file_id)


def _unreferenced_after_failed_commit(file_ids: list[str]) -> list[str]:
    try:
        kept = committed_references(file_ids)
    except Exception:
        log.warning(
            "a commit failed and the database cannot say whether it was applied; keeping %s "
            "(flask storage sweep removes them later if no row references them)",
            ", ".join(file_ids),
        )
        return []
    for file_id in sorted(kept):
        log.warning("kept %s: its commit reported a failure, but the row was committed", file_id)
    return [file_id for file_id in file_ids if file_id not in kept]
