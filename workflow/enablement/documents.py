"""Read-side helpers for the ISV's documents a–f: current versions, history, what changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from workflow.enablement.findings import Finding, document_findings
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import Journey
from workflow.models.enablement import (
    DOCUMENT_TITLES,
    DocumentKind,
    DocumentVersion,
    EnablementRequest,
    ReviewStatus,
)

#: Short names for messages: "Upload the signed service agreement (document d) ...".
SHORT_NAMES = {
    DocumentKind.certificate_of_incorporation: _l("certificate of incorporation"),
    DocumentKind.bank_account_proof: _l("proof of bank account"),
    DocumentKind.representative_id: _l("representative's ID"),
    DocumentKind.service_agreement: _l("signed service agreement"),
    DocumentKind.signatory_id: _l("signatory's ID"),
    DocumentKind.authorization_letter: _l("authorization letter"),
}

#: Journey states in which the applicant may edit the request and upload documents.
EDITABLE_STATES = ("enablement_draft", "enablement_changes_requested")
ENABLEMENT_STATES = (*EDITABLE_STATES, "enablement_submitted", "enabled")

#: A document's review status mid-sentence ("which was accepted").
REVIEW_STATUS_WORDS = {
    ReviewStatus.pending: _l("pending"),
    ReviewStatus.accepted: _l("accepted"),
    ReviewStatus.rejected: _l("rejected"),
}

SELLER_FIELDS = {
    "seller_id": _l("seller ID"),
    "shop_name": _l("shop name"),
    "contact_name": _l("contact name"),
    "contact_email": _l("contact e-mail"),
    "reason": _l("reason for needing TOP access"),
}
ISV_FIELDS = {
    "company_name": _l("company name"),
    "registration_number": _l("company registration number"),
    "company_address": _l("registered address"),
    "signatory_name": _l("authorized signatory's name"),
    "contact_name": _l("contact name"),
    "contact_email": _l("contact e-mail"),
}
OPTIONAL_FIELDS = {"contact_phone": _l("contact phone")}


def letter(kind: DocumentKind) -> str:
    return kind.value


def describe(kind: DocumentKind):
    """A document named mid-sentence: "proof of bank account (document b)"."""
    return _l("%(name)s (document %(letter)s)", name=SHORT_NAMES[kind], letter=letter(kind))


def required_fields(journey: Journey) -> dict[str, str]:
    return ISV_FIELDS if journey.account.takes_isv_path else SELLER_FIELDS


def all_fields(journey: Journey) -> dict[str, str]:
    return {**required_fields(journey), **OPTIONAL_FIELDS}


def field_values(request: EnablementRequest | None, fields: Iterable[str]) -> dict[str, str]:
    return {name: (getattr(request, name) if request else "") or "" for name in fields}


def versions_of(journey: Journey) -> list[DocumentVersion]:
    """Every version of every document, oldest first within each kind."""
    loaded = journey.preloaded("document_versions")
    if loaded is not None:
        return list(loaded)
    query = (
        select(DocumentVersion)
        .where(DocumentVersion.journey_id == journey.id)
        .order_by(DocumentVersion.kind, DocumentVersion.version)
    )
    return list(db.session.scalars(query))


def history_by_kind(journey: Journey) -> dict[DocumentKind, list[DocumentVersion]]:
    history: dict[DocumentKind, list[DocumentVersion]] = {kind: [] for kind in DocumentKind}
    for version in versions_of(journey):
        history[version.kind].append(version)
    return history


def previous_version(document: DocumentVersion) -> DocumentVersion | None:
    """The version of the same document uploaded just before ``document``, if any."""
    query = (
        select(DocumentVersion)
        .where(
            DocumentVersion.journey_id == document.journey_id,
            DocumentVersion.kind == document.kind,
            DocumentVersion.version < document.version,
        )
        .order_by(DocumentVersion.version.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def current_documents(journey: Journey) -> dict[DocumentKind, DocumentVersion | None]:
    """The newest version of each document; None where nothing was uploaded yet."""
    return {kind: (vs[-1] if vs else None) for kind, vs in history_by_kind(journey).items()}


def passed_documents(
    journey: Journey, current: dict[DocumentKind, DocumentVersion | None] | None = None
) -> list[DocumentVersion]:
    """Current versions waiting for a decision whose prechecks and findings all passed.

    A warning, an error, OCR still running or a name not found keeps a document out: those
    need the reviewer's eye one by one. ``current`` is :func:`current_documents`, when the
    caller has it already.
    """
    if current is None:
        current = current_documents(journey)
    return [
        document
        for document in current.values()
        if document is not None
        and document.review_status is ReviewStatus.pending
        and all(check.get("level") == "ok" for check in document.prechecks or ())
        and all(finding.level == "ok" for finding in findings_for(document))
    ]


@dataclass(frozen=True)
class DocumentChange:
    kind: DocumentKind
    current: DocumentVersion
    decided: DocumentVersion

    @property
    def message(self):
        return _l(
            "Document %(letter)s (%(name)s): version %(version)s replaces version %(decided)s, "
            "which was %(status)s.",
            letter=letter(self.kind),
            name=SHORT_NAMES[self.kind],
            version=self.current.version,
            decided=self.decided.version,
            status=REVIEW_STATUS_WORDS[self.decided.review_status],
        )


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


def document_changes(journey: Journey) -> list[DocumentChange]:
    """Documents with a newer version than the one a reviewer last decided."""
    changes = []
    for kind, versions in history_by_kind(journey).items():
        decided = [v for v in versions if v.review_status is not ReviewStatus.pending]
        if versions and decided and versions[-1].version > decided[-1].version:
            changes.append(DocumentChange(kind, versions[-1], decided[-1]))
    return changes


def field_changes(journey: Journey) -> list[FieldChange]:
    """Fields whose value differs from the snapshot taken at the last reviewer decision."""
    request = journey.enablement_request
    if request is None or not request.decided_fields:
        return []
    fields = all_fields(journey)
    now = field_values(request, fields)
    before = request.decided_fields
    return [
        FieldChange(label, before.get(name, ""), now[name])
        for name, label in fields.items()
        if before.get(name, "") != now[name]
    ]


def title(kind: DocumentKind) -> str:
    return DOCUMENT_TITLES[kind]


def findings_for(document: DocumentVersion | None) -> list[Finding]:
    """Whether document d or f names the account ID and the signatory, as its text stands."""
    if document is None:
        return []
    journey = db.session.get(Journey, document.journey_id)
    request = journey.enablement_request
    return document_findings(
        document.kind.value,
        text=document.text or "",
        text_source=document.text_source.value if document.text_source else None,
        ocr_status=document.ocr_status.value if document.ocr_status else None,
        ocr_error=document.ocr_error or "",
        account_id=journey.account.taobao_account_id or "",
        signatory_name=request.signatory_name if request else "",
    )
