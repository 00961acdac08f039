"""``flask reports trail``: a journey's trail export from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from workflow.extensions import db
from workflow.models import Journey
from workflow.reports.trail_export import trail_lines

reports_cli = AppGroup("reports", help="Exports for audits.")


@reports_cli.command("trail")
@click.argument("journey_id", type=int)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="The file to write (standard output by default).")  # fmt: skip
def trail_command(journey_id: int, output):
    """Write journey JOURNEY_ID's trail as JSON lines (tools/verify_trail.py checks it)."""
    journey = db.session.get(Journey, journey_id)
    if journey is None:
        raise click.ClickException(f"No journey {journey_id}.")
    for line in trail_lines(journey):
        output.write(line)
