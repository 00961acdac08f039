"""the REST API: personal tokens, stored idempotent answers, and "via API" on events

Revision ID: 0025
Revises: 0024

``api_tokens`` keeps each personal token's SHA-256 and a short visible prefix, never the token.
``api_idempotent_responses`` keeps the answer an API write gave under an ``Idempotency-Key``.
``events.via`` says how the actor came ("api" for a token, "" for the pages); events written
from now on are hashed with version 3, which covers it. Older rows keep their version.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scopes", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "api_idempotent_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("etag", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_idempotent_responses_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotent_responses")),
        sa.UniqueConstraint("user_id", "key", name="uq_api_idempotent_responses_user_id_key"),
    )
    op.create_index(
        "ix_api_idempotent_responses_created_at",
        "api_idempotent_responses",
        ["created_at"],
        unique=False,
    )
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("via", sa.String(length=8), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("events") as batch:
        batch.drop_column("via")
    op.drop_index("ix_api_idempotent_responses_created_at", table_name="api_idempotent_responses")
    op.drop_table("api_idempotent_responses")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
