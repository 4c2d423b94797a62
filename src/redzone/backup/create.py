"""Writing a backup: one consistent snapshot of the database, the encrypted evidence files as
stored, and the audit chain with its head checkpoint, into one encrypted file that appears under
its name only once it is whole (temporary file, fsync, rename)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext

from redzone.backup import archive
from redzone.backup.dump import FILE_PIECE, backed_up_tables, encode, line, rows_of
from redzone.errors import IntegrityError, Problem, ValidationError
from redzone.records.models import Base, Evidence
from redzone.security import audit
from redzone.security.policy import Actor, require
from redzone.workspace import Workspace

MANIFEST_FORMAT = 1


@dataclass
class BackupReport:
    file: str
    bytes: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    audit_entries: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def create_backup(ws: Workspace, actor: Actor, out: Path | str, passphrase: str) -> BackupReport:
    """Write the whole workspace to `out` (which must not exist), encrypted under `passphrase`."""
    require(actor, "backup.run")
    out = Path(out)
    problems = []
    if out.exists():
        problems.append(Problem("file", f"{out} already exists; choose a new file name"))
    elif not out.parent.is_dir():
        problems.append(Problem("file", f"{out.parent} is not a folder"))
    if len(passphrase) < 8:
        problems.append(Problem("passphrase", "must be at least 8 characters"))
    if problems:
        raise ValidationError(problems)
    started = time.perf_counter()
    report = BackupReport(file=out.name)
    with ws.store.session() as session:  # the intent is audited, and part of the copy
        audit.append(session, ws.keys.audit_key, actor.username, "backup.run", "workspace", "", {"file": out.name})
    temporary = out.with_name(f".{out.name}.{secrets.token_hex(4)}.part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream, ws.store.engine.connect() as connection:
            _snapshot(connection, ws.store.backend)
            archive.write_archive(stream, passphrase, ws.config.kdf, _lines(connection, ws, report))
            stream.flush()
            os.fsync(stream.fileno())
            connection.rollback()
        os.replace(temporary, out)
        _fsync_directory(out.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    report.bytes = out.stat().st_size
    report.seconds = time.perf_counter() - started
    return report


def _snapshot(connection: sa.Connection, backend: str) -> None:
    """Read every table from one snapshot, whatever is written meanwhile."""
    if backend == "postgresql":
        connection.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    else:
        # The SQLite driver opens no transaction for reads; an explicit one pins a WAL snapshot.
        connection.exec_driver_sql("BEGIN")


def _lines(connection: sa.Connection, ws: Workspace, report: BackupReport) -> Iterator[bytes]:
    digest = hashlib.sha256()

    def emit(document: Any) -> bytes:
        data = line(document)
        digest.update(data)
        return data

    present = set(sa.inspect(connection).get_table_names())
    tables = backed_up_tables(Base.metadata, present)
    yield emit({"kind": "manifest", "format": MANIFEST_FORMAT, "redzone": _version(),
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "backend": ws.store.backend, "revision": MigrationContext.configure(connection).get_current_revision(),
                "workspace": {"kdf": ws.config.kdf.to_dict(), "keycheck": ws.config.keycheck,
                              "settings": asdict(ws.config.settings), "demo": ws.config.demo,
                              "created": ws.config.created},
                "tables": [t.name for t in tables]})
    for table in tables:
        columns = [c.name for c in table.columns]
        yield emit({"kind": "table", "name": table.name, "columns": columns})
        count = 0
        for row in rows_of(connection, table):
            count += 1
            yield emit([encode(value) for value in row])
        yield emit({"kind": "table_end", "name": table.name, "rows": count})
        report.tables[table.name] = count
    report.audit_entries = report.tables.get("audit_entry", 0)
    for code, name in connection.execute(sa.select(Evidence.code, Evidence.storage_name).order_by(Evidence.id)):
        yield from (emit(document) for document in _file(ws.evidence_dir / name, code, name))
        report.files += 1
    yield line({"kind": "end", "tables": report.tables, "files": report.files, "sha256": digest.hexdigest()})


def _file(path: Path, code: str, name: str) -> Iterator[Any]:
    """The stored (still encrypted) bytes of one evidence file, in base64 pieces."""
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            digest = hashlib.sha256()
            yield {"kind": "file", "name": name, "size": size}
            while piece := stream.read(FILE_PIECE):
                digest.update(piece)
                yield base64.b64encode(piece).decode("ascii")
    except FileNotFoundError:
        raise IntegrityError(f"evidence {code}: its file {name} is missing; run `redzone evidence verify`, "
                             "restore the file, then back up again") from None
    yield {"kind": "file_end", "name": name, "sha256": digest.hexdigest()}


def _fsync_directory(path: Path) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("redzone")
    except PackageNotFoundError:
        return "unknown"
