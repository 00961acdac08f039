"""Run claimed jobs: each handler's database work commits together with marking it done.

Outcomes: ``done``; ``retried`` (the handler raised; the job waits out its backoff); ``failed``
(that was the last attempt); ``lost`` (the claim ran out and another worker holds the job now,
or the database failed while recording the outcome; the job runs again, and so may repeat its
effect outside the database, which is then logged).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from workflow.extensions import db
from workflow.jobs.queue import Claim, backoff, claim_due, settle
from workflow.jobs.registry import JobRegistry, app_registry
from workflow.models import Job, JobStatus
from workflow.models.base import utcnow

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    done: int = 0
    retried: int = 0
    failed: int = 0
    lost: int = 0

    @property
    def claimed(self) -> int:
        return self.done + self.retried + self.failed + self.lost

    def __bool__(self) -> bool:
        return self.claimed > 0

    def __str__(self) -> str:
        text = f"done {self.done}, retrying {self.retried}, failed {self.failed}"
        return text + (f", lost {self.lost}" if self.lost else "")


def run_due(
    registry: JobRegistry | None = None,
    *,
    kinds: Collection[str] | None = None,
    limit: int = 50,
) -> RunResult:
    """Claim up to ``limit`` due jobs of the registered kinds (or of ``kinds``) and run them."""
    registry = registry or app_registry()
    names = [name for name in registry.names() if kinds is None or name in kinds]
    result = RunResult()
    for claim in claim_due(names, limit=limit):
        outcome = run_claimed(claim, registry)
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def run_claimed(claim: Claim, registry: JobRegistry) -> str:
    job = db.session.get(Job, claim.job_id)
    if job is None or job.claim_token != claim.token or job.status is not JobStatus.running:
        db.session.rollback()
        return "lost"
    kind, label, attempt = registry.get(job.kind), f"job {job.id} ({job.kind})", job.attempts
    try:
        kind.handler(job)
        db.session.flush()
    except Exception as exc:  # any failure is recorded and retried; the job is not lost
        db.session.rollback()
        log.warning("%s failed on attempt %s: %s", label, attempt, exc)
        return _record_failure(claim, exc)
    if not settle(claim, status=JobStatus.done, finished_at=utcnow(), last_error=""):
        db.session.rollback()
        log.warning(
            "%s ran after its claim ran out; its database work is dropped and the worker that "
            "holds it now runs it again, so an effect outside the database may repeat",
            label,
        )
        return "lost"
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception(
            "%s had its effect, but recording it as done failed; it runs again when its claim "
            "runs out, and an effect outside the database (mail, HTTP) will then repeat",
            label,
        )
        return "lost"
    return "done"


def _record_failure(claim: Claim, exc: Exception) -> str:
    job = db.session.get(Job, claim.job_id)
    if job is None:
        return "lost"
    error = f"{type(exc).__name__}: {exc}"[:1000]
    now = utcnow()
    if job.attempts >= job.max_attempts:
        outcome = "failed"
        recorded = settle(claim, status=JobStatus.failed, finished_at=now, last_error=error)
    else:
        outcome = "retried"
        recorded = settle(
            claim,
            status=JobStatus.pending,
            run_after=now + backoff(job.attempts),
            last_error=error,
        )
    db.session.commit()
    db.session.expire_all()
    return outcome if recorded else "lost"


@contextmanager
def outside_transaction() -> Iterator[None]:
    """Hold no transaction (so no SQLite write lock, no row lock) while an effect outside the
    database runs, such as an SMTP conversation; the handler writes its database effects after.

    Reads done before are ended; unflushed writes would be lost, so they are refused.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("write to the database after the outside effect, not before it")
    session.rollback()
    yield
