"""The durable job queue: enqueue in the caller's transaction, claim with a lease, requeue.

A claim is one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id``, so on
PostgreSQL two workers never take the same row, and the statement count does not grow with the
batch. SQLite has one writer at a time (every transaction begins ``IMMEDIATE``), which gives the
same guarantee.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from workflow.extensions import db
from workflow.jobs.registry import JobRegistry, app_registry
from workflow.models import Job, JobStatus
from workflow.models.base import utcnow

#: How long a claim holds. A worker that died (or hangs) loses its jobs after this long.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    """One job taken by one worker; ``token`` proves the claim is still this worker's."""

    job_id: int
    token: str
    kind: str = ""


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling each time, never more than an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_after: datetime | None = None,
    dedupe_key: str | None = None,
) -> Job:
    """Add a job in the caller's transaction (flush, never commit).

    If the caller's transaction rolls back, the job was never queued. With ``dedupe_key``, a
    second call for the same key returns the job already queued.
    """
    if dedupe_key is not None:
        existing = db.session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    spec = app_registry().get(kind)
    job = Job(
        kind=kind,
        payload=payload or {},
        max_attempts=spec.max_attempts,
        run_after=run_after or utcnow(),
        dedupe_key=dedupe_key,
    )
    db.session.add(job)
    db.session.flush()
    return job


def period_start(every: timedelta, now: datetime) -> datetime:
    """The start of the period of length ``every`` that holds ``now``, counted from the epoch."""
    epoch = datetime(1970, 1, 1, tzinfo=now.tzinfo)
    return now - (now - epoch) % every


def schedule_periodic(
    registry: JobRegistry, kinds: Collection[str] | None = None, *, now: datetime | None = None
) -> list[Job]:
    """Queue the current period's job of each periodic kind (of ``kinds``), and commit.

    The period's start is in the job's dedupe key, so every worker, each round, asks for the
    same job and one exists; a worker that loses the race to insert it finds it on the next
    round. The job's own handler decides what the period owes (reminders keep their own
    record of what went out), so a period whose job failed is not made up later.
    """
    now = now or utcnow()
    queued = []
    for kind in registry.periodic(kinds):
        start = period_start(kind.every, now)
        key = f"{kind.name}:{start.isoformat()}"
        if db.session.scalar(select(Job.id).where(Job.dedupe_key == key)) is not None:
            continue
        job = Job(
            kind=kind.name,
            payload={"period": start.isoformat()},
            max_attempts=kind.max_attempts,
            run_after=start,
            dedupe_key=key,
        )
        db.session.add(job)
        try:
            db.session.commit()
        except IntegrityError:  # another worker queued it a moment ago
            db.session.rollback()
            continue
        queued.append(job)
    if not queued:
        db.session.rollback()  # end the read-only transaction (no SQLite lock is kept)
    return queued


def _due(now: datetime):
    return or_(
        and_(Job.status == JobStatus.pending, Job.run_after <= now),
        and_(Job.status == JobStatus.running, Job.leased_until <= now),
    )


def claim_due(
    kinds: Collection[str],
    *,
    limit: int = 50,
    lease: timedelta = LEASE,
    now: datetime | None = None,
) -> list[Claim]:
    """Take up to ``limit`` due jobs of ``kinds`` for this worker and commit the claim.

    Due means pending with ``run_after`` passed, or running with its lease run out (its
    worker died). A job that ran out of attempts that way is failed instead of claimed.
    """
    now = now or utcnow()
    if not kinds:
        return []
    _fail_abandoned(kinds, now)
    token = uuid.uuid4().hex
    chosen = (
        select(Job.id)
        .where(_due(now), Job.kind.in_(kinds))
        .order_by(Job.run_after, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.execute(
        update(Job)
        .where(Job.id.in_(chosen.scalar_subquery()))
        .values(
            status=JobStatus.running,
            attempts=Job.attempts + 1,
            leased_until=now + lease,
            claim_token=token,
        )
        .returning(Job.id, Job.kind)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return [Claim(job_id, token, kind) for job_id, kind in sorted(claimed)]


def _fail_abandoned(kinds: Collection[str], now: datetime) -> None:
    db.session.execute(
        update(Job)
        .where(
            Job.status == JobStatus.running,
            Job.leased_until <= now,
            Job.attempts >= Job.max_attempts,
            Job.kind.in_(kinds),
        )
        .values(
            status=JobStatus.failed,
            finished_at=now,
            leased_until=None,
            claim_token=None,
            last_error="its worker stopped before finishing, on every attempt",
        )
        .execution_options(synchronize_session=False)
    )


def settle(claim: Claim, **values: Any) -> bool:
    """Record the outcome of a claim, if the claim is still ours; False if it was lost."""
    result = db.session.execute(
        update(Job)
        .where(
            Job.id == claim.job_id,
            Job.claim_token == claim.token,
            Job.status == JobStatus.running,
        )
        .values(leased_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release(claim: Claim, *, now: datetime | None = None) -> bool:
    """Give a claimed job back untouched (flush, never commit): due at once, and the attempt
    its claim counted is handed back, because the job itself never failed."""
    return settle(
        claim, status=JobStatus.pending, attempts=Job.attempts - 1, run_after=now or utcnow()
    )


def requeue(job_ids: Collection[int] | None = None, *, kind: str | None = None) -> int:
    """Put failed jobs back in the queue with a fresh set of attempts (flush, never commit).

    ``job_ids=None`` means every failed job (of ``kind``, if given); an empty list means none.
    """
    stmt = select(Job).where(Job.status == JobStatus.failed)
    if job_ids is not None:
        stmt = stmt.where(Job.id.in_(list(job_ids)))
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    jobs = list(db.session.scalars(stmt))
    now = utcnow()
    for job in jobs:
        job.status, job.attempts, job.run_after = JobStatus.pending, 0, now
        job.finished_at = None
    db.session.flush()
    return len(jobs)


def oldest_due_at(now: datetime | None = None) -> datetime | None:
    """Since when the longest-waiting due job has been due, or None when nothing is due."""
    now = now or utcnow()
    pending = db.session.scalar(
        select(func.min(Job.run_after)).where(Job.status == JobStatus.pending, Job.run_after <= now)
    )
    abandoned = db.session.scalar(
        select(func.min(Job.leased_until)).where(
            Job.status == JobStatus.running, Job.leased_until <= now
        )
    )
    moments = [m for m in (pending, abandoned) if m is not None]
    return min(moments) if moments else None


def count_by_status(kind: str | None = None) -> dict[JobStatus, int]:
    stmt = select(Job.status, func.count()).group_by(Job.status)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    return dict(db.session.execute(stmt).all())
