"""a message is marked as being sent before SMTP, by the claim that sends it

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sending_claim', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('sending_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('sending_at')
        batch_op.drop_column('sending_claim')
