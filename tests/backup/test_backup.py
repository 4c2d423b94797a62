"""Backup and restore as an administrator meets them: everything comes back byte for byte, on both
backends and across them; a damaged, cut or wrongly unlocked backup restores nothing; an
interrupted backup or restore leaves nothing half-done. Synthetic data only."""

import datetime as dt
import json
import os

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import PASSPHRASE, POSTGRES_URL, discard, make_workspace
from typer.testing import CliRunner

from redzone.backup import DamagedBackup, create_backup, restore_backup
from redzone.backup import restore as restore_module
from redzone.backup.dump import EXCLUDED, encode, rows_of
from redzone.cli import app
from redzone.errors import PermissionDenied, ValidationError, WorkspaceError, WrongPassphrase
from redzone.evidence import add_evidence
from redzone.records.entry import (ActDetails, AttestationSpec, Context, JourneyStep, add_act, add_event, add_journey,
                                   add_person, add_source)
from redzone.records.identity import Identity, reveal_identity
from redzone.records.models import Base, Evidence
from redzone.records.users import SYSTEM, actor_for, create_user
from redzone.search import index as search_index
from redzone.security import audit
from redzone.store import engine as engines
from redzone.workspace import Workspace

BACKUP_PASSPHRASE = "a separate synthetic backup passphrase"
CONTENT = b"SYNTHETIC recording bytes " * 400


def snapshot(ws):
    """Every backed-up table as encoded rows in key order, and every stored evidence file's bytes."""
    with ws.store.engine.connect() as connection:
        present = set(sa.inspect(connection).get_table_names())
        tables = {t.name: [[encode(v) for v in row] for row in rows_of(connection, t)]
                  for t in Base.metadata.sorted_tables if t.name in present and t.name not in EXCLUDED}
    files = {p.name: p.read_bytes() for p in ws.evidence_dir.iterdir()}
    return tables, files


def seed(ws, marker="Synthetic"):
    with ws.store.session() as session:
        ctx = Context(session, ws.keys, actor_for(session, "interviewer"))
        victim = add_person(ctx, sex="female", birth_year_min=2001,
                            identity=Identity(legal_name=f"{marker} Kim", hangul_name="김가명"))
        source = add_source(ctx, kind="interview", reliability="B", credibility=2, date=dt.date(2023, 5, 1),
                            text=f"{marker} testimony text", interviewee=victim, consent_scopes=["internal_analysis"])
        event = add_event(ctx, kind="sale", place_id="cn.jilin.yanbian.yanji", date_start=dt.date(2019, 3, 1),
                          date_precision="month")
        add_act(ctx, victim=victim, violation="trafficking.sale", event=event,
                details=ActDetails(price_amount=30000.5, price_currency="CNY", attestations=[AttestationSpec(source)]))
        add_journey(ctx, victim, [JourneyStep("crossing", "kp.north_hamgyong.musan", dt.date(2018, 1, 1),
                                              date_precision="year", attestations=(AttestationSpec(source, 0, 9),)),
                                  event])
        add_evidence(ctx, ws.evidence_dir, CONTENT, original_name="kim-synthetic.m4a", source=source.code)
        return victim.code


def restored_path(tmp_path, name="restored"):
    return tmp_path / name


def restore(archive, target, backend, **options):
    url = POSTGRES_URL if backend == "postgresql" else None
    if url and "schema" not in options:  # a known name, to check that a failed restore drops it
        options["schema"] = f"rz_restore_{target.name.replace('-', '_')}_{os.getpid()}"
    return restore_backup(archive, target, passphrase=BACKUP_PASSPHRASE, workspace_passphrase=PASSPHRASE,
                          username="admin", database_url=url, **options)


def assert_same(original, restored_ws, extra_audit=1):
    tables, files = original
    got_tables, got_files = snapshot(restored_ws)
    assert got_files == files
    for name, rows in tables.items():
        if name == "audit_entry":  # the restore appends its own entry after the copied ones
            assert got_tables[name][: len(rows)] == rows and len(got_tables[name]) == len(rows) + extra_audit
        elif name == "workspace_meta":  # whose head checkpoint moved with that entry, as did the search index's
            moved = (audit.HEAD_KEY, "search_index")
            assert [r for r in got_tables[name] if r[0] not in moved] == [r for r in rows if r[0] not in moved]
        else:
            assert got_tables[name] == rows, name


