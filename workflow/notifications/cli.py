"""``flask reminders send``: the periodic notices by hand (``flask worker`` runs them hourly)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from workflow.extensions import db

reminders_cli = AppGroup(
    "reminders", help="Digests, escalations and applicant reminders (hourly in `flask worker`)."
)


@reminders_cli.command("send")
def reminders_send_command():
    """Queue every digest, escalation and reminder owed now, and print what was sent.

    What went out in the current period is not sent again, so running it twice is harmless.
    The outbox delivers the mail (`flask worker`, or `flask outbox send`).
    """
    from workflow.notifications.reminders import send_reminders

    sent = send_reminders()
    db.session.commit()
    for notice in sent:
        click.echo(f"sent {notice}")
    mails = sum(len(n.recipients) for n in sent)
    click.echo(f"{len(sent)} notice(s), {mails} mail(s) queued")
