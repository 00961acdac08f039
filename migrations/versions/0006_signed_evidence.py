"""signed evidence and one-time evidence tokens

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evidence_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=16), nullable=False),
        sa.Column('journey_id', sa.Integer(), nullable=False),
        sa.Column(
            'kind',
            sa.Enum('sandbox', 'cloud', name='evidencekind', native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column('app_key', sa.String(length=64), nullable=False),
        sa.Column('key_id', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'], name=op.f('fk_evidence_tokens_created_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['journey_id'], ['journeys.id'], name=op.f('fk_evidence_tokens_journey_id_journeys')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_tokens')),
        sa.UniqueConstraint('public_id', name=op.f('uq_evidence_tokens_public_id')),
    )
    with op.batch_alter_table('evidence_tokens', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_evidence_tokens_journey_id'), ['journey_id'], unique=False
        )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('token_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_evidence_token_id_evidence_tokens'),
            'evidence_tokens',
            ['token_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_evidence_token_id_evidence_tokens'), type_='foreignkey'
        )
        batch_op.drop_column('token_id')
        batch_op.drop_column('key_id')
    with op.batch_alter_table('evidence_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_tokens_journey_id'))
    op.drop_table('evidence_tokens')
