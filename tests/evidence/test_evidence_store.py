"""Evidence files: stored encrypted, opened only by those allowed, every tampering reported by code,
custody kept in order, and nothing left behind by a failed add."""

import hashlib
import os
import shutil

import pytest
import sqlalchemy as sa

from redzone import evidence
from redzone.errors import IntegrityError, PermissionDenied, ValidationError
from redzone.evidence import container
from redzone.evidence import store as evidence_store
from redzone.records.entry import add_source
from redzone.records.models import AuditEntry, CustodyEntry, Evidence
from redzone.security import audit
from redzone.security.keys import NONCE_BYTES

MARKER = b"SYNTHETIC-MARKER-7f3a: testimony of a synthetic person, never to appear on disk. "


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 1,000 bytes, so that small test files span several chunks."""
    monkeypatch.setattr(container, "CHUNK_BYTES", 1000)


@pytest.fixture
def source_code(context_for):
    with context_for("interviewer") as ctx:
        return add_source(ctx, kind="interview", reliability="B", credibility=2).code


def add(context_for, workspace, content, name="interview-synthetic.txt", **facts):
    with context_for("interviewer") as ctx:
        return evidence.add_evidence(ctx, workspace.evidence_dir, content, original_name=name, **facts).code


def stored_file(workspace, code):
    with workspace.store.session() as session:
        name = session.scalar(sa.select(Evidence.storage_name).where(Evidence.code == code))
    return workspace.evidence_dir / name


def test_round_trip_and_no_plaintext_on_disk(context_for, workspace, source_code, small_chunks, tmp_path):
    content = MARKER * 60  # about 5 kB: six chunks
    original = tmp_path / "kim-synthetic-interview.txt"
    original.write_bytes(content)
    with context_for("interviewer") as ctx:
        item = evidence.add_evidence(ctx, workspace.evidence_dir, original, source=source_code,
                                     acquisition_method="recorded at interview")
        code = item.code
        assert item.sha256 == hashlib.sha256(content).hexdigest() and item.size_bytes == len(content)
        assert item.media_type == "text/plain"
    on_disk = stored_file(workspace, code).read_bytes()
    assert b"SYNTHETIC-MARKER" not in on_disk and b"kim-synthetic" not in on_disk
    assert stat_mode(stored_file(workspace, code)) == 0o600
    with context_for("legal") as ctx:
        assert evidence.open_evidence(ctx, workspace.evidence_dir, code) == content
        assert evidence.reveal_filename(ctx, code) == "kim-synthetic-interview.txt"
    with workspace.store.session() as session:
        sealed = session.scalar(sa.select(Evidence.filename_sealed).where(Evidence.code == code))
        assert b"kim-synthetic" not in sealed
        details = " ".join(str(d) for d in session.scalars(sa.select(AuditEntry.detail)))
        assert "kim-synthetic" not in details


def stat_mode(path):
    return os.stat(path).st_mode & 0o777


def test_bytes_and_streams_with_guessed_media_types(context_for, workspace):
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(64)
    with context_for("interviewer") as ctx:
        from_bytes = evidence.add_evidence(ctx, workspace.evidence_dir, png)
        empty = evidence.add_evidence(ctx, workspace.evidence_dir, b"", media_type="audio/mpeg")
        with open(os.devnull, "rb") as nothing:
            evidence.add_evidence(ctx, workspace.evidence_dir, nothing)
        assert from_bytes.media_type == "image/png" and from_bytes.filename_sealed is None
        assert evidence.guess_media_type("statement.pdf", b"") == "application/pdf"
        assert evidence.guess_media_type(None, b"ID3\x04") == "audio/mpeg"
        assert evidence.guess_media_type(None, b"\x00\xff\xfe") == "application/octet-stream"
        assert evidence.open_evidence(ctx, workspace.evidence_dir, from_bytes.code) == png
        assert evidence.open_evidence(ctx, workspace.evidence_dir, empty.code) == b""


def test_every_kind_of_tampering_is_reported_by_code(context_for, workspace, small_chunks):
    codes = {name: add(context_for, workspace, MARKER * 30 + name.encode()) for name in
             ("intact", "flipped", "cut_at_chunk", "cut_inside", "extended", "swap_a", "swap_b", "deleted", "rehashed")}
    path = {name: stored_file(workspace, code) for name, code in codes.items()}
    data = bytearray(path["flipped"].read_bytes())
    data[len(data) // 2] ^= 0x01
    path["flipped"].write_bytes(bytes(data))
    header = len(container.MAGIC) + 1 + len(codes["cut_at_chunk"])
    frame = 4 + 1 + NONCE_BYTES + 1000 + 16  # length word, format byte, nonce, one chunk, tag
    path["cut_at_chunk"].write_bytes(path["cut_at_chunk"].read_bytes()[: header + frame])  # the last chunks gone
    path["cut_inside"].write_bytes(path["cut_inside"].read_bytes()[:-7])
    path["extended"].write_bytes(path["extended"].read_bytes() + path["extended"].read_bytes()[header:header + 100])
    swap = path["swap_a"].with_suffix(".tmp-swap")
    os.replace(path["swap_a"], swap)
    os.replace(path["swap_b"], path["swap_a"])
    os.replace(swap, path["swap_b"])
    path["deleted"].unlink()
    with workspace.store.session() as session:  # the file is fine, its recorded digest is not
        session.execute(sa.update(Evidence).where(Evidence.code == codes["rehashed"]).values(sha256="0" * 64))
    shutil.copy(path["intact"], workspace.evidence_dir / "planted.rze")

    with context_for("admin") as ctx:  # verification reads no content out: evidence.view is enough
        report = evidence.verify_all(ctx, workspace.evidence_dir)
    found = {p.code: p for p in report.problems}
    assert report.checked == 9 and not report.intact
    assert codes["intact"] not in found
    assert {found[codes[n]].kind for n in ("flipped", "cut_at_chunk", "cut_inside", "extended", "swap_a", "swap_b")} \
        == {"unreadable"}
    assert "fails authentication" in found[codes["flipped"]].detail
    assert "without its last chunk" in found[codes["cut_at_chunk"]].detail
    assert "truncated inside" in found[codes["cut_inside"]].detail
    assert "extra data" in found[codes["extended"]].detail
    assert f"holds evidence {codes['swap_b']}" in found[codes["swap_a"]].detail
    assert found[codes["deleted"]].kind == "missing"
    assert found[codes["rehashed"]].kind == "mismatch"
    assert report.unreferenced == ["planted.rze"]
    with workspace.store.session() as session:
        notes = dict(session.execute(sa.select(Evidence.code, CustodyEntry.note).join(CustodyEntry.evidence)
                                     .where(CustodyEntry.action == "verified")).all())
    assert notes[codes["intact"]] == "intact" and notes[codes["deleted"]].startswith("missing")
    with context_for("legal") as ctx, pytest.raises(IntegrityError, match=codes["flipped"]):
        evidence.open_evidence(ctx, workspace.evidence_dir, codes["flipped"])


def test_custody_in_order_for_add_view_transfer_export_verify(context_for, workspace, source_code, tmp_path):
    code = add(context_for, workspace, MARKER, acquired_by="Field team A", source=source_code)
    with context_for("legal") as ctx:
        evidence.open_evidence(ctx, workspace.evidence_dir, code, purpose="case file review")
    with context_for("officer") as ctx:
        evidence.transfer(ctx, code, "Documentation office, evidence safe", note="receipt 41")
    out = tmp_path / "copy.txt"
    with context_for("legal") as ctx:
        evidence.export_evidence(ctx, workspace.evidence_dir, code, out, recipient="UN mechanism")
        with pytest.raises(ValidationError, match="already exists"):
            evidence.export_evidence(ctx, workspace.evidence_dir, code, out)
        evidence.verify_all(ctx, workspace.evidence_dir)
        log = evidence.custody_log(ctx, code)
        holder = evidence.current_holder(ctx, evidence.find_evidence(ctx, code))
    assert out.read_bytes() == MARKER and stat_mode(out) == 0o600
    assert [e.action for e in log] == ["acquired", "viewed", "transferred", "exported", "verified"]
    assert [e.actor for e in log] == ["interviewer", "legal", "officer", "legal", "legal"]
    assert log[0].holder == "Field team A" and holder == "Documentation office, evidence safe"
    assert log[3].holder == holder and "UN mechanism" in log[3].note
    digest = hashlib.sha256(MARKER).hexdigest()
    assert [e.sha256 for e in log] == [digest, digest, None, digest, digest]
    with workspace.store.session() as session:
        actions = list(session.scalars(sa.select(AuditEntry.action).where(AuditEntry.record_type == "evidence")
                                       .order_by(AuditEntry.id)))
        assert actions == ["evidence.acquired", "evidence.add", "evidence.viewed", "evidence.transferred",
                           "evidence.exported", "evidence.verified", "evidence.verify"]
        assert audit.verify(session, workspace.keys.audit_key).intact


def test_who_may_do_what(context_for, workspace):
    code = add(context_for, workspace, MARKER)
    with context_for("analyst") as ctx:
        assert [e.code for e in evidence.list_evidence(ctx)] == [code]  # metadata: yes
        with pytest.raises(PermissionDenied):
            evidence.open_evidence(ctx, workspace.evidence_dir, code)
        with pytest.raises(PermissionDenied):
            evidence.reveal_filename(ctx, code)
        with pytest.raises(PermissionDenied):
            evidence.add_evidence(ctx, workspace.evidence_dir, b"x")
    for username in ("admin", "public"):
        with context_for(username) as ctx, pytest.raises(PermissionDenied):
            evidence.open_evidence(ctx, workspace.evidence_dir, code)
    with context_for("public") as ctx, pytest.raises(PermissionDenied):
        evidence.list_evidence(ctx)


def count(workspace, model, *where):
    with workspace.store.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def assert_nothing_left(workspace):
    assert list(workspace.evidence_dir.iterdir()) == []
    assert count(workspace, Evidence) == 0 and count(workspace, CustodyEntry) == 0
    assert count(workspace, AuditEntry, AuditEntry.record_type == "evidence") == 0


def test_a_write_failing_midway_leaves_nothing(context_for, workspace, small_chunks, monkeypatch):
    written = []
    real = container._write_frame

    def disk_full(out, sealer, code, index, chunk, *, last):
        if written:
            raise OSError(28, "No space left on device")
        written.append(index)
        real(out, sealer, code, index, chunk, last=last)

    monkeypatch.setattr(container, "_write_frame", disk_full)
    with pytest.raises(OSError, match="No space left"):
        add(context_for, workspace, MARKER * 40)
    assert written == [0]
    assert_nothing_left(workspace)


def test_a_failure_after_the_rename_leaves_nothing(context_for, workspace, monkeypatch):
    def no_sync(path):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(evidence_store, "_fsync_directory", no_sync)
    with pytest.raises(OSError, match="Input/output"):
        add(context_for, workspace, MARKER)
    assert_nothing_left(workspace)


def test_a_transaction_rolled_back_after_the_add_takes_the_file_with_it(context_for, workspace):
    with pytest.raises(RuntimeError):
        with context_for("interviewer") as ctx:
            evidence.add_evidence(ctx, workspace.evidence_dir, MARKER)
            assert len(list(workspace.evidence_dir.iterdir())) == 1
            raise RuntimeError("a later step of the same transaction fails")
    assert_nothing_left(workspace)


def test_bad_input_is_named_field_by_field(context_for, workspace, tmp_path):
    import datetime as dt

    with pytest.raises(ValidationError) as raised, context_for("interviewer") as ctx:
        evidence.add_evidence(ctx, workspace.evidence_dir, tmp_path / "absent.wav", source="SRC-NOSUCH",
                              media_type="not a type", acquired_at=dt.datetime(2999, 1, 1), acquired_by="x" * 81)
    fields = {p.field for p in raised.value.problems}
    assert fields == {"file", "source", "media_type", "acquired_at", "acquired_by"}
    assert_nothing_left(workspace)


def test_custody_rows_edited_deleted_or_added_behind_the_application_are_reported(context_for, workspace, tmp_path):
    codes = [add(context_for, workspace, MARKER + bytes([n])) for n in range(4)]
    with context_for("officer") as ctx:
        for code in codes:
            evidence.transfer(ctx, code, "Evidence safe, office B")
    with context_for("legal") as ctx:
        evidence.export_evidence(ctx, workspace.evidence_dir, codes[0], tmp_path / "copy", recipient="UN mechanism")
        assert evidence.custody_mismatches(ctx) == {}
        assert evidence.verify_all(ctx, workspace.evidence_dir).intact
    with workspace.store.session() as session:
        ids = {code: session.scalar(sa.select(Evidence.id).where(Evidence.code == code)) for code in codes}
        exported = session.scalar(sa.select(CustodyEntry.id).where(CustodyEntry.action == "exported"))
        session.execute(sa.delete(CustodyEntry).where(CustodyEntry.id == exported))
        session.execute(sa.update(CustodyEntry).where(CustodyEntry.evidence_id == ids[codes[1]],
                                                      CustodyEntry.action == "transferred").values(holder="Nobody"))
        session.add(CustodyEntry(evidence_id=ids[codes[2]], actor="legal", action="viewed", holder="x"))
    with context_for("admin") as ctx:
        report = evidence.verify_all(ctx, workspace.evidence_dir)
        assert evidence.custody_mismatches(ctx, [ids[codes[1]]]) == {
            ids[codes[1]]: evidence.custody_mismatches(ctx)[ids[codes[1]]]}
    found = {p.code: p for p in report.problems}
    assert not report.intact and set(found) == set(codes[:3]) and {p.kind for p in found.values()} == {"custody"}
    assert f"custody entry {exported} (exported)" in found[codes[0]].detail and "deleted" in found[codes[0]].detail
    assert found[codes[1]].detail.endswith("in holder")
    assert "has no audit entry" in found[codes[2]].detail
    with workspace.store.session() as session:  # the finding is in the file's custody log and audit chain too
        note = session.scalar(sa.select(CustodyEntry.note).where(CustodyEntry.evidence_id == ids[codes[1]])
                              .order_by(CustodyEntry.id.desc()).limit(1))
        assert note.startswith("custody: ") and audit.verify(session, workspace.keys.audit_key).intact
