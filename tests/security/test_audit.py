"""Every kind of tampering with the audit chain is detected, and the first bad entry named."""

import json

import pytest
import sqlalchemy as sa

from redzone.errors import PermissionDenied
from redzone.records.entry import add_person
from redzone.records.identity import Identity, reveal_identity
from redzone.records.models import AuditEntry, WorkspaceMeta
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


def test_a_cut_tail_is_named(workspace, context_for):
    _fill(context_for)
    with workspace.store.session() as session:
        last = session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    _raw(workspace, "DELETE FROM audit_entry WHERE id > :keep", keep=last - 2)
    report = _verify(workspace)
    assert not report.intact and report.first_bad_id == last - 1
    assert f"entries {last - 1}–{last} are missing from the end" in report.problem


def test_the_head_checkpoint_cannot_be_rewritten_or_removed(workspace, context_for):
    _fill(context_for)
    with workspace.store.session() as session:
        last = session.scalar(sa.select(sa.func.max(AuditEntry.id)))
        previous = session.scalar(sa.select(AuditEntry.entry_hash).where(AuditEntry.id == last - 1))
    # Cut the last entry and make the checkpoint agree, without the key.
    _raw(workspace, "DELETE FROM audit_entry WHERE id = :last", last=last)
    with workspace.store.session() as session:
        meta = session.get(WorkspaceMeta, audit.HEAD_KEY)
        meta.value = {**meta.value, "entries": last - 1, "last_hash": previous}
    report = _verify(workspace)
    assert not report.intact and "checkpoint was altered" in report.problem
    _raw(workspace, "DELETE FROM workspace_meta WHERE key = :key", key=audit.HEAD_KEY)
    report = _verify(workspace)
    assert not report.intact and "checkpoint is missing" in report.problem


def test_the_audit_commands(workspace, context_for):
    from typer.testing import CliRunner

    from redzone.cli import app
    from support import PASSPHRASE

    with context_for("interviewer") as ctx:
        code = add_person(ctx, identity=Identity(legal_name="Synthetic Name")).code
    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "COLUMNS": "200"}
    runner = CliRunner()
    verified = runner.invoke(app, ["--user", "admin", "audit", "verify"], env=env)
    assert verified.exit_code == 0 and "intact" in verified.output
    trail = runner.invoke(app, ["--user", "admin", "--json", "audit", "log", "--person", code], env=env)
    assert [(e["actor"], e["action"]) for e in json.loads(trail.output)] == [("interviewer", "person.create")]
    table = runner.invoke(app, ["--user", "admin", "audit", "log", "--person", code], env=env)
    assert "detail" in table.output and "sealed=True" in table.output and "Synthetic Name" not in table.output
    mine = runner.invoke(app, ["--user", "admin", "--json", "audit", "log", "--user", "interviewer"], env=env)
    assert {e["actor"] for e in json.loads(mine.output)} == {"interviewer"}
    _raw(workspace, "UPDATE audit_entry SET action = 'person.edit' WHERE record_id = :code", code=code)
    broken = runner.invoke(app, ["--user", "admin", "--json", "audit", "verify"], env=env)
    assert broken.exit_code == 2 and json.loads(broken.output)["intact"] is False
    refused = runner.invoke(app, ["--user", "analyst", "audit", "log"], env=env)
    assert isinstance(refused.exception, PermissionDenied)


