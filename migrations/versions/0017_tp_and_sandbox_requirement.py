"""the TP developer type, checked by the database; a reviewer's sandbox requirement per APP

Revision ID: 0017
Revises: 0016

Accounts so far are sellers or ISVs, so the check holds for every existing row. APPs so far
were never required to verify in the sandbox by a reviewer: the chart forced it on all of them.
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


VERIFIED = sa.text('taobao_verified_at IS NOT NULL')
VERIFIED_INDEX = 'uq_accounts_verified_taobao_account_key'


def _set_kind_check(sql):
    """SQLite adds a check by copying the table, and the copy would lose the partial index's
    WHERE clause: the index is dropped first and made again after."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.drop_index(VERIFIED_INDEX, table_name='accounts')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        if sql is None:
            batch_op.drop_constraint(op.f('ck_accounts_kind'), type_='check')
        else:
            batch_op.create_check_constraint(op.f('ck_accounts_kind'), sql)
    if sqlite:
        op.create_index(
            VERIFIED_INDEX,
            'accounts',
            ['taobao_account_key'],
            unique=True,
            sqlite_where=VERIFIED,
            postgresql_where=VERIFIED,
        )


def upgrade():
    _set_kind_check("kind IN ('seller', 'isv', 'tp')")
    with op.batch_alter_table('apps', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'is_sandbox_required', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column('sandbox_required_reason', sa.Text(), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('apps', schema=None) as batch_op:
        batch_op.drop_column('sandbox_required_reason')
        batch_op.drop_column('is_sandbox_required')
    # A TP took the ISV's path; before this revision it can only be one.
    op.execute("UPDATE accounts SET kind = 'isv' WHERE kind = 'tp'")
    _set_kind_check(None)
