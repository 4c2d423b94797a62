"""add incident pair and incident cluster tables: an incident run's scored pairs of event records with
reviewers' decisions (reviewed, merged and split as person pairs are, through link_decision), and
each event record's current incident; the incidents of an earlier run, kept until now in its
summary, are copied into incident_cluster

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incident_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('event_a_id', sa.Integer(), nullable=False),
    sa.Column('event_b_id', sa.Integer(), nullable=False),
    sa.Column('match_weight', sa.Double(), nullable=False),
    sa.Column('match_probability', sa.Double(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('accepted','rejected')", name=op.f('ck_incident_pair_decision')),
    sa.CheckConstraint('event_a_id < event_b_id', name=op.f('ck_incident_pair_ordered')),
    sa.ForeignKeyConstraint(['event_a_id'], ['event.id'], name=op.f('fk_incident_pair_event_a_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_b_id'], ['event.id'], name=op.f('fk_incident_pair_event_b_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['link_run.id'], name=op.f('fk_incident_pair_run_id_link_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_pair')),
    sa.UniqueConstraint('run_id', 'event_a_id', 'event_b_id', name=op.f('uq_incident_pair_run_id'))
    )
    with op.batch_alter_table('incident_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_pair_match_probability'), ['match_probability'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_pair_event_a_id'), ['event_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_pair_event_b_id'), ['event_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_pair_run_id'), ['run_id'], unique=False)

    op.create_table('incident_cluster',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('incident_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_incident_cluster_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['link_run.id'], name=op.f('fk_incident_cluster_run_id_link_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_incident_cluster'))
    )
    with op.batch_alter_table('incident_cluster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_cluster_incident_code'), ['incident_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_cluster_run_id'), ['run_id'], unique=False)
    _copy_latest_incidents()


def _copy_latest_incidents() -> None:
    """The latest incident run's incidents (event code → incident code in its summary) into the table,
    so `redzone link incidents` answers as before; its pairs held no levels, so only a new run makes
    pairs reviewable."""
    connection = op.get_bind()
    latest = connection.execute(sa.text(
        "SELECT id, summary FROM link_run WHERE person_role = 'incident' AND finished_at IS NOT NULL "
        "ORDER BY id DESC LIMIT 1")).first()
    if latest is None:
        return
    summary = latest.summary if isinstance(latest.summary, dict) else json.loads(latest.summary or "{}")
    incidents = summary.get("clusters") or {}
    events = dict(connection.execute(sa.text("SELECT code, id FROM event")).all())
    rows = [{"event_id": events[code], "run_id": latest.id, "incident_code": incident}
            for code, incident in sorted(incidents.items()) if code in events]
    table = sa.table('incident_cluster', sa.column('event_id'), sa.column('run_id'), sa.column('incident_code'))
    for start in range(0, len(rows), 10000):
        connection.execute(table.insert(), rows[start:start + 10000])


def downgrade() -> None:
    with op.batch_alter_table('incident_cluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_cluster_run_id'))
        batch_op.drop_index(batch_op.f('ix_incident_cluster_incident_code'))

    op.drop_table('incident_cluster')
    with op.batch_alter_table('incident_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_pair_run_id'))
        batch_op.drop_index(batch_op.f('ix_incident_pair_event_b_id'))
        batch_op.drop_index(batch_op.f('ix_incident_pair_event_a_id'))
        batch_op.drop_index(batch_op.f('ix_incident_pair_match_probability'))

    op.drop_table('incident_pair')
