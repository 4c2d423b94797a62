"""add a revision counter to the records an import writes (groups, events, persons, sources, acts),
counted up by triggers on every update of their content, and to each imported ref the revision and the
audit chain position its import left: a re-import can then tell a record changed since by hand (or by
any other writer) and refuse to overwrite it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The content columns whose update counts as a change of the record. Not `id` or `revision`, nor an
# act's copies of its event's province and year (kept by the triggers of 0006: an event's edit, not
# the act's). A column added by a later migration must be added to its table's trigger there.
CONTENT = {
    'perpetrator_group': ('code', 'name', 'kind', 'place_id', 'description'),
    'event': ('code', 'kind', 'place_id', 'province_id', 'date_start', 'date_end', 'date_precision', 'year',
              'description'),
    'person': ('code', 'organisation_id', 'person_role', 'sex', 'birth_year_min', 'birth_year_max',
               'origin_place_id', 'crossing_year', 'identity_sealed', 'created_by', 'created_at'),
    'source': ('code', 'organisation_id', 'kind', 'title', 'language', 'date', 'reliability', 'credibility',
               'text_sealed', 'text_digest', 'interviewee_id', 'consent_scopes', 'consent_recorded_at',
               'consent_withdrawn_at', 'created_by', 'created_at'),
    'act': ('code', 'victim_id', 'violation', 'event_id', 'price_amount', 'price_currency', 'duration_days',
            'victim_count', 'notes', 'created_by', 'created_at'),
}

# An update that sets `revision` itself is left as it is; any other update of a content column adds one.
_POSTGRES_FUNCTION = """CREATE FUNCTION count_revision() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.revision IS NOT DISTINCT FROM OLD.revision THEN
       NEW.revision := OLD.revision + 1;
     END IF;
     RETURN NEW;
   END $$"""


def _trigger(table: str) -> str:
    return f'{table}_count_revision'


def _create_triggers(dialect: str) -> None:
    if dialect == 'postgresql':
        op.execute(_POSTGRES_FUNCTION)
    for table, columns in CONTENT.items():
        if dialect == 'postgresql':
            op.execute(f'CREATE TRIGGER {_trigger(table)} BEFORE UPDATE OF {", ".join(columns)} ON {table} '
                       'FOR EACH ROW EXECUTE FUNCTION count_revision()')
        else:  # SQLite runs no trigger from inside itself (recursive_triggers is off): no loop
            op.execute(f'CREATE TRIGGER {_trigger(table)} AFTER UPDATE OF {", ".join(columns)} ON {table} '
                       'WHEN NEW.revision = OLD.revision '
                       f'BEGIN UPDATE {table} SET revision = OLD.revision + 1 WHERE id = NEW.id; END')


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: on SQLite a copied `act` table would lose the triggers of 0006.
    for table in CONTENT:
        op.add_column(table, sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
    op.add_column('external_ref', sa.Column('record_revision', sa.Integer(), server_default='0', nullable=False))
    op.add_column('external_ref', sa.Column('audit_mark', sa.Integer(), server_default='0', nullable=False))
    # Refs imported before: the chain's position when their import wrote them (the last entry no later
    # than that import's time), so an edit audited after it still counts as a change since the import.
    op.execute("UPDATE external_ref SET audit_mark = COALESCE((SELECT MAX(a.id) FROM audit_entry a "
               "WHERE a.at <= external_ref.imported_at), 0)")
    _create_triggers(op.get_bind().dialect.name)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in CONTENT:
        op.execute(f'DROP TRIGGER IF EXISTS {_trigger(table)}' + (f' ON {table}' if dialect == 'postgresql' else ''))
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS count_revision()')
    # SQLite 3.35+ drops a column in place (a batch copy would lose the triggers of 0006).
    for table, column in (('external_ref', 'audit_mark'), ('external_ref', 'record_revision'),
                          *((table, 'revision') for table in CONTENT)):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
