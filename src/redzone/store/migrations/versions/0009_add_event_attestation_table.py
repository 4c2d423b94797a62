"""add the event attestation table: a source attesting an event of its own (a journey step recorded
from a testimony, a place or date accepted in review) with the quoted span when there is one, as
`attestation` does for an act; the pointers review wrote until now into an event's description
("SRC-… [start:end]") become rows, and the description is emptied

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import re

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# What review wrote as the whole description of an event it created: a source code and a span.
POINTER = re.compile(r"(\S{1,40}) \[(\d+):(\d+)\]")


def upgrade() -> None:
    op.create_table('event_attestation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('span_start', sa.Integer(), nullable=True),
    sa.Column('span_end', sa.Integer(), nullable=True),
    sa.CheckConstraint('span_start IS NULL OR (span_start >= 0 AND span_end > span_start)', name=op.f('ck_event_attestation_span')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_attestation_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_event_attestation_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_attestation')),
    sa.UniqueConstraint('event_id', 'source_id', 'span_start', 'span_end', name=op.f('uq_event_attestation_event_id'))
    )
    with op.batch_alter_table('event_attestation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_attestation_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_attestation_source_id'), ['source_id'], unique=False)
    _move_description_pointers()


def _move_description_pointers() -> None:
    """Events whose whole description is review's pointer get an attestation row instead (when the
    source is still there and the span is sound); any other description is left as it was."""
    connection = op.get_bind()
    sources = dict(connection.execute(sa.text("SELECT code, id FROM source")).all())
    events = connection.execute(sa.text("SELECT id, description FROM event WHERE description LIKE '% [%:%]'")).all()
    rows, moved = [], []
    for event_id, description in events:
        found = POINTER.fullmatch(description.strip())
        if found is None or found.group(1) not in sources or int(found.group(2)) >= int(found.group(3)):
            continue
        rows.append({"event_id": event_id, "source_id": sources[found.group(1)],
                     "span_start": int(found.group(2)), "span_end": int(found.group(3))})
        moved.append({"event_id": event_id})
    if rows:
        table = sa.table('event_attestation', sa.column('event_id'), sa.column('source_id'),
                         sa.column('span_start'), sa.column('span_end'))
        connection.execute(table.insert(), rows)
        connection.execute(sa.text("UPDATE event SET description = '' WHERE id = :event_id"), moved)


def _restore_description_pointers() -> None:
    """Before the table goes: an event without a description gets its first spanned attestation
    back as the pointer review used to write, so going down loses no trace."""
    connection = op.get_bind()
    pointers = connection.execute(sa.text(
        "SELECT a.event_id, s.code, a.span_start, a.span_end FROM event_attestation a "
        "JOIN source s ON s.id = a.source_id JOIN event e ON e.id = a.event_id "
        "WHERE a.span_start IS NOT NULL AND e.description = '' ORDER BY a.event_id, a.id")).all()
    first: dict[int, str] = {}
    for event_id, code, start, end in pointers:
        first.setdefault(event_id, f"{code} [{start}:{end}]")
    if first:
        connection.execute(sa.text("UPDATE event SET description = :description WHERE id = :event_id"),
                           [{"event_id": event_id, "description": text} for event_id, text in first.items()])


def downgrade() -> None:
    _restore_description_pointers()
    with op.batch_alter_table('event_attestation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_attestation_source_id'))
        batch_op.drop_index(batch_op.f('ix_event_attestation_event_id'))

    op.drop_table('event_attestation')
