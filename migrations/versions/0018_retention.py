"""retention: how long files and mail are kept, and a record of each file deleted

Revision ID: 0018
Revises: 0017

A document version and a packet may now lose their file (``file_id`` becomes NULL) while
the row keeps its SHA-256; ``deleted_files`` says when and under which period. Sent mail may
be emptied (``outbox.purged_at``). No rule exists until an admin sets one, so nothing
changes for existing rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

KINDS = ("documents", "evidence", "packets", "mail")


def upgrade():
    op.create_table(
        "retention_rules",
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="retentionkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_retention_rules_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_retention_rules")),
    )
    op.create_table(
        "deleted_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="retentionkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("source_table", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"], ["journeys.id"], name=op.f("fk_deleted_files_journey_id_journeys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deleted_files")),
        sa.UniqueConstraint("source_table", "source_id", name="uq_deleted_files_source"),
    )
    with op.batch_alter_table("deleted_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deleted_files_journey_id"), ["journey_id"], unique=False
        )
    for table in ("document_versions", "packets"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("file_id", existing_type=sa.String(length=200), nullable=True)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    # A row whose file is gone cannot go back to a schema that requires one.
    for table in ("document_versions", "packets"):
        gone = op.get_bind().scalar(sa.text(f"SELECT count(*) FROM {table} WHERE file_id IS NULL"))
        if gone:
            raise RuntimeError(
                f"{gone} rows of {table} lost their file under retention; "
                "the schema before 0018 cannot hold them"
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("file_id", existing_type=sa.String(length=200), nullable=False)
    with op.batch_alter_table("deleted_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deleted_files_journey_id"))
    op.drop_table("deleted_files")
    op.drop_table("retention_rules")
