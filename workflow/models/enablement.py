"""Stage 1: the enablement request and the ISV's documents a–f, every version kept."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from workflow.extensions import db
from workflow.i18n import _l
from workflow.models.accounts import User
from workflow.models.base import UTCDateTime, utcnow
from workflow.models.journeys import Journey


class DocumentKind(enum.StrEnum):
    """The six documents an ISV sends, lettered as in the Tmall Global guide."""

    certificate_of_incorporation = "a"
    bank_account_proof = "b"
    representative_id = "c"
    service_agreement = "d"
    signatory_id = "e"
    authorization_letter = "f"


DOCUMENT_TITLES = {
    DocumentKind.certificate_of_incorporation: _l("Certificate of incorporation"),
    DocumentKind.bank_account_proof: _l("Proof of a valid bank account"),
    DocumentKind.representative_id: _l("Company representative's ID (passport, electronic copy)"),
    DocumentKind.service_agreement: _l(
        "Signed Taobao service agreement naming the taobao account ID"
    ),
    DocumentKind.signatory_id: _l("Authorized signatory's ID (passport, electronic copy)"),
    DocumentKind.authorization_letter: _l("Authorization letter for the signatory"),
}


class ReviewStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class EnablementRequest(db.Model):
    """The stage-1 form: a seller's formal request, or an ISV's company details."""

    __tablename__ = "enablement_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), unique=True)
    # Seller path
    seller_id: Mapped[str] = mapped_column(String(32), default="")
    shop_name: Mapped[str] = mapped_column(String(200), default="")
    # ISV path
    company_name: Mapped[str] = mapped_column(String(200), default="")
    registration_number: Mapped[str] = mapped_column(String(100), default="")
    company_address: Mapped[str] = mapped_column(Text, default="")
    #: Named once; the prechecks look for this name in documents d and f.
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    # Both
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The form's fields as they stood when a reviewer last decided, so a resubmission can
    #: show what the applicant changed since.
    decided_fields: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    journey: Mapped[Journey] = relationship(backref=backref("enablement_request", uselist=False))


class OcrStatus(enum.StrEnum):
    """Reading a scanned document d or f with OCR, in the background after the upload."""

    running = "running"
    done = "done"
    #: Every attempt failed (Tesseract missing, or too slow); the reviewer reads it by eye.
    failed = "failed"


class TextSource(enum.StrEnum):
    """Where a document's searchable text came from."""

    pdf = "pdf"  #: the PDF's own text layer
    ocr = "ocr"  #: Tesseract, reading the rendered pages or the image


class DocumentVersion(db.Model):
    """One uploaded file for one document slot; a new upload adds a version."""

    __tablename__ = "document_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(Enum(DocumentKind, native_enum=False, length=40))
    version: Mapped[int] = mapped_column()
    #: Storage key chosen by the server; never the user's filename.
    #: ``None`` once the file was deleted under retention (``DeletedFile`` says when).
    file_id: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    #: Results of the upload prechecks: [{"code", "level", "message", "key", "params"}]; the
    #: English ``message`` is what rows stored before the key existed have
    #: (``enablement.prechecks.shown``).
    prechecks: Mapped[list] = mapped_column(JSON, default=list)
    #: The text the prechecks search for the account ID and the signatory (documents d and f):
    #: the PDF's text layer, or what OCR read from a scan. Never the image again.
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[TextSource | None] = mapped_column(
        Enum(TextSource, native_enum=False, length=8)
    )
    #: None when no OCR is needed (a text PDF, or a document nobody searches).
    ocr_status: Mapped[OcrStatus | None] = mapped_column(
        Enum(OcrStatus, native_enum=False, length=16)
    )
    ocr_error: Mapped[str] = mapped_column(Text, default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_status: Mapped[ReviewStatus] = mapped_column(
        Enum(ReviewStatus, native_enum=False, length=16), default=ReviewStatus.pending
    )
    #: Shown to the applicant when the document is rejected.
    review_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The reviewer ticked that they saw the taobao account ID in document d themselves, where
    #: neither the text nor OCR found it; recorded with the decision.
    is_account_id_seen: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __table_args__ = (UniqueConstraint("journey_id", "kind", "version"),)

    @property
    def title(self) -> str:
        return DOCUMENT_TITLES[self.kind]
