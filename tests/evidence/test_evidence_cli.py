"""`redzone evidence` as a user meets it: every command on both backends (in process), and the real
entry point in a subprocess for refusals and a failed verification (exit codes, one-line errors)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from support import PASSPHRASE, make_workspace
from typer.testing import CliRunner

from redzone.cli import app
from redzone.evidence import add_evidence
from redzone.records.entry import Context, add_source
from redzone.records.models import AuditEntry, CustodyEntry, Evidence
from redzone.records.users import SYSTEM, create_user
from redzone.security.policy import Actor



CONTENT = b"SYNTHETIC-CLI-MARKER: a synthetic recording, never on disk in the clear.\n" * 20


def run(workspace, *args):
    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1",
           "COLUMNS": "200"}
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def test_every_evidence_command(workspace, context_for, tmp_path):
    with context_for("interviewer") as ctx:
        source = add_source(ctx, kind="interview", reliability="B", credibility=2).code
    original = tmp_path / "recording.txt"
    original.write_bytes(CONTENT)

    added = run(workspace, "--user", "interviewer", "--json", "evidence", "add", str(original), "--source", source,
                "--acquired-at", "2024-03-02T10:00:00+09:00", "--method", "copied from the interviewer's phone")
    assert added.exit_code == 0, added.output
    code = json.loads(added.output)["code"]
    assert json.loads(added.output)["acquired_at"] == "2024-03-02T01:00:00+00:00"

    listed = json.loads(run(workspace, "--user", "analyst", "--json", "evidence", "list").output)
    assert [(row["code"], row["source"], row["holder"]) for row in listed] == [(code, source, "interviewer")]

    moved = run(workspace, "--user", "officer", "evidence", "transfer", code, "--to", "Evidence safe, office B")
    assert moved.exit_code == 0 and "Evidence safe, office B" in moved.output

    out = tmp_path / "copy.txt"
    exported = run(workspace, "--user", "legal", "evidence", "export", code, "--out", str(out), "--recipient", "UN")
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes() == CONTENT and "NOT encrypted" in exported.output

    verified = run(workspace, "--user", "legal", "evidence", "verify")
    assert verified.exit_code == 0 and "all intact" in verified.output

    shown = run(workspace, "--user", "legal", "evidence", "show", code)
    assert shown.exit_code == 0 and "Custody" in shown.output and "original name" in shown.output
    custody = json.loads(run(workspace, "--user", "legal", "--json", "evidence", "show", code).output)["custody"]
    assert [e["action"] for e in custody] == ["acquired", "transferred", "exported", "verified"]


def redzone(path, *args):
    env = {**os.environ, "REDZONE_WORKSPACE": str(path), "REDZONE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "redzone", *args], capture_output=True, text=True, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_refusal_and_tampering_through_the_real_command(tmp_path):
    ws = make_workspace(tmp_path / "ws", "sqlite")
    try:
        with ws.store.session() as session:
            create_user(session, ws.keys, SYSTEM, "analyst", "data_analyst")
            create_user(session, ws.keys, SYSTEM, "legal", "legal_analyst")
            ctx = Context(session, ws.keys, Actor("interviewer", "interviewer"))
            code = add_evidence(ctx, ws.evidence_dir, CONTENT).code
            stored = ws.evidence_dir / session.scalar(sa.select(Evidence.storage_name))

        refused = redzone(ws.path, "--user", "analyst", "evidence", "export", code, "--out", str(tmp_path / "x"))
        assert refused.returncode == 1 and not (tmp_path / "x").exists()
        assert refused.stderr.strip() == "error: permission denied: analyst may not decrypt and open an evidence file"
        with ws.store.session() as session:
            last = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
            assert (last.actor, last.action, last.record_id) == ("analyst", "evidence.open.denied", code)

        stored.write_bytes(stored.read_bytes()[:-1])
        failed = redzone(ws.path, "--user", "legal", "evidence", "verify")
        assert failed.returncode == 2 and code in failed.stdout and "truncated" in failed.stdout
        assert "Traceback" not in failed.stderr
    finally:
        ws.close()


def test_show_marks_a_custody_log_that_does_not_match_the_audit_trail(workspace, context_for, monkeypatch):
    from redzone.cli.app import console

    monkeypatch.setattr(console, "_width", 200)  # a dumb terminal (TERM=dumb, as on CI) ignores COLUMNS
    with context_for("interviewer") as ctx:
        code = add_evidence(ctx, workspace.evidence_dir, CONTENT, acquired_by="Field team A").code
    assert "does not match" not in run(workspace, "--user", "legal", "evidence", "show", code).output
    with workspace.store.session() as session:
        session.execute(sa.update(CustodyEntry).values(holder="Someone else"))
    shown = run(workspace, "--user", "legal", "evidence", "show", code)
    assert shown.exit_code == 0 and "custody log does not match the audit trail" in shown.output
    assert "differs from audit entry" in shown.output and "in holder" in shown.output
    data = json.loads(run(workspace, "--user", "legal", "--json", "evidence", "show", code).output)
    assert "in holder" in data["custody_problem"]
    verified = run(workspace, "--user", "legal", "evidence", "verify")
    assert verified.exit_code == 2 and f"{code} custody" in verified.output
