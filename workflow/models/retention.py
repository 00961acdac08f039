"""How long the desk keeps files and mail, and what it deleted when they expired."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.extensions import db
from workflow.i18n import _l
from workflow.models.base import UTCDateTime, utcnow


class RetentionKind(enum.StrEnum):
    """The kinds of record an admin sets a retention period for."""

    documents = "documents"
    evidence = "evidence"
    packets = "packets"
    mail = "mail"


RETENTION_TITLES = {
    RetentionKind.documents: _l("Documents (company documents, MRD, PRD and plan uploads)"),
    RetentionKind.evidence: _l("Checker evidence"),
    RetentionKind.packets: _l("Submission packets"),
    RetentionKind.mail: _l("Mail in the outbox (sent messages)"),
}


class RetentionRule(db.Model):
    """Keep records of ``kind`` for ``days`` after their journey ended; no row keeps them."""

    __tablename__ = "retention_rules"

    kind: Mapped[RetentionKind] = mapped_column(
        Enum(RetentionKind, native_enum=False, length=20, validate_strings=True),
        primary_key=True,
    )
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DeletedFile(db.Model):
    """A file (or a mail's content) deleted under a retention rule.

    The row it came from keeps its SHA-256 and loses its ``file_id``; this row says when and
    under which period, and the chained event that records it (``DecisionKind.files_deleted``)
    names it, so ``flask audit verify`` notices a deletion record altered afterwards.
    """

    __tablename__ = "deleted_files"
    __table_args__ = (
        UniqueConstraint("source_table", "source_id", name="uq_deleted_files_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id"), index=True)
    kind: Mapped[RetentionKind] = mapped_column(
        Enum(RetentionKind, native_enum=False, length=20, validate_strings=True)
    )
    #: The table and id of the row that held the file: document_versions, stage_forms, …
    source_table: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int] = mapped_column(Integer)
    #: What the row said the file was; the row keeps it too.
    sha256: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300))
    days: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
