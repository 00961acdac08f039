"""packets record the renderer that made them

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # Packets made before this revision keep NULL: which renderer made them was not recorded.
    with op.batch_alter_table('packets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renderer_digest', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('packets', schema=None) as batch_op:
        batch_op.drop_column('renderer_digest')
