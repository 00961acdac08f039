"""``flask outbox``: the mail view of the job queue."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from workflow.extensions import db
from workflow.models import Job, JobStatus, OutboxMessage, OutboxStatus

outbox_cli = AppGroup("outbox", help="Deliver queued mail (the mail jobs of `flask worker`).")


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between rounds.")
@click.option("--limit", default=50, show_default=True, help="Messages claimed per round.")
def outbox_send_command(loop, interval, limit):
    """Deliver due mail to .eml files or over SMTP, as configured."""
    from workflow.mail.delivery import send_due
    from workflow.mail.transports import transport_from_config

    transport = transport_from_config(current_app.config)
    while True:
        result = send_due(transport, limit=limit)
        if result.sent or result.retried or result.failed or not loop:
            click.echo(f"sent {result.sent}, retrying {result.retried}, failed {result.failed}")
        if not loop:
            return
        time.sleep(interval)


@outbox_cli.command("status")
def outbox_status_command():
    """Count messages by status and show the failed ones with their last error."""
    rows = db.session.execute(
        select(Job.status, func.count())
        .select_from(OutboxMessage)
        .join(Job, OutboxMessage.job_id == Job.id)
        .group_by(Job.status)
    ).all()
    counts = {OutboxStatus.of(status): count for status, count in rows}
    click.echo(", ".join(f"{status.value} {counts.get(status, 0)}" for status in OutboxStatus))
    failed = db.session.execute(
        select(OutboxMessage, Job.last_error)
        .join(Job, OutboxMessage.job_id == Job.id)
        .where(Job.status == JobStatus.failed)
        .order_by(OutboxMessage.id)
    )
    for row, error in failed:
        click.echo(f"  failed #{row.id} to {row.to_addr}: {row.subject} ({error})")


@outbox_cli.command("requeue")
@click.argument("message_ids", nargs=-1, type=int)
def outbox_requeue_command(message_ids):
    """Send failed messages again (all failed ones when no id is given)."""
    from workflow.mail.delivery import requeue_failed

    count = requeue_failed(message_ids or None)
    db.session.commit()
    click.echo(f"requeued {count}")
