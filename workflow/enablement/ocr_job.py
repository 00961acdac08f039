"""The ``ocr`` job kind: read a scanned document d or f in the background, after its upload.

The upload queues the job in its own transaction and marks the version ``ocr_status=running``;
neither the upload nor the submission waits for it. ``flask worker`` runs it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import current_app

from storage import ObjectNotFound
from workflow import jobs
from workflow.enablement.ocr import OcrFailed, read_document
from workflow.extensions import db
from workflow.models import DocumentVersion, Job, OcrStatus, TextSource
from workflow.storage_setup import get_storage

KIND = "ocr"
#: A missing program or a stuck Tesseract seldom mends itself: three tries, then "failed".
MAX_ATTEMPTS = 3
_FILE_KINDS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg"}


def queue_ocr(document: DocumentVersion) -> Job:
    """Mark ``document`` as being read and queue its job, in the caller's transaction."""
    document.ocr_status = OcrStatus.running
    db.session.flush()
    return jobs.enqueue(KIND, {"document": document.id}, dedupe_key=f"ocr:{document.id}")


def read_scanned_document(job: Job) -> None:
    """OCR the document version ``payload["document"]`` and keep its text on that row.

    Effect rule: nothing outside the database but a temporary copy of the file, removed at
    once. Inside the database, the version's ``text`` and ``ocr_status`` are set once, together
    with marking the job done. A failed attempt raises and is retried; the last one records
    ``ocr_status=failed`` with the reason, so the reviewer is not left waiting.
    """
    document = db.session.get(DocumentVersion, job.payload["document"])
    if document is None or document.ocr_status is not OcrStatus.running:
        return  # deleted with its journey's retention, or already read
    document_id, file_id = document.id, document.file_id
    file_kind = _FILE_KINDS.get(document.content_type, "pdf")
    is_last_attempt = job.attempts >= job.max_attempts
    settings = _settings()
    with jobs.outside_transaction():
        try:
            text, failure = _read(file_id, file_kind, settings), None
        except OcrFailed as exc:
            text, failure = "", exc
    document = db.session.get(DocumentVersion, document_id)
    if failure is not None and not is_last_attempt:
        raise failure
    if failure is not None:
        document.ocr_status, document.ocr_error = OcrStatus.failed, str(failure)
        return
    document.text, document.text_source = text, TextSource.ocr
    document.ocr_status, document.ocr_error = OcrStatus.done, ""


def _settings() -> dict:
    config = current_app.config
    return {
        "languages": config["OCR_LANGUAGES"],
        "timeout": config["OCR_TIMEOUT_SECONDS"],
        "max_pages": config["OCR_MAX_PAGES"],
    }


def _read(file_id: str, file_kind: str, settings: dict) -> str:
    """Copy the stored object to a temporary file (the programs need a path) and read it."""
    with tempfile.TemporaryDirectory(prefix="ocr-source-") as folder:
        path = Path(folder) / f"document.{file_kind}"
        try:
            with get_storage().open(file_id) as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
        except ObjectNotFound:
            raise OcrFailed("the stored file is missing") from None
        return read_document(path, file_kind, **settings)


def ocr_kind() -> jobs.JobKind:
    return jobs.JobKind(KIND, read_scanned_document, max_attempts=MAX_ATTEMPTS)
