"""Stage-1 verbs: save the request, upload a document version, decide on a document.

Operations flush and never commit; the view commits once per request. An uploaded object is
written completely before its row is added, and deleted again if the row cannot be added.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from storage import StoredObject
from workflow import files
from workflow.decisions import decide
from workflow.enablement import prechecks
from workflow.enablement.documents import (
    EDITABLE_STATES,
    all_fields,
    current_documents,
    describe,
    field_values,
    findings_for,
    passed_documents,
)
from workflow.enablement.findings import SEARCHED, account_id_found
from workflow.enablement.ocr_job import queue_ocr
from workflow.errors import ConcurrentChange, DomainError, NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import DecisionKind, Journey, User
from workflow.models.base import utcnow
from workflow.models.enablement import (
    DocumentKind,
    DocumentVersion,
    EnablementRequest,
    ReviewStatus,
    TextSource,
)
from workflow.policy import Action, authorize

log = logging.getLogger(__name__)


# --- guards ----------------------------------------------------------------------------------


def ensure_editable(journey: Journey) -> None:
    if journey.state not in EDITABLE_STATES:
        raise DomainError(
            _l(
                "The enablement request can only be changed while it is a draft or while "
                "changes are requested."
            )
        )


def ensure_deciding(journey: Journey) -> None:
    if journey.state != "enablement_submitted":
        raise DomainError(_l("Documents can only be decided while the request is submitted."))


# --- the request form -----------------------------------------------------------------------


def save_enablement_request(
    journey: Journey, actor: User, data: Mapping[str, str]
) -> EnablementRequest:
    """Store the seller's request or the ISV's company details (only the path's fields)."""
    authorize(actor, Action.edit_enablement_request, journey)
    ensure_editable(journey)
    request = journey.enablement_request or EnablementRequest(journey=journey)
    for name in all_fields(journey):
        if name in data:
            setattr(request, name, (data[name] or "").strip())
    db.session.add(request)
    db.session.flush()
    return request


def snapshot_decided_fields(journey: Journey) -> None:
    """Remember the fields as decided, so the next resubmission can show what changed."""
    request = journey.enablement_request
    if request is not None:
        request.decided_fields = field_values(request, all_fields(journey))


# --- uploads --------------------------------------------------------------------------------


def parse_kind(value: str) -> DocumentKind:
    try:
        return DocumentKind(value)
    except ValueError:
        raise NotFound(_l("No such document slot.")) from None


def upload_document(
    journey: Journey, actor: User, kind: DocumentKind, stream: BinaryIO, filename: str
) -> DocumentVersion:
    """Check, store and record one new version of an ISV document.

    :raises DomainError: the file is empty, too large or not a PDF/PNG/JPEG; nothing is kept.
    """
    authorize(actor, Action.upload_document, journey)
    ensure_editable(journey)
    if not journey.account.takes_isv_path:
        raise DomainError(_l("Only ISV and TP accounts upload enablement documents."))
    file_kind = _check_upload(stream)
    searched = SEARCHED.get(kind.value, ())
    request = journey.enablement_request
    inspection = prechecks.inspect_document(
        stream,
        file_kind,
        taobao_account_id=journey.account.taobao_account_id,
        expect_account_id="account_id" in searched,
        signatory_name=request.signatory_name if request else "",
        expect_signatory="signatory" in searched,
    )
    stream.seek(0)
    with files.stored(stream, content_type=prechecks.mime_type(file_kind)) as obj:
        row = _add_version(journey, actor, kind, obj, filename, file_kind, inspection)
        if inspection.needs_ocr:
            queue_ocr(row)  # never waited for: the reviewer sees "OCR running" until it ends
        return row


def _check_upload(stream: BinaryIO) -> str:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if size == 0:
        raise DomainError(_l("The file is empty. Choose the scanned or exported document again."))
    if size > limit:
        raise DomainError(files.too_large_message(limit))
    file_kind = prechecks.sniff_stream(stream)
    if file_kind is None:
        raise DomainError(
            _l(
                "This file is not a PDF, PNG or JPEG (its contents were checked, not its name). "
                "Export or scan the document to one of those formats."
            )
        )
    return file_kind


def _add_version(
    journey: Journey,
    actor: User,
    kind: DocumentKind,
    stored: StoredObject,
    filename: str,
    file_kind: str,
    inspection: prechecks.Inspection,
) -> DocumentVersion:
    latest = db.session.scalar(
        select(func.max(DocumentVersion.version)).where(
            DocumentVersion.journey_id == journey.id, DocumentVersion.kind == kind
        )
    )
    row = DocumentVersion(
        journey_id=journey.id,
        kind=kind,
        version=(latest or 0) + 1,
        file_id=stored.file_id,
        filename=_clean_filename(filename, file_kind),
        content_type=prechecks.mime_type(file_kind),
        size=stored.size,
        sha256=stored.sha256,
        prechecks=[check.stored() for check in inspection.prechecks],
        text=inspection.text,
        text_source=TextSource.pdf if inspection.text else None,
        uploaded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # Two uploads to the same slot raced for the same version number.
        raise ConcurrentChange(
            _l(
                "Another upload of the %(document)s arrived at the same moment. Reload the page "
                "and check which file is current.",
                document=describe(kind),
            )
        ) from None
    return row


def _clean_filename(filename: str, file_kind: str) -> str:
    from storage import safe_download_name

    extension = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}[file_kind]
    name = safe_download_name(filename or "", fallback=f"document.{extension}")[:200]
    return name


# --- reviewer decisions ------------------------------------------------------------------------


def get_document_for(user: User, document_id: int) -> DocumentVersion:
    """The document if ``user`` may see its journey; anyone else gets 404."""
    document = db.session.get(DocumentVersion, document_id)
    if document is None:
        raise NotFound(_l("No such document."))
    authorize(user, Action.download_document, document)
    return document


def decide_document(
    journey: Journey,
    actor: User,
    document: DocumentVersion,
    decision: str,
    reason: str = "",
    *,
    seen_status: str | None = None,
    account_id_seen: bool = False,
) -> DocumentVersion:
    """Accept or reject the current version of a document.

    The update only applies if the document still has the status the reviewer saw, so two
    reviewers deciding at once cannot overwrite each other unnoticed. Accepting the service
    agreement (d) needs ``account_id_seen`` where neither its text nor OCR found the taobao
    account ID; the tick is recorded with the decision.
    """
    authorize(actor, Action.decide_document, document)
    ensure_deciding(journey)
    status = _decision_status(decision)
    reason = (reason or "").strip()
    if status is ReviewStatus.rejected and not reason:
        raise DomainError(
            _l("Say why the %(document)s is rejected.", document=describe(document.kind))
        )
    _ensure_current(journey, document)
    recorded_reason = reason if status is ReviewStatus.rejected else ""
    seen = _account_id_tick(journey, document, status, account_id_seen)
    decided = (document.review_status, document.review_reason, document.is_account_id_seen)
    if decided == (status, recorded_reason, seen):
        return document  # already decided so: a repeated click records nothing
    expected = _seen_status(seen_status) if seen_status else document.review_status
    result = db.session.execute(
        update(DocumentVersion)
        .where(DocumentVersion.id == document.id, DocumentVersion.review_status == expected)
        .values(
            review_status=status,
            review_reason=recorded_reason,
            is_account_id_seen=seen,
            reviewed_by_id=actor.id,
            reviewed_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConcurrentChange(
            _l("Another reviewer decided this document first."), journey_id=document.journey_id
        )
    db.session.refresh(document)
    about = {"document": document.kind.value, "version": document.version}
    decide(journey, actor, DecisionKind.document, [document], about)
    return document


def accept_passed_documents(
    journey: Journey, actor: User, shown: list[int]
) -> list[DocumentVersion]:
    """Accept, in one action, every document the reviewer was shown as having passed.

    ``shown`` are the versions the page listed. If the set changed since (a new upload, another
    reviewer's decision, OCR finding something), nothing is accepted: the reviewer looks again.
    Each acceptance is its own audited decision, as if made one by one.
    """
    authorize(actor, Action.decide_document, journey)
    ensure_deciding(journey)
    current = current_documents(journey)
    passed = passed_documents(journey, current)
    if not shown:
        raise DomainError(_l("No document is waiting whose prechecks all passed."))
    accepted = {
        document.id
        for document in current.values()
        if document is not None and document.review_status is ReviewStatus.accepted
    }
    if not passed and set(shown) <= accepted:
        return []  # the same action again (a double click): already done, nothing to record
    if sorted(shown) != sorted(document.id for document in passed):
        raise ConcurrentChange(
            _l("The documents changed since the page was loaded: reload it and look again.")
        )
    return [
        decide_document(journey, actor, document, "accept", seen_status="pending")
        for document in passed
    ]


def _account_id_tick(
    journey: Journey, document: DocumentVersion, status: ReviewStatus, ticked: bool
) -> bool:
    """The tick to record: only on accepting d, and required there unless the text shows it."""
    if status is not ReviewStatus.accepted or document.kind is not DocumentKind.service_agreement:
        return False
    findings = findings_for(document)
    if ticked or account_id_found(findings):
        return bool(ticked)
    waiting = any(f.status == "running" for f in findings)
    why = _l("OCR is still reading it") if waiting else _l("neither its text nor OCR found it")
    raise DomainError(
        _l(
            "Tick that you saw taobao account ID %(taobao_id)s in the %(document)s yourself "
            "before accepting it: %(why)s.",
            taobao_id=journey.account.taobao_account_id,
            document=describe(document.kind),
            why=why,
        )
    )


def _seen_status(seen_status: str) -> ReviewStatus:
    try:
        return ReviewStatus(seen_status)
    except ValueError:
        raise DomainError(_l("The page sent a document status that does not exist.")) from None


def _decision_status(decision: str) -> ReviewStatus:
    if decision not in ("accept", "reject"):
        raise DomainError(_l("Choose accept or reject."))
    return ReviewStatus.accepted if decision == "accept" else ReviewStatus.rejected


def _ensure_current(journey: Journey, document: DocumentVersion) -> None:
    if document.journey_id != journey.id:
        raise NotFound(_l("No such document."))
    newest = db.session.scalar(
        select(func.max(DocumentVersion.version)).where(
            DocumentVersion.journey_id == journey.id, DocumentVersion.kind == document.kind
        )
    )
    if document.version != newest:
        raise DomainError(_l("Only the current version of a document can be decided."))
