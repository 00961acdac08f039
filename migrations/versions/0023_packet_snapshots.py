"""packets out of the request: the frozen inputs each submission's packet is rendered from

Revision ID: 0023
Revises: 0022

A submission now freezes its packet's inputs into ``packet_snapshots`` and its event records
their digest; ``flask worker`` renders the PDF later and links the row to its ``packets`` row.
Packets made before this revision have no snapshot and keep verifying as they did. Retention
empties a snapshot's inputs with its packet's file (``emptied_at``); the chain keeps the digest.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "packet_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("renderer_digest", sa.String(length=64), nullable=False),
        sa.Column("packet_id", sa.Integer(), nullable=True),
        sa.Column("rendered_event_id", sa.Integer(), nullable=True),
        sa.Column("emptied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"], ["journeys.id"], name=op.f("fk_packet_snapshots_journey_id_journeys")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_packet_snapshots_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["packet_id"], ["packets.id"], name=op.f("fk_packet_snapshots_packet_id_packets")
        ),
        sa.ForeignKeyConstraint(
            ["rendered_event_id"],
            ["events.id"],
            name=op.f("fk_packet_snapshots_rendered_event_id_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packet_snapshots")),
        sa.UniqueConstraint("event_id", name=op.f("uq_packet_snapshots_event_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_packet_snapshots_reference")),
    )
    op.create_index(
        op.f("ix_packet_snapshots_journey_id"), "packet_snapshots", ["journey_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_packet_snapshots_journey_id"), table_name="packet_snapshots")
    op.drop_table("packet_snapshots")
