"""erasure of a person's data on request: when, and the SHA-256 of the address it replaced

Revision ID: 0019
Revises: 0018

No one was erased before, so both columns start empty.
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_email_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_email_sha256')
        batch_op.drop_column('erased_at')