def schemas():
    engine = engines.postgres_engine(POSTGRES_URL, "public")
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text("SELECT schema_name FROM information_schema.schemata")))
    finally:
        engine.dispose()


def test_restore_reproduces_every_record_file_and_audit_entry(workspace, tmp_path, backend):
    code = seed(workspace)
    archive = tmp_path / "ws.rzbackup"
    report = create_backup(workspace, actor_for_ws(workspace, "admin"), archive, BACKUP_PASSPHRASE)
    assert report.files == 1 and report.tables["person"] == 1 and archive.stat().st_mode & 0o777 == 0o600
    assert report.tables["event_attestation"] == 1 and report.tables["participation"] == 2
    data = archive.read_bytes()
    assert b"Synthetic" not in data and CONTENT[:20] not in data and b"person" not in data
    original = snapshot(workspace)
    target = restored_path(tmp_path)
    result = restore(archive, target, backend)
    assert result.audit_intact and result.files == 1 and result.tables == report.tables
    restored = Workspace.open(target, PASSPHRASE)
    try:
        assert_same(original, restored)
        with restored.store.session() as session:
            assert audit.verify(session, restored.keys.audit_key).intact
            interviewer = actor_for(session, "interviewer")
        identity = reveal_identity(restored.store, restored.keys, interviewer, code)
        assert identity.legal_name == "Synthetic Kim"
        with restored.store.session() as session:  # the search index is built again, for every record
            assert result.search_documents == session.scalar(sa.select(sa.func.count()).select_from(
                search_index.SearchDocument)) > 0
            assert all(not search_index.pending(session, kind) for kind in search_index.KINDS)
        with restored.store.session() as session:  # ids carry on after the restored ones
            ctx = Context(session, restored.keys, interviewer)
            assert add_person(ctx, sex="male").id == 2
    finally:
        discard(restored)


@pytest.mark.slow
@pytest.mark.postgres
def test_restore_across_backends_and_back(tmp_path):
    source = make_workspace(tmp_path / "source", "sqlite")
    with source.store.session() as session:
        for username, role in (("interviewer", "interviewer"), ("admin", "administrator")):
            create_user(session, source.keys, SYSTEM, username, role)
    try:
        seed(source)
        create_backup(source, actor_for_ws(source, "admin"), tmp_path / "a.bak", BACKUP_PASSPHRASE)
        original = snapshot(source)
    finally:
        discard(source)
    restore(tmp_path / "a.bak", tmp_path / "on-postgres", "postgresql")
    on_postgres = Workspace.open(tmp_path / "on-postgres", PASSPHRASE)
    try:
        assert on_postgres.config.backend == "postgresql"
        assert_same(original, on_postgres)
        create_backup(on_postgres, actor_for_ws(on_postgres, "admin"), tmp_path / "b.bak", BACKUP_PASSPHRASE)
    finally:
        discard(on_postgres)
    restore(tmp_path / "b.bak", tmp_path / "back", "sqlite")
    back = Workspace.open(tmp_path / "back", PASSPHRASE)
    try:
        assert back.config.backend == "sqlite"
        assert_same(original, back, extra_audit=3)  # restore, backup, restore
        with back.store.session() as session:
            assert audit.verify(session, back.keys.audit_key).intact
    finally:
        discard(back)


def actor_for_ws(ws, username):
    with ws.store.session() as session:
        return actor_for(session, username)


