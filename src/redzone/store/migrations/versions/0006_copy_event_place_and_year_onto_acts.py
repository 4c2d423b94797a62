"""copy each act's event province and year onto the act, kept current by triggers, and index
act_perpetrator by (role, act_id): statistics by province, year and role then read one index each
instead of joining a million acts to their events

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER act_copy_event_after_insert AFTER INSERT ON act
       WHEN NEW.event_id IS NOT NULL
       BEGIN
         UPDATE act SET province_id = (SELECT province_id FROM event WHERE id = NEW.event_id),
                        year = (SELECT year FROM event WHERE id = NEW.event_id)
         WHERE id = NEW.id;
       END""",
    """CREATE TRIGGER act_copy_event_after_update AFTER UPDATE OF event_id ON act
       BEGIN
         UPDATE act SET province_id = (SELECT province_id FROM event WHERE id = NEW.event_id),
                        year = (SELECT year FROM event WHERE id = NEW.event_id)
         WHERE id = NEW.id;
       END""",
    """CREATE TRIGGER event_copy_to_acts_after_update AFTER UPDATE OF province_id, year ON event
       BEGIN
         UPDATE act SET province_id = NEW.province_id, year = NEW.year WHERE event_id = NEW.id;
       END""",
)

_POSTGRES_FUNCTIONS = (
    """CREATE FUNCTION act_copy_event() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.event_id IS NULL THEN
           NEW.province_id := NULL;
           NEW.year := NULL;
         ELSE
           SELECT e.province_id, e.year INTO NEW.province_id, NEW.year FROM event e WHERE e.id = NEW.event_id;
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER act_copy_event BEFORE INSERT OR UPDATE OF event_id ON act
       FOR EACH ROW EXECUTE FUNCTION act_copy_event()""",
    """CREATE FUNCTION event_copy_to_acts() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE act SET province_id = NEW.province_id, year = NEW.year WHERE event_id = NEW.id;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER event_copy_to_acts AFTER UPDATE OF province_id, year ON event
       FOR EACH ROW EXECUTE FUNCTION event_copy_to_acts()""",
)


def upgrade() -> None:
    with op.batch_alter_table('act') as batch:
        batch.add_column(sa.Column('province_id', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('year', sa.Integer(), nullable=True))
    op.create_index('ix_act_province_id', 'act', ['province_id'])
    op.create_index('ix_act_year', 'act', ['year'])
    op.create_index('ix_act_perpetrator_role_act', 'act_perpetrator', ['role', 'act_id'])
    op.execute("UPDATE act SET province_id = (SELECT province_id FROM event WHERE event.id = act.event_id), "
               "year = (SELECT year FROM event WHERE event.id = act.event_id) WHERE event_id IS NOT NULL")
    statements = _POSTGRES_FUNCTIONS if op.get_bind().dialect.name == 'postgresql' else _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS event_copy_to_acts ON event")
        op.execute("DROP TRIGGER IF EXISTS act_copy_event ON act")
        op.execute("DROP FUNCTION IF EXISTS event_copy_to_acts()")
        op.execute("DROP FUNCTION IF EXISTS act_copy_event()")
    else:
        for name in ('event_copy_to_acts_after_update', 'act_copy_event_after_update', 'act_copy_event_after_insert'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_act_perpetrator_role_act', table_name='act_perpetrator')
    op.drop_index('ix_act_year', table_name='act')
    op.drop_index('ix_act_province_id', table_name='act')
    with op.batch_alter_table('act') as batch:
        batch.drop_column('year')
        batch.drop_column('province_id')
