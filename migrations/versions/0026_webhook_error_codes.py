"""webhook deliveries keep the desk's own reason for a failure as a code with its parameters

Revision ID: 0026
Revises: 0025

``webhook_deliveries.last_error_code`` and ``last_error_params`` name a failure the desk itself
wrote (the endpoint switched off, an unknown desk key, an address refused by the egress guard),
so the delivery log shows it in the reader's language. ``last_error`` keeps the English, and a
receiver's own answer or a network error stays as text. Older rows have no code and show their
text as stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(sa.Column("last_error_code", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("last_error_params", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_column("last_error_params")
        batch.drop_column("last_error_code")
