"""Evidence files: adding them encrypted, opening and exporting them, and re-checking them all.

Threat: a file whose name or content identifies a survivor, on a laptop that may be seized; a
half-written file or a row without its file after a crash, which would break the custody
record; and a file altered on disk. Mechanism: the plaintext is streamed once — hashed and
sealed chunk by chunk (`container.py`) into a temporary file that is fsynced and then renamed
into place, so a file either exists whole or not at all; the rename is undone if the
transaction that holds the row rolls back. The original file name is a sealed field; the file
on disk is named by a random token that says nothing. Every open re-checks the SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import mimetypes
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from redzone.errors import IntegrityError, Problem, ValidationError
from redzone.evidence import container
from redzone.evidence.custody import append_entry, check_text, custody_mismatches, find_evidence
from redzone.messages import Message
from redzone.records.codes import new_code
from redzone.records.entry import Context
from redzone.records.models import Evidence, Source, utcnow
from redzone.security import audit
from redzone.security.keys import KeyRing
from redzone.security.policy import Actor, require
from redzone.store.engine import Store

STORED_SUFFIX = ".rze"
TEMPORARY_PREFIX = ".tmp-"
_PENDING = "redzone.evidence.pending_files"

# A few signatures, for files that arrive without a telling name (bytes from a web upload).
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WAVE", "audio/wav"),
    (8, b"WEBP", "image/webp"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (4, b"ftypM4A", "audio/mp4"),
    (4, b"ftyp", "video/mp4"),
    (0, b"PK\x03\x04", "application/zip"),
)


def filename_context(code: str) -> str:
    return f"evidence/{code}/filename"


def guess_media_type(name: str | None, head: bytes) -> str:
    """From the file name's extension (stdlib mimetypes), else from the first bytes."""
    if name:
        guessed, _encoding = mimetypes.guess_type(name, strict=False)
        if guessed:
            return guessed
    for offset, signature, media_type in _SIGNATURES:
        if head[offset: offset + len(signature)] == signature:
            return media_type
    try:
        head[:4096].decode("utf-8")
        return "text/plain" if head else "application/octet-stream"
    except UnicodeDecodeError:
        return "application/octet-stream"


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(container.CHUNK_BYTES):
        yield chunk


def _fsync_directory(path: Path) -> None:
    if os.name != "posix":  # directories cannot be opened for fsync on Windows
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_if_rolled_back(session: Session, path: Path) -> None:
    """Delete `path` if the transaction that recorded it rolls back; forget it once committed."""
    pending: list[Path] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []

        @event.listens_for(session, "after_rollback")
        def _discard(rolled_back: Session) -> None:
            for leftover in rolled_back.info.get(_PENDING, []):
                leftover.unlink(missing_ok=True)
            rolled_back.info[_PENDING] = []

        @event.listens_for(session, "after_commit")
        def _keep(committed: Session) -> None:
            committed.info[_PENDING] = []

    pending.append(path)


def _write_sealed(keys: KeyRing, code: str, chunks: Iterator[bytes], directory: Path) -> tuple[Path, str, int]:
    """Seal into a fresh temporary file, fsynced; on any failure nothing is left behind."""
    temporary = directory / f"{TEMPORARY_PREFIX}{secrets.token_hex(12)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            sha256, size = container.seal_to(keys.evidence, code, chunks, out)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary, sha256, size


