"""each user's language and time zone

Revision ID: 0022
Revises: 0021

Both are empty until the person chooses: the language then follows the browser, the zone the
role (staff Asia/Shanghai). Plain ``ADD COLUMN`` on both dialects: a batch rebuild of ``users``
on SQLite would drop the search triggers of 0021.
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('language', sa.String(length=16), nullable=True))
    op.add_column('users', sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('time_zone')
        batch.drop_column('language')
