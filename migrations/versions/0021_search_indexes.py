"""search that scales: the sellers each list in force serves, text indexes, the sort's index

Revision ID: 0021
Revises: 0020

``in_force_sellers`` holds one row per (journey, seller ID) of the authorization list in force;
the backfill reads each list in force from storage. The text search matches substrings of the
account's name and taobao ID, the APP's name and key, and the account's users' e-mail: on
PostgreSQL through pg_trgm GIN indexes, on SQLite through FTS5 trigram tables over the same
columns (external content, kept in step by triggers). The search sorts newest change first,
and two indexes give that order, with and without a state.
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.runtime.migration')

#: (table, FTS table, columns): the same list as ``workflow.review.search.TEXT_SOURCES``.
TEXT_SOURCES = (
    ('accounts', 'accounts_search', ('name', 'taobao_account_id')),
    ('apps', 'apps_search', ('name', 'app_key')),
    ('users', 'users_search', ('email',)),
)
BATCH = 10_000


def upgrade():
    op.create_table(
        'in_force_sellers',
        sa.Column('journey_id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ['journey_id'], ['journeys.id'], name=op.f('fk_in_force_sellers_journey_id_journeys')
        ),
        sa.PrimaryKeyConstraint('journey_id', 'seller_id', name=op.f('pk_in_force_sellers')),
    )
    op.create_index('ix_in_force_sellers_seller', 'in_force_sellers', ['seller_id'])
    op.create_index(
        'ix_journeys_recent', 'journeys', [sa.text('state_changed_at DESC'), sa.text('id DESC')]
    )
    op.create_index(
        'ix_journeys_state_recent',
        'journeys',
        ['state', sa.text('state_changed_at DESC'), sa.text('id DESC')],
    )
    if op.get_bind().dialect.name == 'postgresql':
        _create_trigram_indexes()
    else:
        _create_fts_tables()
    _backfill_in_force_sellers()


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table, _, columns in TEXT_SOURCES:
            for column in columns:
                op.execute(f'DROP INDEX IF EXISTS ix_{table}_{column}_trgm')
    else:
        for table, fts, _ in TEXT_SOURCES:
            for when in ('insert', 'delete', 'update'):
                op.execute(f'DROP TRIGGER IF EXISTS {fts}_{when}')
            op.execute(f'DROP TABLE IF EXISTS {fts}')
    op.drop_index('ix_journeys_state_recent', table_name='journeys')
    op.drop_index('ix_journeys_recent', table_name='journeys')
    op.drop_index('ix_in_force_sellers_seller', table_name='in_force_sellers')
    op.drop_table('in_force_sellers')


def _create_trigram_indexes():
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table, _, columns in TEXT_SOURCES:
        for column in columns:
            op.execute(
                f'CREATE INDEX ix_{table}_{column}_trgm ON {table} '
                f'USING gin ({column} gin_trgm_ops)'
            )


def _create_fts_tables():
    for table, fts, columns in TEXT_SOURCES:
        names = ', '.join(columns)
        new = ', '.join(f'new.{c}' for c in columns)
        old = ', '.join(f'old.{c}' for c in columns)
        forget = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
        learn = f'INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});'
        op.execute(
            f'CREATE VIRTUAL TABLE {fts} USING fts5({names}, '
            f"content='{table}', content_rowid='id', tokenize='trigram')"
        )
        op.execute(f'CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {learn} END')
        op.execute(f'CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {forget} END')
        op.execute(
            f'CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} '
            f'BEGIN {forget} {learn} END'
        )
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _backfill_in_force_sellers():
    bind = op.get_bind()
    lists = bind.execute(
        sa.text(
            "SELECT journey_id, file_id FROM seller_lists "
            "WHERE kind = 'authorization' AND is_in_force ORDER BY id"
        )
    ).all()
    if not lists:
        return
    from storage import StorageError
    from workflow.storage_setup import get_storage  # the desk's storage, as configured

    storage = get_storage()
    table = sa.table('in_force_sellers', sa.column('journey_id'), sa.column('seller_id'))
    for journey_id, file_id in lists:
        try:
            with storage.open(file_id) as stream:
                ids = sorted({str(int(line)) for line in stream.read().split()})
        except StorageError:  # missing, or an id this storage never made
            log.warning(
                'journey %s: its list in force (%s) cannot be read from storage; '
                '"flask storage check" reports it, and the seller-ID search will not find it',
                journey_id, file_id,
            )  # fmt: skip
            continue
        for first in range(0, len(ids), BATCH):
            rows = [{'journey_id': journey_id, 'seller_id': s} for s in ids[first : first + BATCH]]
            bind.execute(table.insert(), rows)