def add_evidence(ctx: Context, evidence_dir: Path, file_path_or_bytes: Path | str | bytes | BinaryIO, *,
                 source: Source | str | None = None, media_type: str | None = None,
                 acquired_at: dt.datetime | None = None, acquired_by: str = "", acquisition_method: str = "",
                 original_name: str | None = None) -> Evidence:
    """Store a file encrypted, with its SHA-256, size, type and acquisition facts; custody `acquired`.

    Accepts a path, bytes or a binary stream. A failure at any point leaves neither a file nor
    (once the caller's transaction rolls back) a row.
    """
    require(ctx.actor, "evidence.add")
    problems: list[Problem] = []
    source_row = _resolve_source(ctx, source, problems)
    check_text(problems, "acquired_by", acquired_by, 80)
    check_text(problems, "acquisition_method", acquisition_method, 200)
    if media_type is not None and (media_type.count("/") != 1 or len(media_type) > 100 or " " in media_type):
        problems.append(Problem("media_type", Message("%(media_type)s is not a media type such as audio/mpeg",
                                                      media_type=repr(media_type))))
    if acquired_at is not None:
        if acquired_at.tzinfo is None:
            acquired_at = acquired_at.replace(tzinfo=dt.timezone.utc)
        acquired_at = acquired_at.astimezone(dt.timezone.utc)  # SQLite keeps no offset: store UTC
        if acquired_at > utcnow() + dt.timedelta(days=1):
            problems.append(Problem("acquired_at", "is in the future"))
    stream, name, opened_here = _open_input(file_path_or_bytes, problems)
    if original_name is not None:
        name = original_name or None
    if problems:
        if stream is not None and opened_here:
            stream.close()
        raise ValidationError(problems)
    assert stream is not None
    evidence_dir = Path(evidence_dir)
    evidence_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    code = new_code("evidence")
    try:
        head = stream.read(container.CHUNK_BYTES)
        chosen_type = media_type or guess_media_type(name, head)
        temporary, sha256, size = _write_sealed(ctx.keys, code, _prepend(head, _chunks(stream)), evidence_dir)
    finally:
        if opened_here:  # a stream the caller handed us stays theirs to close
            stream.close()
    final = evidence_dir / f"{secrets.token_hex(16)}{STORED_SUFFIX}"
    try:
        evidence = Evidence(code=code, source_id=source_row.id if source_row else None,
                            filename_sealed=ctx.keys.fields.seal(name, filename_context(code)) if name else None,
                            media_type=chosen_type, size_bytes=size, sha256=sha256, storage_name=final.name,
                            acquired_at=acquired_at, acquired_by=acquired_by, acquisition_method=acquisition_method)
        ctx.session.add(evidence)
        ctx.session.flush()
        append_entry(ctx, evidence, "acquired", holder=acquired_by or ctx.actor.username,
                     note=acquisition_method, sha256=sha256)
        ctx.audit("evidence.add", "evidence", code, {"sha256": sha256, "size_bytes": size, "media_type": chosen_type,
                                                     "source": source_row.code if source_row else None})
        os.replace(temporary, final)
        _remove_if_rolled_back(ctx.session, final)
        _fsync_directory(evidence_dir)
    except BaseException:
        temporary.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise
    return evidence