def test_a_persons_trail_holds_its_import_and_its_acts_and_sources(workspace, context_for, tmp_path, monkeypatch):
    from redzone.cli.app import console

    monkeypatch.setattr(console, "_width", 200)  # a dumb terminal (TERM=dumb, as on CI) ignores COLUMNS
    from typer.testing import CliRunner

    from redzone.cli import app
    from redzone.exchange import import_file
    from redzone.records.entry import ActDetails, AttestationSpec, add_act, add_source
    from redzone.records.models import Act, Person, Source
    from support import PASSPHRASE

    files = {"persons.csv": "ref,sex,birth_year_min\nP1,female,1996\nP2,female,1999\n",
             "sources.csv": "ref,kind,reliability,credibility,interviewee_ref\nS1,interview,B,2,P1\n",
             "acts.csv": "ref,victim_ref,violation,source_refs\nA1,P1,trafficking.sale,S1\nA2,P2,trafficking.sale,\n"}
    with workspace.store.session() as session:
        officer = actor_for(session, "officer")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        import_file(workspace, officer, tmp_path / name)
    (tmp_path / "persons.csv").write_text("ref,sex,birth_year_min\nP1,female,1997\n", encoding="utf-8")
    import_file(workspace, officer, tmp_path / "persons.csv")  # an update of P1 alone
    with context_for("interviewer") as ctx:  # recorded one at a time: the act and source name her by id only
        p3 = add_person(ctx, sex="female")
        told = add_source(ctx, kind="interview", interviewee=p3)
        report = add_source(ctx, kind="ngo_report")
        act = add_act(ctx, victim=p3, violation="trafficking.sale", event=None,
                      details=ActDetails(attestations=[AttestationSpec(report)]))
        p3, told, report, act = p3.code, told.code, report.code, act.code
        add_person(ctx, sex="female")  # somebody else
    with workspace.store.session() as session:
        p1 = session.scalar(sa.select(Person.code).where(Person.birth_year_min == 1997))
        s1 = session.scalar(sa.select(Source.code).where(Source.kind == "interview", Source.code != told))
        a1, a2 = session.scalars(sa.select(Act.code).join(Person, Act.victim_id == Person.id)
                                 .where(Person.birth_year_min.is_not(None)).order_by(Person.birth_year_min)).all()
    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "COLUMNS": "200"}

    def trail(code):
        result = CliRunner().invoke(app, ["--user", "admin", "--json", "audit", "log", "--person", code], env=env)
        assert result.exit_code == 0, result.output
        return [(e["action"], e["record"], e["detail"]) for e in json.loads(result.output)]

    imported = trail(p1)
    assert [(action, record) for action, record, _ in imported] == [("import.batch", "person:")] + [
        ("import.batch", f"{kind}:") for kind in ("act", "source", "person")]
    assert p1 in imported[0][2]["updated"] and p1 in imported[3][2]["created"]
    assert a1 in imported[1][2]["created"] and s1 in imported[2][2]["created"]
    assert a2 in imported[1][2]["created"]  # the batch names both acts: it is the entry that created A1
    recorded = trail(p3)
    assert [(action, record) for action, record, _ in recorded] == [
        ("act.create", f"act:{act}"), ("source.create", f"source:{report}"), ("source.create", f"source:{told}"),
        ("person.create", f"person:{p3}")]
    shown = CliRunner().invoke(app, ["--user", "admin", "audit", "log", "--person", p1], env=env).output
    assert f"updated=[{p1}]" in shown and f"created=[{p1}," in shown and f"created=[{a1},{a2}]" in shown
    unknown = CliRunner().invoke(app, ["--user", "admin", "audit", "log", "--person", "RZ-NOBODY"], env=env)
    assert unknown.exit_code != 0 and "person: no person with code 'RZ-NOBODY'" in str(unknown.exception)


def test_the_audit_tables_detail_is_short():
    from redzone.cli.audit_commands import DETAIL_WIDTH, short_detail

    codes = [f"RZ-{n:06d}" for n in range(10000)]
    assert short_detail({"created": codes[:2], "updated": []}) == "created=[RZ-000000,RZ-000001] updated=[]"
    assert short_detail({"created": codes}) == "created=[RZ-000000,RZ-000001,RZ-000002,… 10,000 in all]"
    assert short_detail({"before": {"place": "cn.jilin", "sources": codes}, "note": "x" * 500}).endswith("…")
    assert len(short_detail({"note": "x" * 500})) == DETAIL_WIDTH and short_detail({}) == ""
