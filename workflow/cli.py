"""Command-line groups: users, audit, chart; every area's own groups are added here."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from workflow import audit
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.models import Role
from workflow.models.accounts import PEOPLE_ROLES

users_cli = AppGroup("users", help="Manage the desk's users.")
audit_cli = AppGroup("audit", help="Check the hash-chained event log.")
chart_cli = AppGroup("chart", help="The journey state chart.")


@chart_cli.command("svg")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@click.option("--state", default="enablement_draft", show_default=True, help="State to highlight.")
def chart_svg_command(output, state):
    """Write the chart as SVG, as the journey page draws it."""
    from workflow.journeys.diagram import chart_svg

    with open(output, "wb") as fh:
        fh.write(chart_svg(state))
    click.echo(f"wrote {output}")


@users_cli.command("invite")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in PEOPLE_ROLES]),
    default=Role.reviewer.value,
    show_default=True,
)
@click.option("--account", "taobao_account_id", default="", help="Taobao account ID (applicants).")
@click.option("--name", default="", help="Display name.")
def invite_user_command(email, role, taobao_account_id, name):
    """Invite a user by mail, for example: flask users invite --role admin EMAIL

    The invitee chooses their password through the mailed link; `flask worker` sends it.
    """
    from workflow.admin.operations import invite_user

    try:
        user = invite_user(None, email, Role(role), name=name, taobao_account_id=taobao_account_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"invited {user.role.value} {user.email}: the invitation is queued for mail")


@audit_cli.command("verify")
def verify_command():
    """Recompute the event chain, then replay it against the rows; name the first problem."""
    from workflow.replay import replay_log

    report = audit.verify_chain()
    if not report.ok:
        where = f"event {report.broken_event_id}" if report.broken_event_id else "chain head"
        click.echo(f"broken at {where}: {report.reason} ({report.checked} events verified before)")
        click.echo("replay skipped: the log itself does not hold")
        raise SystemExit(1)
    click.echo(f"ok {report.checked} events")
    replay = replay_log()
    if replay.ok:
        counts = ", ".join(f"{n} {table}" for table, n in replay.rows.items())
        click.echo(f"replay ok: {counts}")
        return
    click.echo(f"replay differs at {replay.first} ({replay.difference_count} difference(s))")
    raise SystemExit(1)


def register_cli(app: Flask) -> None:
    from top.cli import top_group
    from workflow.demo import demo_cli
    from workflow.jobs.cli import jobs_cli, worker_command
    from workflow.mail.cli import outbox_cli
    from workflow.notifications.cli import reminders_cli
    from workflow.packets.cli import packets_cli
    from workflow.reports.cli import reports_cli
    from workflow.retention_cli import retention_cli
    from workflow.storage_cli import storage_cli

    groups = (users_cli, audit_cli, outbox_cli, chart_cli, demo_cli, packets_cli, storage_cli,
              retention_cli, reports_cli)  # fmt: skip
    for group in (*groups, reminders_cli, jobs_cli, worker_command, top_group):
        app.cli.add_command(group)
