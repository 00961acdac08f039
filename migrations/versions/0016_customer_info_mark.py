"""a reviewer's mark that a requested API is a customer-information API (guide §3.5)

Revision ID: 0016
Revises: 0015

Requests made before this carry no mark: the catalogue setting alone says which are
customer-information APIs, as it did.
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_requests', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'is_customer_info_marked', sa.Boolean(), nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade():
    with op.batch_alter_table('api_requests', schema=None) as batch_op:
        batch_op.drop_column('is_customer_info_marked')
