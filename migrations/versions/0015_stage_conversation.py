"""a conversation per stage: messages between the applicant and Tmall Global

Revision ID: 0015
Revises: 0014

Each message is also a chained event (``conversation.message``); there are none before this.
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stage_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('journey_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=2), nullable=False),
        sa.Column('state', sa.String(length=40), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('is_from_staff', sa.Boolean(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['journey_id'], ['journeys.id']),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.ForeignKeyConstraint(['event_id'], ['events.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('author_id', 'nonce', name='uq_stage_messages_author_nonce'),
        sa.UniqueConstraint('event_id'),
    )
    op.create_index(
        'ix_stage_messages_journey_stage', 'stage_messages', ['journey_id', 'stage', 'id']
    )


def downgrade():
    op.drop_index('ix_stage_messages_journey_stage', table_name='stage_messages')
    op.drop_table('stage_messages')
