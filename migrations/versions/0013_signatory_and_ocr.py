"""the authorized signatory's name; searchable text, OCR and the reviewer's tick per document

Revision ID: 0013
Revises: 0012

Documents uploaded before this keep an empty text: their prechecks stand as they were made.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TEXT_SOURCE = sa.Enum('pdf', 'ocr', name='textsource', native_enum=False, length=8)
OCR_STATUS = sa.Enum(
    'running', 'done', 'failed', name='ocrstatus', native_enum=False, length=16
)


def upgrade():
    with op.batch_alter_table('enablement_requests', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('signatory_name', sa.String(length=200), nullable=False, server_default='')
        )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('text_source', TEXT_SOURCE, nullable=True))
        batch_op.add_column(sa.Column('ocr_status', OCR_STATUS, nullable=True))
        batch_op.add_column(sa.Column('ocr_error', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(
            sa.Column(
                'is_account_id_seen', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_column('is_account_id_seen')
        batch_op.drop_column('ocr_error')
        batch_op.drop_column('ocr_status')
        batch_op.drop_column('text_source')
        batch_op.drop_column('text')
    with op.batch_alter_table('enablement_requests', schema=None) as batch_op:
        batch_op.drop_column('signatory_name')
