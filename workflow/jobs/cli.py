"""``flask worker`` runs every job kind; ``flask jobs status|requeue`` for operators."""

from __future__ import annotations

import signal
import threading

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workflow.extensions import db
from workflow.jobs.queue import count_by_status, requeue
from workflow.jobs.registry import app_registry
from workflow.jobs.worker import Worker, log_to_stderr
from workflow.models import Job, JobStatus

jobs_cli = AppGroup("jobs", help="The background job queue.")


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is due now, then stop.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--limit", default=50, show_default=True, help="Jobs claimed per round.")
@click.option("--kinds", default="", help="Comma-separated job kinds (default: all).")
def worker_command(once, interval, limit, kinds):
    """Run due background jobs of every registered kind (mail, …) until stopped.

    Database and SMTP outages are waited out with backoff, logged once each; the worker stops
    only on TERM or INT (after the job at hand).
    """
    registry = app_registry()
    selected = [k.strip() for k in kinds.split(",") if k.strip()] or registry.names()
    unknown = [k for k in selected if k not in registry]
    if unknown:
        raise click.UsageError(
            f"unknown job kind {', '.join(unknown)}; known: {', '.join(registry.names())}"
        )
    status = serve(registry, selected, once=once, interval=interval, limit=limit)
    if status:
        raise SystemExit(status)


def serve(registry, kinds, *, once: bool, interval: float, limit: int, describe=str) -> int:
    """Run a :class:`Worker` as a command does: signals stop it, results are echoed."""
    stop = threading.Event()
    log_to_stderr()
    if not once:
        _stop_on_signals(stop)
        click.echo(f"worker serving {', '.join(kinds)} every {interval:g} s")
    worker = Worker(
        registry,
        kinds,
        interval=interval,
        limit=limit,
        stop=stop,
        report=lambda result: click.echo(describe(result)),
    )
    status = worker.run(once=once)
    if status:
        click.echo(
            "database unavailable; stopped (without --once the worker waits for it)", err=True
        )
    return status


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT finish the job at hand, then stop the loop."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())


@jobs_cli.command("status")
def jobs_status_command():
    """Count jobs by status and show the failed ones with their last error."""
    counts = count_by_status()
    click.echo(", ".join(f"{status.value} {counts.get(status, 0)}" for status in JobStatus))
    failed = db.session.scalars(select(Job).where(Job.status == JobStatus.failed).order_by(Job.id))
    for job in failed:
        click.echo(f"  failed #{job.id} {job.kind} after {job.attempts}: {job.last_error}")


@jobs_cli.command("requeue")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--kind", default=None, help="Only failed jobs of this kind.")
def jobs_requeue_command(job_ids, kind):
    """Run failed jobs again with fresh attempts (all failed ones when no id is given)."""
    count = requeue(job_ids or None, kind=kind)
    db.session.commit()
    click.echo(f"requeued {count}")
