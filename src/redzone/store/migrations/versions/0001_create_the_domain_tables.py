"""create the domain tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_record_id'), ['record_id'], unique=False)

    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('place_id', sa.String(length=120), nullable=True),
    sa.Column('province_id', sa.String(length=120), nullable=True),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_end', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.CheckConstraint("date_precision IN ('day','month','year','range','unknown')", name=op.f('ck_event_date_precision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('code', name=op.f('uq_event_code'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_province_id'), ['province_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_year'), ['year'], unique=False)

    op.create_table('organisation',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation'))
    )
    op.create_table('perpetrator_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('place_id', sa.String(length=120), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perpetrator_group')),
    sa.UniqueConstraint('code', name=op.f('uq_perpetrator_group_code'))
    )
    op.create_table('workspace_meta',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_workspace_meta'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=True),
    sa.Column('person_role', sa.String(length=20), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('birth_year_min', sa.Integer(), nullable=True),
    sa.Column('birth_year_max', sa.Integer(), nullable=True),
    sa.Column('origin_place_id', sa.String(length=120), nullable=True),
    sa.Column('crossing_year', sa.Integer(), nullable=True),
    sa.Column('identity_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_person_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('code', name=op.f('uq_person_code'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('totp_secret_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_user_account_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('access_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('granted_by', sa.String(length=80), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_access_grant_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_access_grant_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grant')),
    sa.UniqueConstraint('user_id', 'person_id', name=op.f('uq_access_grant_user_id'))
    )
    with op.batch_alter_table('access_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_grant_user_id'), ['user_id'], unique=False)

    op.create_table('act',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('victim_id', sa.Integer(), nullable=True),
    sa.Column('violation', sa.String(length=60), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('price_amount', sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=True),
    sa.Column('price_currency', sa.String(length=3), nullable=True),
    sa.Column('duration_days', sa.Integer(), nullable=True),
    sa.Column('victim_count', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_act_event_id_event')),
    sa.ForeignKeyConstraint(['victim_id'], ['person.id'], name=op.f('fk_act_victim_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_act')),
    sa.UniqueConstraint('code', name=op.f('uq_act_code'))
    )
    with op.batch_alter_table('act', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_act_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_act_victim_id'), ['victim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_act_violation'), ['violation'], unique=False)

    op.create_table('demo_truth',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('true_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_demo_truth_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_demo_truth'))
    )
    with op.batch_alter_table('demo_truth', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demo_truth_true_id'), ['true_id'], unique=False)

    op.create_table('participation',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_participation_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_participation_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'event_id', name=op.f('pk_participation'))
    )
    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('reliability', sa.String(length=1), nullable=False),
    sa.Column('credibility', sa.Integer(), nullable=False),
    sa.Column('text_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('text_digest', sa.String(length=64), nullable=True),
    sa.Column('interviewee_id', sa.Integer(), nullable=True),
    sa.Column('consent_scopes', sa.JSON(), nullable=False),
    sa.Column('consent_recorded_at', sa.Date(), nullable=True),
    sa.Column('consent_withdrawn_at', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reliability IN ('A','B','C','D','E','F')", name=op.f('ck_source_reliability')),
    sa.CheckConstraint('credibility BETWEEN 1 AND 6', name=op.f('ck_source_credibility')),
    sa.ForeignKeyConstraint(['interviewee_id'], ['person.id'], name=op.f('fk_source_interviewee_id_person')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_source_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source')),
    sa.UniqueConstraint('code', name=op.f('uq_source_code'))
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_text_digest'), ['text_digest'], unique=False)

    op.create_table('act_perpetrator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('act_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['act_id'], ['act.id'], name=op.f('fk_act_perpetrator_act_id_act'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['perpetrator_group.id'], name=op.f('fk_act_perpetrator_group_id_perpetrator_group')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_act_perpetrator_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_act_perpetrator'))
    )
    with op.batch_alter_table('act_perpetrator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_act_perpetrator_act_id'), ['act_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_act_perpetrator_role'), ['role'], unique=False)

    op.create_table('attestation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('act_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('span_start', sa.Integer(), nullable=True),
    sa.Column('span_end', sa.Integer(), nullable=True),
    sa.CheckConstraint('span_start IS NULL OR (span_start >= 0 AND span_end > span_start)', name=op.f('ck_attestation_span')),
    sa.ForeignKeyConstraint(['act_id'], ['act.id'], name=op.f('fk_attestation_act_id_act'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_attestation_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attestation')),
    sa.UniqueConstraint('act_id', 'source_id', 'span_start', 'span_end', name='span')
    )
    with op.batch_alter_table('attestation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attestation_act_id'), ['act_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attestation_source_id'), ['source_id'], unique=False)

    op.create_table('claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=120), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('value_max', sa.Double(), nullable=True),
    sa.Column('qualifier', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('span_start', sa.Integer(), nullable=True),
    sa.Column('span_end', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_claim_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim')),
    sa.UniqueConstraint('code', name=op.f('uq_claim_code'))
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_measure'), ['measure'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_source_id'), ['source_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('filename_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acquired_by', sa.String(length=80), nullable=False),
    sa.Column('acquisition_method', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_evidence_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('code', name=op.f('uq_evidence_code')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_evidence_storage_name'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_source_id'), ['source_id'], unique=False)

    op.create_table('custody_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_custody_entry_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_entry'))
    )
    with op.batch_alter_table('custody_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_entry_evidence_id'), ['evidence_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('custody_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_entry_evidence_id'))

    op.drop_table('custody_entry')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_source_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_source_id'))
        batch_op.drop_index(batch_op.f('ix_claim_measure'))

    op.drop_table('claim')
    with op.batch_alter_table('attestation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attestation_source_id'))
        batch_op.drop_index(batch_op.f('ix_attestation_act_id'))

    op.drop_table('attestation')
    with op.batch_alter_table('act_perpetrator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_act_perpetrator_role'))
        batch_op.drop_index(batch_op.f('ix_act_perpetrator_act_id'))

    op.drop_table('act_perpetrator')
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_text_digest'))
        batch_op.drop_index(batch_op.f('ix_source_organisation_id'))

    op.drop_table('source')
    op.drop_table('participation')
    with op.batch_alter_table('demo_truth', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demo_truth_true_id'))

    op.drop_table('demo_truth')
    with op.batch_alter_table('act', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_act_violation'))
        batch_op.drop_index(batch_op.f('ix_act_victim_id'))
        batch_op.drop_index(batch_op.f('ix_act_event_id'))

    op.drop_table('act')
    with op.batch_alter_table('access_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_grant_user_id'))

    op.drop_table('access_grant')
    op.drop_table('user_account')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_organisation_id'))

    op.drop_table('person')
    op.drop_table('workspace_meta')
    op.drop_table('perpetrator_group')
    op.drop_table('organisation')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_year'))
        batch_op.drop_index(batch_op.f('ix_event_province_id'))

    op.drop_table('event')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_record_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor'))

    op.drop_table('audit_entry')
