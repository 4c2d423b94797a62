"""The workspace: a folder holding the configuration, the database (or the address of one) and
the encrypted evidence store, opened with a passphrase that is never written anywhere.

    <workspace>/workspace.json   backend, KDF parameters, key check, settings (no secret)
    <workspace>/redzone.db       the SQLCipher database (embedded backend)
    <workspace>/evidence/        evidence files, each AES-GCM encrypted
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from redzone.errors import ConfigurationError, WorkspaceError
from redzone.security.keys import KdfParams, KeyRing
from redzone.store import engine as engines
from redzone.store import migrate
from redzone.store.engine import Store

CONFIG_NAME = "workspace.json"
DATABASE_NAME = "redzone.db"
EVIDENCE_DIR = "evidence"
FORMAT_VERSION = 1


def default_workspace_path() -> Path:
    """`REDZONE_WORKSPACE`, else the per-user data folder (XDG), else ~/.local/share."""
    if env := os.environ.get("REDZONE_WORKSPACE"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "redzone" / "default"


@dataclass
class Settings:
    """Per-workspace settings an administrator may change; validated when read."""

    suppression_threshold: int = 5

    def validate(self) -> Settings:
        if not isinstance(self.suppression_threshold, int) or self.suppression_threshold < 1:
            raise ConfigurationError("settings.suppression_threshold: must be an integer ≥ 1")
        return self


@dataclass
class WorkspaceConfig:
    backend: engines.Backend
    kdf: KdfParams
    keycheck: str
    database_url: str | None = None
    schema: str | None = None
    created: str = ""
    demo: bool = False
    settings: Settings = field(default_factory=Settings)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "backend": self.backend,
            "database_url": self.database_url,
            "schema": self.schema,
            "created": self.created,
            "demo": self.demo,
            "kdf": self.kdf.to_dict(),
            "keycheck": self.keycheck,
            "settings": asdict(self.settings),
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def read(cls, path: Path) -> WorkspaceConfig:
        file = path / CONFIG_NAME
        if not file.is_file():
            raise WorkspaceError(f"{path} is not a Redzone workspace (no {CONFIG_NAME}); create one with `redzone init`")
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigurationError(f"{file}: unreadable ({exc})") from None
        if data.get("format") != FORMAT_VERSION:
            raise ConfigurationError(f"{file}: format {data.get('format')!r} is not supported (expected {FORMAT_VERSION})")
        backend = data.get("backend")
        if backend not in ("sqlite", "postgresql"):
            raise ConfigurationError(f"{file}: backend: expected 'sqlite' or 'postgresql', got {backend!r}")
        if backend == "postgresql" and not (data.get("database_url") and data.get("schema")):
            raise ConfigurationError(f"{file}: database_url and schema are required for the postgresql backend")
        try:
            settings = Settings(**data.get("settings", {})).validate()
        except TypeError as exc:
            raise ConfigurationError(f"{file}: settings: {exc}") from None
        return cls(
            backend=backend,
            kdf=KdfParams.from_dict(data.get("kdf", {})),
            keycheck=str(data.get("keycheck", "")),
            database_url=data.get("database_url"),
            schema=data.get("schema"),
            created=data.get("created", ""),
            demo=bool(data.get("demo", False)),
            settings=settings,
        )

    def write(self, path: Path) -> None:
        temporary = path / f".{CONFIG_NAME}.tmp"
        temporary.write_text(self.to_json(), encoding="utf-8")
        os.replace(temporary, path / CONFIG_NAME)


class Workspace:
    """An open workspace: configuration, keys in memory, and the store."""

    def __init__(self, path: Path, config: WorkspaceConfig, keys: KeyRing, store: Store) -> None:
        self.path = path
        self.config = config
        self.keys = keys
        self.store = store

    @property
    def evidence_dir(self) -> Path:
        return self.path / EVIDENCE_DIR

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        database_url: str | None = None,
        schema: str | None = None,
        demo: bool = False,
        kdf_costs: dict[str, int] | None = None,
    ) -> Workspace:
        path = Path(path)
        if (path / CONFIG_NAME).exists():
            raise WorkspaceError(f"{path} already holds a workspace")
        if path.exists() and any(path.iterdir()):
            raise WorkspaceError(f"{path} is not empty; choose an empty or new folder")
        if len(passphrase) < 8:
            raise ConfigurationError("passphrase: must be at least 8 characters")
        kdf = KdfParams.new(**(kdf_costs or {}))
        keys = KeyRing.unlock(passphrase, kdf)
        backend: engines.Backend = "postgresql" if database_url else "sqlite"
        if database_url:
            database_url = engines.normalise_postgres_url(database_url)
            schema = schema or f"redzone_{secrets.token_hex(4)}"
        config = WorkspaceConfig(
            backend=backend,
            kdf=kdf,
            keycheck=keys.keycheck,
            database_url=database_url,
            schema=schema,
            created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            demo=demo,
        )
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
        (path / EVIDENCE_DIR).mkdir(mode=0o700, exist_ok=True)
        store = _open_store(path, config, keys, create=True)
        try:
            migrate.upgrade(store.engine)
        except Exception:
            store.dispose()
            raise
        config.write(path)
        return cls(path, config, keys, store)

    @classmethod
    def open(cls, path: Path, passphrase: str, *, upgrade: bool = True) -> Workspace:
        path = Path(path)
        config = WorkspaceConfig.read(path)
        keys = KeyRing.unlock(passphrase, config.kdf, config.keycheck)
        store = _open_store(path, config, keys, create=False)
        if upgrade and migrate.current_revision(store.engine) != migrate.head_revision():
            migrate.upgrade(store.engine)
        return cls(path, config, keys, store)

    def close(self) -> None:
        self.store.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _open_store(path: Path, config: WorkspaceConfig, keys: KeyRing, *, create: bool) -> Store:
    if config.backend == "sqlite":
        database = path / DATABASE_NAME
        if not create and not database.is_file():
            raise WorkspaceError(f"{database} is missing: the workspace database was moved or deleted")
        store = Store(engines.sqlcipher_engine(database, keys.database_key), "sqlite")
    else:
        assert config.database_url and config.schema
        engine = engines.postgres_engine(config.database_url, config.schema)
        engines.check_reachable(engine)
        if create:
            engines.create_schema(engine, config.schema)
        store = Store(engine, "postgresql", config.schema)
    engines.check_reachable(store.engine)
    return store
