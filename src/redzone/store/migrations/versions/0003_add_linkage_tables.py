"""add linkage tables: link runs, their scored pairs with reviewers' decisions, the decision log that
makes merges and splits undoable, and each person record's current cluster

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('person_role', sa.String(length=20), nullable=False),
    sa.Column('backend', sa.String(length=20), nullable=False),
    sa.Column('threshold', sa.Double(), nullable=False),
    sa.Column('review_low', sa.Double(), nullable=False),
    sa.Column('review_high', sa.Double(), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('started_by', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_run')),
    sa.UniqueConstraint('code', name=op.f('uq_link_run_code'))
    )
    op.create_table('link_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('undone_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['link_run.id'], name=op.f('fk_link_decision_run_id_link_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_decision'))
    )
    with op.batch_alter_table('link_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_decision_run_id'), ['run_id'], unique=False)

    op.create_table('link_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('person_a_id', sa.Integer(), nullable=False),
    sa.Column('person_b_id', sa.Integer(), nullable=False),
    sa.Column('match_weight', sa.Double(), nullable=False),
    sa.Column('match_probability', sa.Double(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('accepted','rejected')", name=op.f('ck_link_pair_decision')),
    sa.CheckConstraint('person_a_id < person_b_id', name=op.f('ck_link_pair_ordered')),
    sa.ForeignKeyConstraint(['person_a_id'], ['person.id'], name=op.f('fk_link_pair_person_a_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_b_id'], ['person.id'], name=op.f('fk_link_pair_person_b_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['link_run.id'], name=op.f('fk_link_pair_run_id_link_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_pair')),
    sa.UniqueConstraint('run_id', 'person_a_id', 'person_b_id', name=op.f('uq_link_pair_run_id'))
    )
    with op.batch_alter_table('link_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_pair_match_probability'), ['match_probability'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_pair_person_a_id'), ['person_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_pair_person_b_id'), ['person_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_pair_run_id'), ['run_id'], unique=False)

    op.create_table('person_cluster',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('cluster_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_cluster_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['link_run.id'], name=op.f('fk_person_cluster_run_id_link_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_person_cluster'))
    )
    with op.batch_alter_table('person_cluster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_cluster_cluster_code'), ['cluster_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_cluster_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('person_cluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_cluster_run_id'))
        batch_op.drop_index(batch_op.f('ix_person_cluster_cluster_code'))

    op.drop_table('person_cluster')
    with op.batch_alter_table('link_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_pair_run_id'))
        batch_op.drop_index(batch_op.f('ix_link_pair_person_b_id'))
        batch_op.drop_index(batch_op.f('ix_link_pair_person_a_id'))
        batch_op.drop_index(batch_op.f('ix_link_pair_match_probability'))

    op.drop_table('link_pair')
    with op.batch_alter_table('link_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_decision_run_id'))

    op.drop_table('link_decision')
    op.drop_table('link_run')
