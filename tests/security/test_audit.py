"""Every kind of tampering with the audit chain is detected, and the first bad entry named."""

import pytest
import sqlalchemy as sa

from redzone.records.entry import add_person
from redzone.records.identity import Identity, reveal_identity
from redzone.records.models import AuditEntry
from redzone.records.users import actor_for
from redzone.security import audit


def _fill(context_for, n=5):
    with context_for("interviewer") as ctx:
        for _ in range(n):
            add_person(ctx, sex="female", identity=Identity(legal_name="Synthetic Name"))


def _verify(workspace):
    with workspace.store.session() as session:
        return audit.verify(session, workspace.keys.audit_key)


def _raw(workspace, sql, **params):
    with workspace.store.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


def test_an_untouched_chain_is_intact(workspace, context_for):
    _fill(context_for)
    report = _verify(workspace)
    assert report.intact and report.entries >= 11  # 6 accounts + 5 persons


def test_edited_entry_is_named(workspace, context_for):
    _fill(context_for)
    _raw(workspace, "UPDATE audit_entry SET actor = 'someone-else' WHERE id = 8")
    report = _verify(workspace)
    assert report.first_bad_id == 8 and "altered" in report.problem


def test_deleted_entry_is_named(workspace, context_for):
    _fill(context_for)
    _raw(workspace, "DELETE FROM audit_entry WHERE id = 7")
    report = _verify(workspace)
    assert report.first_bad_id == 8 and "missing" in report.problem


def test_inserted_entry_is_named(workspace, context_for):
    _fill(context_for)
    # Make room after entry 4 and forge an entry there that copies entry 4's hashes.
    with workspace.store.session() as session:
        rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.id > 4).order_by(AuditEntry.id.desc())).all()
        for row in rows:
            session.execute(sa.update(AuditEntry).where(AuditEntry.id == row.id).values(id=row.id + 1))
        four = session.get(AuditEntry, 4)
        session.expunge_all()
        session.add(AuditEntry(id=5, at=four.at, actor="intruder", action="person.create", record_type="person",
                               record_id="RZ-FAKE", detail={}, previous_hash=four.entry_hash,
                               entry_hash=four.entry_hash))
    report = _verify(workspace)
    assert report.first_bad_id == 5


def test_reordered_entries_are_named(workspace, context_for):
    _fill(context_for)
    with workspace.store.session() as session:
        session.execute(sa.update(AuditEntry).where(AuditEntry.id == 6).values(id=1000))
        session.execute(sa.update(AuditEntry).where(AuditEntry.id == 7).values(id=6))
        session.execute(sa.update(AuditEntry).where(AuditEntry.id == 1000).values(id=7))
    report = _verify(workspace)
    assert report.first_bad_id == 6


def test_reading_an_identity_is_audited_without_the_value(workspace, context_for):
    with context_for("interviewer") as ctx:
        person = add_person(ctx, identity=Identity(legal_name="Synthetic Secret"))
        code = person.code
    with workspace.store.session() as session:
        actor = actor_for(session, "interviewer")
    identity = reveal_identity(workspace.store, workspace.keys, actor, code, purpose="test")
    assert identity.legal_name == "Synthetic Secret"
    assert "Synthetic Secret" not in repr(identity)
    with workspace.store.session() as session:
        entry = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.actor, entry.action, entry.record_id) == ("interviewer", "person.view_sealed", code)
        dump = str([(e.detail, e.record_id) for e in session.scalars(sa.select(AuditEntry))])
        assert "Synthetic Secret" not in dump


def test_a_refused_read_is_audited_too(workspace, context_for):
    from redzone.errors import PermissionDenied

    with context_for("interviewer") as ctx:
        code = add_person(ctx, identity=Identity(legal_name="Synthetic Secret")).code
    with workspace.store.session() as session:
        analyst = actor_for(session, "analyst")
    with pytest.raises(PermissionDenied):
        reveal_identity(workspace.store, workspace.keys, analyst, code)
    with workspace.store.session() as session:
        entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.actor == "analyst")).all()
    assert [(e.action, e.record_id) for e in entries] == [("person.view_sealed.denied", code)]
    assert _verify(workspace).intact
