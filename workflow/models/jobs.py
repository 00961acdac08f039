"""Background work waiting to be done, written in the same transaction as the change that asks
for it, and the bookkeeping of who holds it and how often it was tried."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.extensions import db
from workflow.models.base import UTCDateTime, utcnow


class JobStatus(enum.StrEnum):
    #: Waiting for ``run_after``; a failed attempt returns here with a later ``run_after``.
    pending = "pending"
    #: Claimed by a worker until ``leased_until``; after that any worker may claim it again.
    running = "running"
    done = "done"
    #: Gave up after the last attempt; an operator can requeue it.
    failed = "failed"


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The registered kind whose handler runs the job (``workflow.jobs.registry``).
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=16), default=JobStatus.pending
    )
    #: Claims so far, counted when a worker takes the job (so a job that kills its worker
    #: still runs out of attempts).
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    #: Not claimed before this moment: when it was queued, or the retry's backoff.
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The current claim holds until then; a worker that died loses the job at that moment.
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A fresh random token per claim; only its holder can record the outcome.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: At most one job per key (for example ``mail:<outbox id>``), so queuing twice is harmless.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_jobs_due", "status", "run_after"),
        Index("ix_jobs_lease", "status", "leased_until"),
    )

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status.value}>"
