"""``flask storage check``: compare every stored-file reference with the storage backend;
``flask storage sweep``: delete old objects that no row references."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from storage import check_consistency, sweep_orphans
from workflow.files import referenced_files
from workflow.models.base import utcnow
from workflow.storage_setup import get_storage

storage_cli = AppGroup("storage", help="Check stored files against the database.")


@storage_cli.command("check")
def check_command():
    """List missing or altered objects and objects no row references; exit 1 if any."""
    report = check_consistency(get_storage(), referenced_files())
    for file_id in report.missing:
        click.echo(f"missing   {file_id}")
    for mismatch in report.mismatched:
        click.echo(
            f"altered   {mismatch.file_id} expected {mismatch.expected_sha256} "
            f"found {mismatch.actual_sha256}"
        )
    for file_id in report.orphans:
        click.echo(f"orphan    {file_id}")
    summary = (
        f"{report.checked} referenced objects checked: {len(report.missing)} missing, "
        f"{len(report.mismatched)} altered, {len(report.orphans)} unreferenced"
    )
    click.echo(("ok " if report.is_consistent else "PROBLEMS ") + summary)
    if not report.is_consistent:
        raise SystemExit(1)


@storage_cli.command("sweep")
@click.option(
    "--older-than-hours",
    type=click.FloatRange(min=1),
    default=24.0,
    show_default=True,
    help="Spare objects younger than this (at least 1 hour, far beyond any request).",
)
def sweep_command(older_than_hours):
    """Delete objects that no row references and that are older than any request can run.

    The rollback hook deletes such objects at once; this removes what it could not (a process
    that died before its commit, a commit whose outcome the database could not confirm).
    """
    older_than = timedelta(hours=older_than_hours)
    swept = sweep_orphans(get_storage(), referenced_files(), older_than=older_than, now=utcnow())
    for file_id in swept:
        click.echo(f"deleted   {file_id}")
    click.echo(f"swept {len(swept)} unreferenced objects older than {older_than_hours:g} h")
