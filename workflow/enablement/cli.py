"""``flask storage check``: compare every stored-file reference with the storage backend."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from storage import check_consistency
from workflow.extensions import db
from workflow.models.apps import Evidence, Packet, SellerList, StageForm
from workflow.models.enablement import DocumentVersion
from workflow.storage_setup import get_storage

storage_cli = AppGroup("storage", help="Check stored files against the database.")

#: Every model whose rows point at a stored object by ``file_id`` and record its ``sha256``.
FILE_TABLES = (DocumentVersion, Evidence, StageForm, SellerList, Packet)


def referenced_files() -> dict[str, str]:
    """``{file_id: sha256}`` over every table that references stored objects."""
    referenced: dict[str, str] = {}
    for model in FILE_TABLES:
        query = select(model.file_id, model.sha256).where(model.file_id.is_not(None))
        for file_id, sha256 in db.session.execute(query):
            referenced[file_id] = sha256 or ""
    return referenced


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
