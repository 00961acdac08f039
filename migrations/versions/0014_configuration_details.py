"""configuration before distribution: the TOP console confirmed, and what exactly Tmall Global
requires of the security-center and cloud configurations, with what the applicant configured

Revision ID: 0014
Revises: 0013

APPs from before this keep empty details: their requirements and confirmations stand as made.
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_TEXTS = (
    'security_config_details',
    'cloud_config_details',
    'security_config_confirmation',
    'cloud_config_confirmation',
)


def upgrade():
    with op.batch_alter_table('apps', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('console_configured_at', sa.DateTime(timezone=True), nullable=True)
        )
        for name in _TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('apps', schema=None) as batch_op:
        for name in reversed(_TEXTS):
            batch_op.drop_column(name)
        batch_op.drop_column('console_configured_at')
