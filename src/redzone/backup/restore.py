"""Restoring a backup into a new (or empty) workspace, all or nothing.

The restored workspace is the backed-up one: the same KDF salt and costs, so the same passphrase
derives the same keys, and every sealed value, evidence file and audit hash is copied as it was,
byte for byte, whichever backend it came from or goes to. Order:

1. read the manifest and check that the workspace passphrase opens the workspace it describes;
   refuse a target that holds records;
2. build the new workspace in a hidden staging folder beside the target (and, on PostgreSQL, a new
   schema): migrate to the backup's schema revision, load every table and evidence file in ONE
   transaction, check every count and the SHA-256 of the whole stream, then migrate to the current
   revision and append the `backup.restore` audit entry;
3. only then rename the staging folder into place. Any failure or interruption before that
   removes the staging folder and the new schema: the target is left as it was.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from redzone.backup import archive
from redzone.backup.dump import decode, line
from redzone.errors import IntegrityError, Problem, ValidationError, WorkspaceError, WrongPassphrase
from redzone.records.models import Base
from redzone.records.users import actor_for
from redzone.security import audit
from redzone.security.keys import KdfParams, KeyRing
from redzone.security.policy import require
from redzone.store import engine as engines
from redzone.store import migrate
from redzone.search import index as search_index
from redzone.store.engine import Store
from redzone.workspace import CONFIG_NAME, DATABASE_NAME, EVIDENCE_DIR, Settings, Workspace, WorkspaceConfig

BATCH = 1000
# Tables a freshly created workspace may already hold rows in: accounts and their trail (and the web's
# background jobs), not records.
_ACCOUNT_TABLES = {"user_account", "audit_entry", "workspace_meta", "login_attempt", "user_setting", "api_token",
                   "web_session", "search_document", "access_grant", "web_job"}
_STORAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$")


@dataclass
class RestoreReport:
    workspace: str
    backend: str
    from_backend: str
    revision: str | None
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    audit_intact: bool = True
    audit_problem: str | None = None
    replaced_empty_workspace: bool = False
    search_documents: int = 0  # rows of the search index, rebuilt for the restored records
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def restore_backup(source: Path | str, target: Path | str, *, passphrase: str, workspace_passphrase: str | None = None,
                   username: str = "owner", database_url: str | None = None,
                   schema: str | None = None) -> RestoreReport:
    """Restore `source` as the workspace at `target`. `passphrase` opens the backup file;
    `workspace_passphrase` (default: the same) is the backed-up workspace's, and opens the result.
    `username` must be an account of the backed-up workspace allowed to `backup.run`."""
    started = time.perf_counter()
    source, target = Path(source), Path(target)
    workspace_passphrase = workspace_passphrase or passphrase
    if not source.is_file():
        raise ValidationError(Problem("file", f"{source} does not exist or is not a file"))
    with source.open("rb") as stream:
        lines = _documents(archive.read_archive(stream, passphrase))
        manifest = next(lines, None)
        if not isinstance(manifest, dict) or manifest.get("kind") != "manifest":
            raise archive.DamagedBackup("the manifest is missing (damaged)")
        config = _config_from(manifest)
        try:
            keys = KeyRing.unlock(workspace_passphrase, config.kdf, config.keycheck)
        except WrongPassphrase:
            raise WrongPassphrase("wrong passphrase: it does not open the workspace in this backup") from None
        revision = manifest.get("revision")
        _check_revision(revision)
        replaced = _check_target(target, workspace_passphrase)
        if replaced is not None and database_url is None and replaced.backend == "postgresql":
            database_url = replaced.database_url
        report = RestoreReport(workspace=str(target), backend="postgresql" if database_url else "sqlite",
                               from_backend=str(manifest.get("backend")), revision=revision,
                               replaced_empty_workspace=replaced is not None)
        staging = target.parent / f".{target.name}.restore-{secrets.token_hex(4)}"
        store: Store | None = None
        try:
            staging.mkdir(mode=0o700)
            (staging / EVIDENCE_DIR).mkdir(mode=0o700)
            if database_url:
                config.backend, config.database_url = "postgresql", engines.normalise_postgres_url(database_url)
                config.schema = schema or f"redzone_{secrets.token_hex(4)}"
            store = _new_store(staging, config, keys)
            migrate.upgrade(store.engine, revision or "base")
            with store.engine.begin() as connection:
                _load(connection, store.backend, lines, manifest, staging / EVIDENCE_DIR, report)
            if revision != migrate.head_revision():
                migrate.upgrade(store.engine)
            config.write(staging)
            _finish(Workspace(staging, config, keys, store), username, source.name, report)
        except BaseException:
            if store is not None:
                store.dispose()
                if store.backend == "postgresql" and config.schema:
                    _drop_schema(config.database_url or "", config.schema)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        store.dispose()
    _swap(staging, target, replaced)
    report.seconds = time.perf_counter() - started
    return report


def _documents(raw: Iterator[bytes]) -> Iterator[Any]:
    for text in raw:
        try:
            yield json.loads(text)
        except (ValueError, RecursionError):
            raise archive.DamagedBackup("a record is not readable (damaged)") from None


def _config_from(manifest: dict[str, Any]) -> WorkspaceConfig:
    origin = manifest.get("workspace") or {}
    try:
        settings = Settings(**origin.get("settings", {})).validate()
    except TypeError:
        raise archive.DamagedBackup("the workspace settings in the manifest are not readable") from None
    return WorkspaceConfig(backend="sqlite", kdf=KdfParams.from_dict(origin.get("kdf", {})),
                           keycheck=str(origin.get("keycheck", "")), created=str(origin.get("created", "")),
                           demo=bool(origin.get("demo", False)), settings=settings)


def _check_revision(revision: str | None) -> None:
    if revision is None:
        return
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        known = scripts.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        known = False
    if not known:
        raise WorkspaceError(f"the backup's schema revision {revision!r} is unknown to this Redzone: "
                             "restore it with the version that wrote it, or a newer one")


def _check_target(target: Path, passphrase: str) -> WorkspaceConfig | None:
    """None when the target is absent or an empty folder; the config of an empty workspace that the
    restore will replace; WorkspaceError for anything else."""
    if (target / CONFIG_NAME).exists():
        try:
            existing = Workspace.open(target, passphrase)
        except WrongPassphrase:
            raise WorkspaceError(f"{target} holds a workspace that the backup's passphrase does not open; "
                                 "restore into a new folder") from None
        try:
            with existing.store.session() as session:
                present = set(sa.inspect(session.connection()).get_table_names())
                holding = [t.name for t in Base.metadata.sorted_tables if t.name in present
                           and t.name not in _ACCOUNT_TABLES
                           and session.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()]
            files = existing.evidence_dir.is_dir() and any(existing.evidence_dir.iterdir())
        finally:
            existing.close()
        if holding or files:
            raise WorkspaceError(f"{target} already holds records ({', '.join(holding[:5]) or 'evidence files'}); "
                                 "restore only into a new folder or an empty workspace")
        return existing.config
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WorkspaceError(f"{target} is not empty and not a workspace; restore into a new or empty folder")
    if not target.parent.is_dir():
        raise WorkspaceError(f"{target.parent} does not exist")
    return None


def _new_store(staging: Path, config: WorkspaceConfig, keys: KeyRing) -> Store:
    if config.backend == "sqlite":
        store = Store(engines.sqlcipher_engine(staging / DATABASE_NAME, keys.database_key), "sqlite")
    else:
        assert config.database_url and config.schema
        engine = engines.postgres_engine(config.database_url, config.schema)
        engines.check_reachable(engine)
        engines.create_schema(engine, config.schema)
        store = Store(engine, "postgresql", config.schema)
    engines.check_reachable(store.engine)
    return store


def _drop_schema(url: str, schema: str) -> None:
    engine = engines.postgres_engine(url, "public")
    try:
        engines.drop_schema(engine, schema)
    finally:
        engine.dispose()


class _Loader:
    """Inserts the rows of one table in batches; typed values decoded on the way."""

    def __init__(self, connection: sa.Connection, table: sa.Table, columns: list[str]) -> None:
        unknown = [c for c in columns if c not in table.columns]
        if unknown:
            raise archive.DamagedBackup(f"table {table.name}: columns {', '.join(unknown)} do not exist at the "
                                        "backup's schema revision (damaged)")
        self.connection, self.table, self.columns = connection, table, columns
        self.batch: list[dict[str, Any]] = []
        self.rows = 0

    def add(self, row: list[Any]) -> None:
        if len(row) != len(self.columns):
            raise archive.DamagedBackup(f"table {self.table.name}: a row has {len(row)} values for "
                                        f"{len(self.columns)} columns (damaged)")
        self.batch.append({column: decode(value) for column, value in zip(self.columns, row)})
        self.rows += 1
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.connection.execute(self.table.insert(), self.batch)
            self.batch = []


def _load(connection: sa.Connection, backend: str, documents: Iterator[Any], manifest: dict[str, Any],
          evidence_dir: Path, report: RestoreReport) -> None:
    """Every table and file of the stream, in one transaction; checks every count and the digest."""
    digest = hashlib.sha256(line(manifest))
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    expected = list(manifest.get("tables") or [])
    loader: _Loader | None = None
    file: tuple[str, int, Any, Path, Any] | None = None  # name, size, digest, temporary path, stream
    files = 0
    try:
        for document in documents:
            if isinstance(document, dict) and document.get("kind") == "end":
                _check_end(document, digest.hexdigest(), report.tables, files, expected)
                report.files = files
                if backend == "postgresql":
                    _advance_sequences(connection, [metadata.tables[name] for name in report.tables])
                return
            digest.update(line(document))
            if isinstance(document, list):
                if loader is None:
                    raise archive.DamagedBackup("a row outside any table (damaged)")
                loader.add(document)
            elif isinstance(document, str):
                if file is None:
                    raise archive.DamagedBackup("file data outside any file (damaged)")
                try:
                    file[4].write(base64.b64decode(document, validate=True))
                except ValueError:
                    raise archive.DamagedBackup(f"evidence file {file[0]}: data not readable (damaged)") from None
            elif isinstance(document, dict) and document.get("kind") == "table":
                name = str(document.get("name"))
                if name not in metadata.tables or name not in expected or name in report.tables:
                    raise archive.DamagedBackup(f"unexpected table {name[:60]!r} (damaged)")
                loader = _Loader(connection, metadata.tables[name], list(document.get("columns") or []))
            elif isinstance(document, dict) and document.get("kind") == "table_end":
                if loader is None or document.get("name") != loader.table.name or document.get("rows") != loader.rows:
                    raise archive.DamagedBackup("a table ends where it should not, or with another count (damaged)")
                loader.flush()
                report.tables[loader.table.name] = loader.rows
                loader = None
            elif isinstance(document, dict) and document.get("kind") == "file":
                name = str(document.get("name"))
                if not _STORAGE_NAME.match(name) or (evidence_dir / name).exists():
                    raise archive.DamagedBackup(f"evidence file name {name[:60]!r} is not acceptable (damaged)")
                temporary = evidence_dir / f".tmp-{name}"
                file = (name, int(document.get("size") or 0), hashlib.sha256(), temporary, temporary.open("xb"))
                os.chmod(temporary, 0o600)
            elif isinstance(document, dict) and document.get("kind") == "file_end":
                if file is None or document.get("name") != file[0]:
                    raise archive.DamagedBackup("a file ends where it should not (damaged)")
                name, size, _, temporary, stream = file
                stream.flush()
                os.fsync(stream.fileno())
                stream.close()
                found = _sha256(temporary)
                if temporary.stat().st_size != size or found != document.get("sha256"):
                    raise archive.DamagedBackup(f"evidence file {name}: size or SHA-256 differs (damaged)")
                os.replace(temporary, evidence_dir / name)
                file, files = None, files + 1
            else:
                raise archive.DamagedBackup("a record of an unknown kind (damaged, or written by a newer Redzone)")
        raise archive.DamagedBackup("the backup ends before its last record (truncated)")
    finally:
        if file is not None:
            file[4].close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_end(end: dict[str, Any], digest: str, tables: dict[str, int], files: int, expected: list[str]) -> None:
    if end.get("sha256") != digest:
        raise archive.DamagedBackup("the SHA-256 of the content does not match its last record (damaged)")
    if end.get("tables") != tables or sorted(tables) != sorted(expected) or end.get("files") != files:
        raise archive.DamagedBackup("the counts of tables, rows or files do not match the last record (damaged)")


def _advance_sequences(connection: sa.Connection, tables: list[sa.Table]) -> None:
    """PostgreSQL: rows came with their ids, so each id sequence must move past the largest one."""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": table.name, "c": keys[0].name}).scalar()
        if sequence:
            connection.execute(sa.text(f'SELECT setval(:s, coalesce((SELECT max("{keys[0].name}") FROM '
                                       f'"{table.name}"), 0) + 1, false)'), {"s": sequence})


def _finish(ws: Workspace, username: str, file_name: str, report: RestoreReport) -> None:
    """Check the chain copied, record the restore by an account of the restored workspace, and build
    the search index, which a backup does not carry (it is derived, and differs by backend)."""
    with ws.store.session() as session:
        report.search_documents = search_index.rebuild(session, ws.keys)
        chain = audit.verify(session, ws.keys.audit_key)
        report.audit_intact, report.audit_problem = chain.intact, chain.problem
        actor = actor_for(session, username)
        require(actor, "backup.run")
        audit.append(session, ws.keys.audit_key, actor.username, "backup.restore", "workspace", "",
                     {"file": file_name, "from_backend": report.from_backend, "rows": sum(report.tables.values()),
                      "files": report.files, "chain_intact": chain.intact})


def _swap(staging: Path, target: Path, replaced: WorkspaceConfig | None) -> None:
    """Put the restored workspace in place of the target (absent, an empty folder, or an empty workspace)."""
    if replaced is None:
        if target.exists():
            target.rmdir()
        os.rename(staging, target)
        return
    aside = target.parent / f".{target.name}.replaced-{secrets.token_hex(4)}"
    os.rename(target, aside)
    os.rename(staging, target)
    shutil.rmtree(aside, ignore_errors=True)
    if replaced.backend == "postgresql" and replaced.schema:
        _drop_schema(replaced.database_url or "", replaced.schema)