def _prepend(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield head
    yield from rest


def _resolve_source(ctx: Context, source: Source | str | None, problems: list[Problem]) -> Source | None:
    if source is None or isinstance(source, Source):
        return source
    row = ctx.session.scalars(sa.select(Source).where(Source.code == source)).one_or_none()
    if row is None:
        problems.append(Problem("source", Message("no source with code %(source)s", source=repr(source))))
    return row


def _open_input(given: Path | str | bytes | BinaryIO,
                problems: list[Problem]) -> tuple[BinaryIO | None, str | None, bool]:
    """(stream, original name, opened here). Messages never repeat the path: it may name a survivor."""
    if isinstance(given, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(given)), None, True
    if isinstance(given, (str, os.PathLike)):
        path = Path(given)
        if not path.is_file():
            problems.append(Problem("file", "the path given is not a readable file"))
            return None, None, False
        try:
            return path.open("rb"), path.name, True
        except OSError as exc:
            problems.append(Problem("file", Message("cannot be read (%(strerror)s)", strerror=exc.strerror)))
            return None, None, False
    if hasattr(given, "read"):
        name = getattr(given, "name", None)
        return given, Path(name).name if isinstance(name, str) and name else None, False
    problems.append(Problem("file", Message("expected a path, bytes or a binary stream, not %(name)s",
                                            name=type(given).__name__)))
    return None, None, False


def _stored_path(evidence_dir: Path, evidence: Evidence) -> Path:
    return Path(evidence_dir) / evidence.storage_name


def _decrypted(ctx: Context, evidence_dir: Path, evidence: Evidence) -> Iterator[bytes]:
    path = _stored_path(evidence_dir, evidence)
    if not path.is_file():
        raise IntegrityError(Message("evidence %(code)s: its file %(storage_name)s is missing",
                                     code=evidence.code, storage_name=evidence.storage_name))
    with path.open("rb") as stream:
        yield from container.unseal_from(ctx.keys.evidence, evidence.code, stream)


def open_evidence(ctx: Context, evidence_dir: Path, code: str, purpose: str = "") -> bytes:
    """The decrypted content, after checking its SHA-256; custody `viewed`, audited.

    The whole file is held in memory: for large files use `export_evidence`, which streams.
    """
    require(ctx.actor, "evidence.open")
    evidence = find_evidence(ctx, code)
    buffer = io.BytesIO()
    for chunk in _decrypted(ctx, evidence_dir, evidence):
        buffer.write(chunk)
    content = buffer.getvalue()
    _check_digest(evidence, hashlib.sha256(content).hexdigest(), len(content))
    append_entry(ctx, evidence, "viewed", note=purpose, sha256=evidence.sha256)
    return content


def _check_digest(evidence: Evidence, sha256: str, size: int) -> None:
    if sha256 != evidence.sha256 or size != evidence.size_bytes:
        raise IntegrityError(Message("evidence %(code)s: content does not match its recorded SHA-256 (recorded "
                                     "%(recorded)s…, found %(found)s…)",
                                     code=evidence.code, recorded=evidence.sha256[:12], found=sha256[:12]))


def export_evidence(ctx: Context, evidence_dir: Path, code: str, out_path: Path, *, recipient: str = "",
                    note: str = "") -> Path:
    """Decrypt to `out_path` (streamed, checked, written atomically; never overwrites); custody `exported`."""
    require(ctx.actor, "evidence.open")
    evidence = find_evidence(ctx, code)
    out_path = Path(out_path)
    if out_path.exists():
        raise ValidationError(Problem("out", Message("%(out_path)s already exists; choose a new file name",
                                                     out_path=out_path)))
    if not out_path.parent.is_dir():
        raise ValidationError(Problem("out", Message("%(parent)s is not a folder", parent=out_path.parent)))
    digest, size = hashlib.sha256(), 0
    temporary = out_path.parent / f".{out_path.name}.{secrets.token_hex(6)}.part"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in _decrypted(ctx, evidence_dir, evidence):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        _check_digest(evidence, digest.hexdigest(), size)
        append_entry(ctx, evidence, "exported", sha256=evidence.sha256,
                     note=f"decrypted copy written by {ctx.actor.username}" + (f" for {recipient}" if recipient else "")
                     + (f": {note}" if note else ""))
        os.replace(temporary, out_path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return out_path


def reveal_filename(ctx: Context, code: str) -> str | None:
    """The sealed original file name (it may name a survivor): policy `evidence.open`, audited."""
    require(ctx.actor, "evidence.open")
    evidence = find_evidence(ctx, code)
    if evidence.filename_sealed is None:
        return None
    ctx.audit("evidence.view_filename", "evidence", code)
    return ctx.keys.fields.unseal_text(evidence.filename_sealed, filename_context(code))


def record_refusal(store: Store, keys: KeyRing, actor: Actor, action: str, code: str) -> None:
    """Audit a refused evidence action in a transaction of its own, so it outlives the refused one."""
    with store.session() as session:
        audit.append(session, keys.audit_key, actor.username, f"{action}.denied", "evidence", code)


@dataclass(frozen=True)
class FileProblem:
    """One evidence file that did not pass: `kind` is missing, unreadable, mismatch (the content's
    digest), or custody (its custody log differs from the audit chain)."""

    code: str
    kind: str
    detail: str


@dataclass
class VerificationReport:
    checked: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)  # files on disk that no record names

    @property
    def intact(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"checked": self.checked, "intact": self.intact,
                "problems": [{"code": p.code, "kind": p.kind, "detail": p.detail} for p in self.problems],
                "unreferenced_files": list(self.unreferenced)}


def verify_all(ctx: Context, evidence_dir: Path) -> VerificationReport:
    """Decrypt and re-hash every evidence file; report each one missing, unreadable or altered, and
    each whose custody log no longer matches its audit entries, by code; append a custody entry
    `verified` for each, with the digest found."""
    require(ctx.actor, "evidence.view")
    evidence_dir = Path(evidence_dir)
    report = VerificationReport()
    known: set[str] = set()
    custody = custody_mismatches(ctx)  # before this run's own `verified` entries are added
    for evidence in ctx.session.scalars(sa.select(Evidence).order_by(Evidence.id)).all():
        report.checked += 1
        known.add(evidence.storage_name)
        found, problem = _check_one(ctx, evidence_dir, evidence)
        problems = [problem] if problem else []
        if evidence.id in custody:
            problems.append(FileProblem(evidence.code, "custody", custody[evidence.id]))
        report.problems.extend(problems)
        append_entry(ctx, evidence, "verified", sha256=found,
                     note="; ".join(f"{p.kind}: {p.detail}" for p in problems) or "intact")
    if evidence_dir.is_dir():
        report.unreferenced = sorted(p.name for p in evidence_dir.iterdir() if p.is_file() and p.name not in known)
    ctx.audit("evidence.verify", "evidence", "", {"checked": report.checked, "problems": len(report.problems),
                                                  "unreferenced": len(report.unreferenced)})
    return report


def _check_one(ctx: Context, evidence_dir: Path, evidence: Evidence) -> tuple[str | None, FileProblem | None]:
    path = _stored_path(evidence_dir, evidence)
    if not path.is_file():
        return None, FileProblem(evidence.code, "missing", f"file {evidence.storage_name} is not in {evidence_dir}")
    try:
        with path.open("rb") as stream:
            sha256, size = container.digest_of(ctx.keys.evidence, evidence.code, stream)
    except container.DamagedEvidence as damaged:
        return None, FileProblem(evidence.code, "unreadable", damaged.reason)
    except OSError as exc:
        return None, FileProblem(evidence.code, "unreadable", f"cannot be read ({exc.strerror})")
    if sha256 != evidence.sha256 or size != evidence.size_bytes:
        return sha256, FileProblem(evidence.code, "mismatch",
                                   f"SHA-256 {sha256[:12]}… ({size} bytes) differs from the recorded "
                                   f"{evidence.sha256[:12]}… ({evidence.size_bytes} bytes)")
    return sha256, None


def list_evidence(ctx: Context) -> list[Evidence]:
    require(ctx.actor, "evidence.view")
    return list(ctx.session.scalars(sa.select(Evidence).order_by(Evidence.id)))
