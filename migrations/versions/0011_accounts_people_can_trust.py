"""verified e-mail addresses, mailed single-use links, taobao account IDs claimed until verified

Revision ID: 0011
Revises: 0010
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

VERIFIED = sa.text('taobao_verified_at IS NOT NULL')


def _key(taobao_account_id):
    folded = unicodedata.normalize('NFKC', taobao_account_id).strip().casefold()
    return ''.join(c for c in folded if unicodedata.category(c) != 'Cf')[:256]


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True)
        )
    # People who used the desk before verification existed were let in by an admin or by
    # registering; they keep working.
    op.execute('UPDATE users SET email_verified_at = created_at')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('taobao_account_key', sa.String(length=256), nullable=True))
        batch_op.add_column(
            sa.Column('taobao_verified_at', sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint('uq_accounts_taobao_account_id', type_='unique')
    accounts = sa.table(
        'accounts',
        sa.column('id', sa.Integer),
        sa.column('taobao_account_id', sa.String),
        sa.column('taobao_account_key', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(accounts.c.id, accounts.c.taobao_account_id)).all()
    for account_id, taobao_account_id in rows:
        connection.execute(
            accounts.update()
            .where(accounts.c.id == account_id)
            .values(taobao_account_key=_key(taobao_account_id))
        )
    # An enabled account was approved by a reviewer: its ID is verified.
    op.execute('UPDATE accounts SET taobao_verified_at = enabled_at')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column(
            'taobao_account_key', existing_type=sa.String(length=256), nullable=False
        )
        batch_op.create_index(
            batch_op.f('ix_accounts_taobao_account_key'), ['taobao_account_key'], unique=False
        )
    op.create_index(
        'uq_accounts_verified_taobao_account_key',
        'accounts',
        ['taobao_account_key'],
        unique=True,
        sqlite_where=VERIFIED,
        postgresql_where=VERIFIED,
    )

    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash')),
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))
    op.drop_table('account_tokens')
    op.drop_index('uq_accounts_verified_taobao_account_key', table_name='accounts')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_taobao_account_key'))
        batch_op.drop_column('taobao_verified_at')
        batch_op.drop_column('taobao_account_key')
        # Fails if two accounts claim one ID, as it should: there is no unique answer then.
        batch_op.create_unique_constraint('uq_accounts_taobao_account_id', ['taobao_account_id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
