"""Mail waiting to be delivered, written in the same transaction as the change it reports."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.extensions import db
from workflow.models.base import UTCDateTime, utcnow


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    #: Gave up after the last retry; an operator can requeue it.
    failed = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable across retries so a receiving server can drop a duplicate.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    journey_id: Mapped[int | None] = mapped_column(ForeignKey("journeys.id"), index=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: Storage id of an attached file (a packet), if any.
    attachment_file_id: Mapped[str | None] = mapped_column(String(200))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=16), default=OutboxStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
