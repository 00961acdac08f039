"""what each user wants mailed; the periodic notices already sent, one row per item and period

Revision ID: 0020
Revises: 0019

Existing users have no preference row and so get every notice, as before. No reminder was
ever sent, so the table starts empty.
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

NOTICES = ('receipt', 'reminder', 'assignment', 'digest', 'escalation')


def upgrade():
    op.create_table(
        'notification_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true())
            for name in NOTICES
        ),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users')
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences')),
    )
    op.create_table(
        'sent_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('journey_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('mails', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['journey_id'], ['journeys.id'], name=op.f('fk_sent_reminders_journey_id_journeys')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_sent_reminders_user_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminders')),
        sa.UniqueConstraint('key', name=op.f('uq_sent_reminders_key')),
    )
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_sent_reminders_journey_id'), ['journey_id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_sent_reminders_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminders_user_id'))
        batch_op.drop_index(batch_op.f('ix_sent_reminders_journey_id'))
    op.drop_table('sent_reminders')
    op.drop_table('notification_preferences')
