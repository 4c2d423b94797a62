"""Bulk ingest: every .txt and .md file of a folder becomes one Source (its text sealed), and the facts
proposed for it are kept, sealed, for review. Idempotent: a text already in the workspace (same keyed
digest, `Source.text_digest`) is not recorded again, however its file is named or wherever it lies.

Proposals are not records: nothing enters the database as an act, place or claim until a person
accepts it (the review page). Until then they live beside the workspace, one file per source,
`<workspace>/proposals/<source code>.sealed`, encrypted with the sealed-field key; `read_proposals`
opens one. File names are stored as the source's title, unsealed: name files by case code, not by person.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from redzone.errors import Problem, ValidationError
from redzone.extract.facts import detect_language
from redzone.extract.methods import extract, get_method
from redzone.records.entry import Context, add_source
from redzone.records.models import Source
from redzone.records.users import actor_for
from redzone.workspace import Workspace

SUFFIXES = (".txt", ".md")
PROPOSALS_DIR = "proposals"


def proposals_context(code: str) -> str:
    return f"source/{code}/proposals"


@dataclass
class IngestReport:
    """What one ingest did: files read, sources created, duplicates skipped, facts proposed."""

    files: int = 0
    created: list[str] = field(default_factory=list)  # source codes
    duplicates: list[str] = field(default_factory=list)  # relative paths of files already ingested
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    facts: int = 0

    def to_dict(self) -> dict:
        return {"files": self.files, "created": len(self.created), "sources": self.created,
                "duplicates": self.duplicates, "skipped": [{"file": f, "reason": r} for f, r in self.skipped],
                "facts_proposed": self.facts}


def list_files(directory: Path) -> list[Path]:
    """The .txt and .md files under `directory`, in a stable order."""
    if not directory.is_dir():
        raise ValidationError(Problem("directory", f"{directory} is not a folder"))
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def ingest_directory(ws: Workspace, username: str, directory: Path, *, language: str = "auto",
                     method: str | None = None, kind: str = "written_statement",
                     progress: Callable[[Path], None] | None = None) -> IngestReport:
    """Ingest every text file under `directory` as `username`; one transaction per file, so an
    interrupted run keeps what it finished and a re-run picks up the rest."""
    get_method(method)  # fail before touching anything if the method is unknown
    report = IngestReport()
    folder = ws.path / PROPOSALS_DIR
    for path in list_files(directory):
        report.files += 1
        relative = str(path.relative_to(directory))
        try:
            text = path.read_text(encoding="utf-8").lstrip("\ufeff")
        except (OSError, UnicodeDecodeError) as error:
            report.skipped.append((relative, f"unreadable as UTF-8 text ({type(error).__name__})"))
            _advance(progress, path)
            continue
        if not text.strip():
            report.skipped.append((relative, "empty"))
            _advance(progress, path)
            continue
        digest = ws.keys.digest(text)
        with ws.store.session() as session:
            if session.scalar(sa.select(Source.id).where(Source.text_digest == digest).limit(1)) is not None:
                report.duplicates.append(relative)
                _advance(progress, path)
                continue
            lang = detect_language(text) if language == "auto" else language
            extraction = extract(text, lang, method, file=relative)
            ctx = Context(session, ws.keys, actor_for(session, username))
            source = add_source(ctx, kind=kind, title=relative[:300], language=lang, text=text)
            folder.mkdir(exist_ok=True)
            payload = json.dumps(extraction.to_dict(), ensure_ascii=False).encode("utf-8")
            (folder / f"{source.code}.sealed").write_bytes(ws.keys.fields.seal(payload, proposals_context(source.code)))
            ctx.audit("source.facts_proposed", "source", source.code,
                      {"method": extraction.method, "facts": len(extraction.facts)})
            report.created.append(source.code)
            report.facts += len(extraction.facts)
        _advance(progress, path)
    return report


def read_proposals(ws: Workspace, code: str) -> dict | None:
    """The sealed proposals kept for one source, or None if ingest kept none."""
    path = ws.path / PROPOSALS_DIR / f"{code}.sealed"
    if not path.is_file():
        return None
    return json.loads(ws.keys.fields.unseal_text(path.read_bytes(), proposals_context(code)))


def _advance(progress: Callable[[Path], None] | None, path: Path) -> None:
    if progress is not None:
        progress(path)
