"""a journey may continue a rejected one

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journeys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follows_journey_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_journeys_follows_journey_id'), ['follows_journey_id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_journeys_follows_journey_id_journeys'),
            'journeys',
            ['follows_journey_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('journeys', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_journeys_follows_journey_id_journeys'), type_='foreignkey'
        )
        batch_op.drop_constraint(batch_op.f('uq_journeys_follows_journey_id'), type_='unique')
        batch_op.drop_column('follows_journey_id')
