"""Bulk ingest on both backends: one source per distinct text, however often a folder is ingested."""

import sqlalchemy as sa

from redzone.extract import ingest_directory, read_proposals
from redzone.records.models import Source


def test_ingest_is_idempotent_and_keeps_sealed_proposals(workspace, tmp_path):
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("I was sold in Yanji in 2019 for 20,000 yuan. He beat me.", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("2019년 3월 혜산에서 2만 위안에 팔렸다.", encoding="utf-8")
    (folder / "copy-of-a.txt").write_text("I was sold in Yanji in 2019 for 20,000 yuan. He beat me.", encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    seen = []
    first = ingest_directory(workspace, "officer", folder, progress=seen.append)
    assert first.files == 4 and len(seen) == 4
    assert len(first.created) == 2 and first.duplicates == ["copy-of-a.txt"]
    assert first.skipped == [("empty.txt", "empty")] and first.facts > 0
    second = ingest_directory(workspace, "officer", folder)
    assert second.created == [] and len(second.duplicates) == 3
    with workspace.store.session() as session:
        sources = session.scalars(sa.select(Source).order_by(Source.id)).all()
        assert [s.language for s in sources] == ["en", "ko"]
        assert all(s.text_sealed and b"Yanji" not in s.text_sealed for s in sources)
        codes = [s.code for s in sources]
    proposals = read_proposals(workspace, codes[0])
    assert proposals["language"] == "en"
    assert {f["type"] for f in proposals["facts"]} >= {"violation", "place", "money", "date"}
    sealed = (workspace.path / "proposals" / f"{codes[0]}.sealed").read_bytes()
    assert b"Yanji" not in sealed and b"violation" not in sealed
