"""one durable job table; mail delivery becomes the first job kind

Revision ID: 0007
Revises: 0006

Each outbox row gets a ``mail`` job carrying its delivery state (pending, sending with its
lease, sent or failed, with attempts and the last error); the outbox keeps the message.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JOB_STATUS = sa.Enum(
    'pending', 'running', 'done', 'failed', name='jobstatus', native_enum=False, length=16
)
OUTBOX_STATUS = sa.Enum(
    'pending', 'sending', 'sent', 'failed', name='outboxstatus', native_enum=False, length=16
)
#: The outbox's delivery states and the job states that take them over.
MAIL_TO_JOB = {'pending': 'pending', 'sending': 'running', 'sent': 'done', 'failed': 'failed'}
MAIL_MAX_ATTEMPTS = 8

jobs_table = sa.table(
    'jobs',
    sa.column('id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('payload', sa.JSON),
    sa.column('status', sa.String),
    sa.column('attempts', sa.Integer),
    sa.column('max_attempts', sa.Integer),
    sa.column('run_after', sa.DateTime(timezone=True)),
    sa.column('leased_until', sa.DateTime(timezone=True)),
    sa.column('last_error', sa.Text),
    sa.column('dedupe_key', sa.String),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('finished_at', sa.DateTime(timezone=True)),
)

outbox_table = sa.table(
    'outbox',
    sa.column('id', sa.Integer),
    sa.column('status', sa.String),
    sa.column('attempts', sa.Integer),
    sa.column('next_attempt_at', sa.DateTime(timezone=True)),
    sa.column('last_error', sa.Text),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('sent_at', sa.DateTime(timezone=True)),
)


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', JOB_STATUS, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_jobs_dedupe_key'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_due', ['status', 'run_after'], unique=False)
        batch_op.create_index('ix_jobs_lease', ['status', 'leased_until'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_job_id'), ['job_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_job_id_jobs'), 'jobs', ['job_id'], ['id'])

    _move_delivery_state_to_jobs()

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.drop_column('status')
        batch_op.drop_column('attempts')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('last_error')


def _move_delivery_state_to_jobs():
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox_table).order_by(outbox_table.c.id)).mappings().all()
    for row in rows:
        status = MAIL_TO_JOB[row['status']]
        job_id = bind.execute(
            jobs_table.insert().returning(jobs_table.c.id),
            {
                'kind': 'mail',
                'payload': {'message': row['id']},
                'status': status,
                'attempts': row['attempts'],
                'max_attempts': MAIL_MAX_ATTEMPTS,
                'run_after': row['next_attempt_at'],
                # a message being sent had its lease in next_attempt_at
                'leased_until': row['next_attempt_at'] if status == 'running' else None,
                'last_error': row['last_error'],
                'dedupe_key': f"mail:{row['id']}",
                'created_at': row['created_at'],
                'finished_at': row['sent_at'] if status == 'done' else None,
            },
        ).scalar_one()
        bind.execute(
            sa.text('UPDATE outbox SET job_id = :job WHERE id = :id'),
            {'job': job_id, 'id': row['id']},
        )


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', OUTBOX_STATUS, nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=False, server_default=''))

    job_to_mail = {job: mail for mail, job in MAIL_TO_JOB.items()}
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        'SELECT outbox.id, outbox.created_at, jobs.status, jobs.attempts, jobs.run_after, '
        'jobs.leased_until, jobs.last_error FROM outbox LEFT JOIN jobs ON jobs.id = outbox.job_id'
    )).mappings().all()
    for row in rows:
        status = job_to_mail.get(row['status'], 'pending')
        due = row['leased_until'] if status == 'sending' else row['run_after']
        bind.execute(
            sa.text(
                'UPDATE outbox SET status = :status, attempts = :attempts, '
                'next_attempt_at = :due, last_error = :error WHERE id = :id'
            ),
            {
                'status': status,
                'attempts': row['attempts'] or 0,
                'due': due or row['created_at'],
                'error': row['last_error'] or '',
                'id': row['id'],
            },
        )

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('next_attempt_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_outbox_job_id_jobs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_job_id'))
        batch_op.drop_column('job_id')

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_lease')
        batch_op.drop_index('ix_jobs_due')

    op.drop_table('jobs')