def test_a_damaged_cut_or_wrongly_unlocked_backup_restores_nothing(workspace, tmp_path, backend):
    seed(workspace)
    archive = tmp_path / "ws.bak"
    create_backup(workspace, actor_for_ws(workspace, "admin"), archive, BACKUP_PASSPHRASE)
    data = archive.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    header_edited = data.replace(b'"time_cost":1', b'"time_cost":2', 1)
    for name, content, error, message in (
            ("flipped", bytes(flipped), DamagedBackup, "fails authentication"),
            ("cut", data[: len(data) * 2 // 3], DamagedBackup, "truncated"),
            ("cut-at-end", data[:-1], DamagedBackup, "truncated"),
            ("header", header_edited, DamagedBackup, "header does not match the content"),
            ("not-a-backup", b"PK\x03\x04 something else", DamagedBackup, "not a Redzone backup")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(error, match=message):
            restore(tmp_path / name, tmp_path / f"into-{name}", backend)
    with pytest.raises(DamagedBackup, match="wrong backup passphrase"):
        restore_backup(archive, tmp_path / "x", passphrase="not the backup passphrase", workspace_passphrase=PASSPHRASE)
    with pytest.raises(WrongPassphrase, match="does not open the workspace in this backup"):
        restore_backup(archive, tmp_path / "x", passphrase=BACKUP_PASSPHRASE, workspace_passphrase="another one!")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["ws", "ws.bak", "flipped", "cut", "cut-at-end", "header", "not-a-backup"])
    if backend == "postgresql":
        assert not {s for s in schemas() if s.startswith("rz_restore_into_")}


def test_an_interrupted_restore_or_backup_leaves_nothing(workspace, tmp_path, backend, monkeypatch):
    seed(workspace)
    archive = tmp_path / "ws.bak"
    create_backup(workspace, actor_for_ws(workspace, "admin"), archive, BACKUP_PASSPHRASE)
    real = restore_module._Loader.flush
    calls = []

    def interrupted(self):
        calls.append(self.table.name)
        if len(calls) == 6:
            raise KeyboardInterrupt  # as if Ctrl-C were pressed in the middle of the load
        real(self)

    monkeypatch.setattr(restore_module._Loader, "flush", interrupted)
    with pytest.raises(KeyboardInterrupt):
        restore(archive, tmp_path / "restored", backend)
    assert len(calls) == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws", "ws.bak"]
    if backend == "postgresql":
        assert f"rz_restore_restored_{os.getpid()}" not in schemas()
    monkeypatch.undo()

    from redzone.backup import create as create_module

    real_file = create_module._file

    def disk_pulled(path, code, name):
        yield from list(real_file(path, code, name))[:3]
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(create_module, "_file", disk_pulled)
    with pytest.raises(OSError, match="Input/output"):
        create_backup(workspace, actor_for_ws(workspace, "admin"), tmp_path / "second.bak", BACKUP_PASSPHRASE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws", "ws.bak"]


def test_only_a_new_or_empty_workspace_is_restored_into(workspace, tmp_path, backend):
    seed(workspace)
    archive = tmp_path / "ws.bak"
    create_backup(workspace, actor_for_ws(workspace, "admin"), archive, BACKUP_PASSPHRASE)
    with pytest.raises(WorkspaceError, match="already holds records"):
        restore(archive, workspace.path, backend)
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "notes.txt").write_text("x")
    with pytest.raises(WorkspaceError, match="not empty and not a workspace"):
        restore(archive, tmp_path / "occupied", backend)
    # A workspace just created (an account, its audit entry) is empty: the restore replaces it.
    empty = make_workspace(tmp_path / "empty", backend)
    with empty.store.session() as session:
        create_user(session, empty.keys, SYSTEM, "owner", "administrator")
    empty.close()
    result = restore(archive, tmp_path / "empty", backend)
    assert result.replaced_empty_workspace
    restored = Workspace.open(tmp_path / "empty", PASSPHRASE)
    try:
        assert restored.config.kdf == workspace.config.kdf
        assert_same(snapshot(workspace), restored)
    finally:
        discard(restored)
    if backend == "postgresql":
        assert empty.config.schema not in schemas()
    with pytest.raises(PermissionDenied):
        restore_backup(archive, tmp_path / "by-analyst", passphrase=BACKUP_PASSPHRASE, workspace_passphrase=PASSPHRASE,
                       username="analyst", database_url=POSTGRES_URL if backend == "postgresql" else None)
    assert not (tmp_path / "by-analyst").exists()
    with pytest.raises(PermissionDenied):
        create_backup(workspace, actor_for_ws(workspace, "analyst"), tmp_path / "no.bak", BACKUP_PASSPHRASE)
    with pytest.raises(ValidationError, match="already exists"):
        create_backup(workspace, actor_for_ws(workspace, "admin"), archive, BACKUP_PASSPHRASE)


names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(people=st.lists(st.tuples(names, st.sampled_from(["female", "male", "unknown"]),
                                 st.one_of(st.none(), st.integers(1930, 2010))), min_size=0, max_size=6),
       content=st.binary(max_size=3000))
def test_backup_then_restore_is_the_identity(workspace, tmp_path_factory, backend, people, content):
    folder = tmp_path_factory.mktemp("example")
    with workspace.store.session() as session:
        ctx = Context(session, workspace.keys, actor_for(session, "interviewer"))
        for name, sex, born in people:
            add_person(ctx, sex=sex, birth_year_min=born, identity=Identity(legal_name=name, aliases=(name,)))
        add_evidence(ctx, workspace.evidence_dir, content)
    create_backup(workspace, actor_for_ws(workspace, "admin"), folder / "b", BACKUP_PASSPHRASE)
    original = snapshot(workspace)
    restore(folder / "b", folder / "r", backend)
    restored = Workspace.open(folder / "r", PASSPHRASE)
    try:
        assert_same(original, restored)
    finally:
        discard(restored)


def test_the_backup_and_restore_commands(workspace, tmp_path, backend):
    seed(workspace)
    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE,
           "REDZONE_BACKUP_PASSPHRASE": BACKUP_PASSPHRASE, "COLUMNS": "200"}
    runner = CliRunner()
    made = runner.invoke(app, ["--user", "admin", "--json", "backup", str(tmp_path / "cli.bak")], env=env)
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["files"] == 1
    target = tmp_path / "cli-restored"
    options = ["--database-url", POSTGRES_URL] if backend == "postgresql" else []
    done = runner.invoke(app, ["--workspace", str(target), "--user", "admin", "restore", str(tmp_path / "cli.bak"),
                               *options], env=env)
    assert done.exit_code == 0, done.output
    assert "Restored" in done.output and f"→ {backend}" in done.output
    verified = runner.invoke(app, ["--workspace", str(target), "--user", "admin", "audit", "verify"], env=env)
    assert verified.exit_code == 0 and "intact" in verified.output
    listed = runner.invoke(app, ["--workspace", str(target), "--user", "admin", "--json", "evidence", "verify"], env=env)
    assert listed.exit_code == 0 and json.loads(listed.output)["intact"]
    discard(Workspace.open(target, PASSPHRASE))
    assert os.environ.get("REDZONE_BACKUP_PASSPHRASE") is None


CHILD = r"""
import sys, time
from pathlib import Path
from redzone.backup import create as create_module, restore as restore_module
from redzone.backup import create_backup, restore_backup
from redzone.records.users import actor_for
from redzone.workspace import Workspace

mode, folder, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

def stall():
    marker.write_text("stalled")
    time.sleep(120)  # killed here

if mode == "restore":
    real = restore_module._Loader.flush
    def flush(self):
        real(self)
        if self.table.name == "person":
            stall()
    restore_module._Loader.flush = flush
    restore_backup(folder / "ws.bak", folder / "restored", passphrase=sys.argv[4], workspace_passphrase=sys.argv[5],
                   username="admin")
else:
    real_file = create_module._file
    def file(path, code, name):
        yield from real_file(path, code, name)
        stall()
    create_module._file = file
    ws = Workspace.open(folder / "ws", sys.argv[5])
    with ws.store.session() as session:
        admin = actor_for(session, "admin")
    create_backup(ws, admin, folder / "second.bak", sys.argv[4])
"""


def test_a_killed_backup_or_restore_leaves_no_file_and_no_workspace(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    ws = make_workspace(tmp_path / "ws", "sqlite")
    with ws.store.session() as session:
        for username, role in (("interviewer", "interviewer"), ("admin", "administrator")):
            create_user(session, ws.keys, SYSTEM, username, role)
    try:
        seed(ws)
        create_backup(ws, actor_for_ws(ws, "admin"), tmp_path / "ws.bak", BACKUP_PASSPHRASE)
    finally:
        ws.close()
    for mode in ("restore", "backup"):
        marker = tmp_path / f"{mode}.stalled"
        child = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(tmp_path), str(marker), BACKUP_PASSPHRASE,
                                  PASSPHRASE], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while not marker.exists():
                assert child.poll() is None, child.stderr.read().decode()
                assert time.monotonic() < deadline
                time.sleep(0.05)
            child.send_signal(signal.SIGKILL)  # the power cut: no clean-up code runs
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
    # Neither the backup file nor the restored workspace exists; only hidden temporaries are left.
    assert not (tmp_path / "restored").exists() and not (tmp_path / "second.bak").exists()
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert leftovers and all(".restore-" in name or name.endswith(".part") for name in leftovers), leftovers
    # ... and the same restore runs to completion afterwards.
    restore(tmp_path / "ws.bak", tmp_path / "restored", "sqlite")
    discard(Workspace.open(tmp_path / "restored", PASSPHRASE))
