"""add the search index: one row of search terms per indexed part of a record; on SQLite an FTS5
table over those terms (inside the SQLCipher file), on PostgreSQL a GIN index over keyed digests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=10), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
    sa.UniqueConstraint('kind', 'record_id', 'part', name=op.f('uq_search_document_kind'))
    )
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        # External-content FTS5 table over search_document.terms. redzone.search.index keeps it in
        # step with one INSERT … SELECT per batch: row triggers made bulk indexing 7 times slower.
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5("
                   "terms, content='search_document', content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
    elif dialect == 'postgresql':
        op.execute("CREATE INDEX ix_search_document_terms_gin ON search_document "
                   "USING gin (to_tsvector('simple', terms))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_search_document_terms_gin")
    op.drop_table('search_document')
