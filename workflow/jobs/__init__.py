"""The durable job queue shared by every kind of background work (mail first)."""

from workflow.jobs.queue import (
    LEASE,
    Claim,
    backoff,
    claim_due,
    count_by_status,
    enqueue,
    oldest_due_at,
    requeue,
)
from workflow.jobs.registry import JobKind, JobRegistry, UnknownJobKind, app_registry
from workflow.jobs.runner import RunResult, outside_transaction, run_claimed, run_due

__all__ = [
    "LEASE",
    "Claim",
    "JobKind",
    "JobRegistry",
    "RunResult",
    "UnknownJobKind",
    "app_registry",
    "backoff",
    "claim_due",
    "count_by_status",
    "enqueue",
    "oldest_due_at",
    "outside_transaction",
    "requeue",
    "run_claimed",
    "run_due",
]
