"""Mail to be delivered, written in the same transaction as the change it reports.

The row is the message itself; a ``mail`` job (``workflow.models.jobs``) delivers it and keeps
the bookkeeping of attempts, backoff and claims.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.extensions import db
from workflow.models.base import UTCDateTime, utcnow
from workflow.models.jobs import Job, JobStatus


class OutboxStatus(enum.StrEnum):
    """How a message's delivery job reads to people who think in mail."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    #: Gave up after the last retry; an operator can requeue it.
    failed = "failed"
    #: An attempt reached SMTP but its outcome was never recorded (the database or the worker
    #: failed right then), so the server may have it. It is not sent again by itself; an
    #: operator who finds it missing at the receiving side requeues it.
    unconfirmed = "unconfirmed"

    @classmethod
    def of(cls, status: JobStatus) -> OutboxStatus:
        return _MAIL_STATUS[status]


_MAIL_STATUS = {
    JobStatus.pending: OutboxStatus.pending,
    JobStatus.running: OutboxStatus.sending,
    JobStatus.done: OutboxStatus.sent,
    JobStatus.failed: OutboxStatus.failed,
}


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
    #: The ``mail`` job that delivers this message.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    delivery: Mapped[Job | None] = relationship()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set in the transaction that marks the delivery job done.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The claim (job claim token) that committed "about to send" before talking to SMTP;
    #: cleared again when SMTP refused the message. A later claim that finds another claim's
    #: mark, and no ``sent_at``, cannot know whether SMTP accepted it, so it never resends.
    sending_claim: Mapped[str | None] = mapped_column(String(32))
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the retention job emptied the message (its address, subject and body).
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def purge(self, now: datetime) -> None:
        """Empty the message (address, subject, body, attachment); a message not yet sent is
        then never sent (``DeliverMail`` skips it)."""
        self.to_addr, self.subject, self.body = "", "", ""
        self.attachment_file_id, self.attachment_name = None, None
        self.purged_at = self.purged_at or now

    @property
    def is_unconfirmed(self) -> bool:
        failed = self.delivery is not None and self.delivery.status is JobStatus.failed
        return failed and self.sending_claim is not None and self.sent_at is None

    @property
    def status(self) -> OutboxStatus:
        if self.is_unconfirmed:
            return OutboxStatus.unconfirmed
        return OutboxStatus.of(self.delivery.status) if self.delivery else OutboxStatus.pending
