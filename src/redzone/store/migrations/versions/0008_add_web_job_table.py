"""add the web job table: background work started from a page (a linkage run, bootstrap intervals),
kept in the database so that every server process can report it, with the process that runs it and
a heartbeat, so that a job whose process has gone is reported as failed rather than running forever

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_by', sa.String(length=80), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running','done','failed')", name=op.f('ck_web_job_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_job'))
    )
    with op.batch_alter_table('web_job', schema=None) as batch_op:
        batch_op.create_index('ix_web_job_kind_id', ['kind', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_job', schema=None) as batch_op:
        batch_op.drop_index('ix_web_job_kind_id')

    op.drop_table('web_job')
