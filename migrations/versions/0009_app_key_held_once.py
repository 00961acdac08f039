"""an APP key is held by one APP at a time, across all accounts

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('apps', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('key_held', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    # Before this rule two APPs could share a key: the first registered keeps it.
    op.execute(
        "UPDATE apps SET key_held = false WHERE id NOT IN "
        "(SELECT MIN(id) FROM apps GROUP BY app_key)"
    )
    op.create_index(
        'uq_apps_held_app_key',
        'apps',
        ['app_key'],
        unique=True,
        sqlite_where=sa.text('key_held'),
        postgresql_where=sa.text('key_held'),
    )


def downgrade():
    op.drop_index('uq_apps_held_app_key', table_name='apps')
    with op.batch_alter_table('apps', schema=None) as batch_op:
        batch_op.drop_column('key_held')
