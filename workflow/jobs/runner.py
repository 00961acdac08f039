"""Run claimed jobs: each handler's database work commits together with marking it done.

Outcomes: ``done``; ``retried`` (the handler raised; the job waits out its backoff); ``failed``
(that was the last attempt, or the handler gave up); ``deferred`` (the outside service the
handler needs is down: the job is handed back without spending an attempt); ``lost`` (the claim
ran out and another worker holds the job now, or the database failed while recording the
outcome; the job runs again later, and a handler with an effect outside the database must guard
against repeating it, as mail does).

When the database goes away in the middle of a claim, the error reaches the caller, unless the
caller passes ``wait_for_database``: then the same claim is tried again, by the same worker,
once that returns (the worker backs off in it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from workflow.extensions import db
from workflow.jobs.faults import GiveUp, ServiceUnavailable, describe, is_database_outage
from workflow.jobs.queue import Claim, backoff, claim_due, release, settle
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
    deferred: int = 0
    #: Kinds whose outside service was down in this round, with what the handler said.
    unavailable: dict[str, ServiceUnavailable] = field(default_factory=dict)
    #: Kinds that finished at least one job in this round (their service works).
    succeeded: set[str] = field(default_factory=set)

    @property
    def claimed(self) -> int:
        return self.done + self.retried + self.failed + self.lost + self.deferred

    def __bool__(self) -> bool:
        return self.claimed > 0

    def __str__(self) -> str:
        text = f"done {self.done}, retrying {self.retried}, failed {self.failed}"
        text += f", waiting for a service {self.deferred}" if self.deferred else ""
        return text + (f", lost {self.lost}" if self.lost else "")


def run_due(
    registry: JobRegistry | None = None,
    *,
    kinds: Collection[str] | None = None,
    limit: int = 50,
    wait_for_database: Callable[[BaseException], None] | None = None,
) -> RunResult:
    """Claim up to ``limit`` due jobs of the registered kinds (or of ``kinds``) and run them.

    Once a kind's service turns out to be down, the rest of its claims are handed back unrun.
    """
    registry = registry or app_registry()
    names = [name for name in registry.names() if kinds is None or name in kinds]
    result = RunResult()
    for claim in claim_due(names, limit=limit):
        if claim.kind in result.unavailable:
            _hand_back(claim, wait_for_database)
            outcome = "deferred"
        else:
            outcome = _run_holding_claim(claim, registry, result, wait_for_database)
        setattr(result, outcome, getattr(result, outcome) + 1)
        if outcome == "done":
            result.succeeded.add(claim.kind)
    return result


def _run_holding_claim(claim, registry, result, wait_for_database) -> str:
    while True:
        try:
            return run_claimed(claim, registry, unavailable=result.unavailable)
        except Exception as exc:
            if wait_for_database is None or not is_database_outage(exc):
                raise
            reset_session()
            wait_for_database(exc)  # returns when it is time to try the same claim again


def _hand_back(claim: Claim, wait_for_database) -> None:
    while True:
        try:
            release(claim)
            db.session.commit()
            return
        except Exception as exc:
            reset_session()
            if wait_for_database is None or not is_database_outage(exc):
                raise
            wait_for_database(exc)


def reset_session() -> None:
    """End the session's transaction even when its connection is gone (the pool replaces it)."""
    try:
        db.session.rollback()
    except Exception:
        db.session.close()


def run_claimed(
    claim: Claim,
    registry: JobRegistry,
    *,
    unavailable: dict[str, ServiceUnavailable] | None = None,
) -> str:
    """Run one claimed job and record its outcome.

    An error that says the database is away propagates (after a rollback) with the claim still
    held, so the caller can try the same claim again when the database is back.
    """
    job = db.session.get(Job, claim.job_id)
    if job is None or job.claim_token != claim.token or job.status is not JobStatus.running:
        db.session.rollback()
        return "lost"
    kind, label, attempt = registry.get(job.kind), f"job {job.id} ({job.kind})", job.attempts
    try:
        kind.handler(job)
        db.session.flush()
    except ServiceUnavailable as exc:
        db.session.rollback()
        if unavailable is not None:
            unavailable.setdefault(kind.name, exc)
        release(claim)
        db.session.commit()
        return "deferred"
    except Exception as exc:  # any failure is recorded and retried; the job is not lost
        db.session.rollback()
        if is_database_outage(exc):
            raise
        log.warning("%s failed on attempt %s: %s", label, attempt, describe(exc))
        return _record_failure(claim, exc, final=isinstance(exc, GiveUp))
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
    except Exception as exc:
        reset_session()
        log.warning(
            "%s had its effect, but recording it as done failed (%s); it is recorded when the "
            "same claim runs again, or claimed anew when the claim runs out, and its handler "
            "decides whether an effect outside the database may repeat",
            label,
            describe(exc),
        )
        if is_database_outage(exc):
            raise
        return "lost"
    return "done"


def _record_failure(claim: Claim, exc: Exception, *, final: bool = False) -> str:
    job = db.session.get(Job, claim.job_id)
    if job is None:
        return "lost"
    error = (str(exc) if final else f"{type(exc).__name__}: {exc}")[:1000]
    now = utcnow()
    if final or job.attempts >= job.max_attempts:
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
