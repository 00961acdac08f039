"""``flask outbox``: the mail view of the job queue."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workflow.extensions import db
from workflow.models import Job, JobStatus, OutboxMessage, OutboxStatus

outbox_cli = AppGroup("outbox", help="Deliver queued mail (the mail jobs of `flask worker`).")


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--limit", default=50, show_default=True, help="Messages claimed per round.")
def outbox_send_command(loop, interval, limit):
    """Deliver due mail to .eml files or over SMTP, as configured.

    With --loop it is `flask worker --kinds mail`: outages are waited out, never fatal.
    """
    from workflow.jobs import JobRegistry
    from workflow.jobs.cli import serve
    from workflow.mail.delivery import mail_kind

    def describe(result):
        return f"sent {result.done}, retrying {result.retried}, failed {result.failed}"

    registry = JobRegistry([mail_kind()])
    status = serve(
        registry, ["mail"], once=not loop, interval=interval, limit=limit, describe=describe
    )
    if status:
        raise SystemExit(status)


@outbox_cli.command("status")
def outbox_status_command():
    """Count messages by status; list the failed ones with their last error, and the
    unconfirmed ones (SMTP may have them; they are not sent again by themselves)."""
    rows = db.session.execute(
        select(OutboxMessage, Job).join(Job, OutboxMessage.job_id == Job.id)
    ).all()
    counts: dict[OutboxStatus, int] = {}
    for message, _job in rows:
        counts[message.status] = counts.get(message.status, 0) + 1
    click.echo(", ".join(f"{status.value} {counts.get(status, 0)}" for status in OutboxStatus))
    for message, job in sorted(rows, key=lambda row: row[0].id):
        if message.status is OutboxStatus.unconfirmed:
            click.echo(
                f"  unconfirmed #{message.id} {message.message_id} to {message.to_addr}: "
                f"{message.subject} (reached SMTP at {message.sending_at:%Y-%m-%d %H:%M:%S} "
                f"UTC, outcome never recorded; requeue it by id once you know it did not arrive)"
            )
        elif job.status is JobStatus.failed:
            click.echo(
                f"  failed #{message.id} to {message.to_addr}: {message.subject} ({job.last_error})"
            )


@outbox_cli.command("requeue")
@click.argument("message_ids", nargs=-1, type=int)
def outbox_requeue_command(message_ids):
    """Send failed messages again (all failed ones when no id is given; an unconfirmed
    message only when its id is given)."""
    from workflow.mail.delivery import requeue_failed

    count = requeue_failed(message_ids or None)
    db.session.commit()
    click.echo(f"requeued {count}")
