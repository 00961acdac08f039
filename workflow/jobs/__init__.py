"""The durable job queue shared by every kind of background work (mail first)."""

from workflow.jobs.faults import GiveUp, ServiceUnavailable
from workflow.jobs.queue import (
    LEASE,
    Claim,
    backoff,
    claim_due,
    count_by_status,
    enqueue,
    oldest_due_at,
    period_start,
    requeue,
    schedule_periodic,
)
from workflow.jobs.registry import JobKind, JobRegistry, UnknownJobKind, app_registry
from workflow.jobs.runner import RunResult, outside_transaction, run_claimed, run_due

__all__ = [
    "LEASE",
    "Claim",
    "GiveUp",
    "JobKind",
    "JobRegistry",
    "RunResult",
    "ServiceUnavailable",
    "UnknownJobKind",
    "app_registry",
    "backoff",
    "claim_due",
    "count_by_status",
    "enqueue",
    "oldest_due_at",
    "outside_transaction",
    "period_start",
    "requeue",
    "run_claimed",
    "run_due",
    "schedule_periodic",
]
