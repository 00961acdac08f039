"""``flask retention run``: delete files and mail past the periods an admin set."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from workflow import retention
from workflow.extensions import db

retention_cli = AppGroup("retention", help="Delete files and mail past their retention period.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="List what is due; delete nothing.")
def run_command(dry_run):
    """Delete what is past its period, record each deletion in its journey's trail."""
    periods = retention.rules()
    if not periods:
        click.echo("no retention period is set: everything is kept (set them on /admin/retention)")
        return
    for kind, rule in sorted(periods.items()):
        click.echo(f"{kind.value:<10} kept {rule.days} days after the journey ended")
    if dry_run:
        items = list(retention.due())
        for item in items:
            journey = f"journey #{item.journey_id}" if item.journey_id else "no journey"
            click.echo(f"due       {item.kind.value:<10} {journey:<14} {item.label}")
        click.echo(f"{len(items)} records due; nothing deleted (dry run)")
        return
    report = retention.apply_retention()
    db.session.commit()  # the objects go once this commits
    for row in report.deleted:
        click.echo(f"deleted   {row.kind.value:<10} journey #{row.journey_id:<5} {row.label}")
    click.echo(report.summary())
