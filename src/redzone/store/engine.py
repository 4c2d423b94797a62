"""Database engines: SQLCipher (embedded, encrypted whole) and PostgreSQL, behind one `Store`.

The rest of Redzone never asks which backend runs it, except where SQL genuinely differs
(bulk loading, full-text search), and then only through `Store.backend`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from redzone.errors import ConfigurationError, StoreError, WrongPassphrase

Backend = Literal["sqlite", "postgresql"]
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
PING_AFTER_IDLE_SECONDS = 1.0  # PostgreSQL connections idle longer are tested before use


class Store:
    """An open database: an engine, its backend name and a session factory."""

    def __init__(self, engine: sa.Engine, backend: Backend, schema: str | None = None) -> None:
        self.engine = engine
        self.backend = backend
        self.schema = schema
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed if the block succeeds, rolled back entirely if not."""
        with self._sessions() as session:
            with session.begin():
                yield session

    @contextmanager
    def autocommit(self) -> Iterator[Session]:
        """A session with no transaction around its statements: each commits on its own. Only for
        reads, and for writes of a single statement that need nothing else to hold with them (the
        per-request sign-in check touching a session row). On PostgreSQL this saves the BEGIN and
        COMMIT round trips and loses nothing for reads: under READ COMMITTED each statement of a
        transaction sees the newest commits anyway. On SQLite, where a transaction costs no round
        trip and gives a snapshot, it is an ordinary `session()`."""
        if self.backend != "postgresql":
            with self.session() as session:
                yield session
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            with Session(connection, expire_on_commit=False) as session:
                yield session
                session.commit()  # sends what the block changed, each statement committed as it runs

    def dispose(self) -> None:
        self.engine.dispose()


def _bind_directly(value: object) -> object:
    return value


def sqlcipher_engine(path: Path, key: bytes) -> sa.Engine:
    import sqlcipher3

    # The driver binds str, int and float directly, but looks every other value up in its adapter
    # registry, and when that fails tries two protocols, at about 2 µs a value: the NULLs and sealed
    # blobs of a bulk insert (half its binding time). Registered as themselves, they bind in 0.3 µs;
    # what is stored is unchanged (these types are not the base types whose adapting would slow all).
    for plain in (type(None), bytes, memoryview):
        sqlcipher3.register_adapter(plain, _bind_directly)

    # A raw 256-bit key: SQLCipher's own PBKDF2 is skipped because the key already comes
    # from argon2id (security/keys.py).
    pragma_key = f"PRAGMA key = \"x'{key.hex()}'\""

    def connect() -> sqlcipher3.Connection:
        connection = sqlcipher3.connect(str(path), check_same_thread=False, timeout=30)
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(pragma_key)
        return connection

    # A queue of connections to the file: the "sqlite://" URL alone would pick SingletonThreadPool (meant
    # for in-memory databases), which closes connections other threads are still using once more than
    # five threads (a web server's) touch it, and SQLCipher then crashes.
    # LIFO: the connection most recently returned is handed out next, so the few a light load needs
    # keep their page caches warm (each connection has its own, and decrypting pages into a cold one
    # is most of a query's cost); overflow connections are opened and closed, caches and all.
    engine = sa.create_engine("sqlite://", module=sqlcipher3, creator=connect, pool_pre_ping=False,
                              poolclass=sa.pool.QueuePool, pool_size=8, max_overflow=16, pool_use_lifo=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT count(*) FROM sqlite_master")
        except sqlcipher3.DatabaseError:
            raise WrongPassphrase() from None
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Pages are decrypted as they enter SQLite's cache: a cache that holds the statistics indexes
        # of a million acts (up to 128 MiB, allocated only as used) keeps repeated counts off the cipher.
        cursor.execute("PRAGMA cache_size = -131072")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.close()

    return engine


def normalise_postgres_url(url: str) -> str:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(f"database_url: expected a postgresql:// URL, got {parsed.get_backend_name()}://")
    if parsed.password:
        raise ConfigurationError("database_url: must not contain a password (use PGPASSWORD or ~/.pgpass)")
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def postgres_engine(url: str, schema: str) -> sa.Engine:
    if not SCHEMA_NAME.match(schema):
        raise ConfigurationError(f"schema: {schema!r} is not a valid lower-case SQL identifier")
    try:
        # LIFO, as for SQLCipher: under a light load the same few connections serve, and psycopg's
        # prepared statements (made per connection after a statement's fifth run) stay hot on them.
        engine = sa.create_engine(
            normalise_postgres_url(url),
            connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 10},
            pool_use_lifo=True,
        )
    except sa.exc.ArgumentError as exc:
        raise ConfigurationError(f"database_url: {exc}") from None
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: sa.Engine) -> None:
    """Test a pooled connection before use only if it sat idle for `PING_AFTER_IDLE_SECONDS`.

    `pool_pre_ping` pings on every checkout: one more round trip per transaction, and a web page
    opens two. A connection back in the pool a moment ago is as good as a ping would prove it; one
    that waited longer (when a server restart or an idle timeout drops connections) is tested, and
    if the test fails the pool drops it and every connection older than it, as pre-ping does. A
    connection that broke between two close uses fails that one statement and the pool is renewed."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:  # noqa: ANN001
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return  # new, or back a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa.exc.InvalidatePoolError(f"connection failed its ping after idling: {error}") from None


def create_schema(engine: sa.Engine, schema: str) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def drop_schema(engine: sa.Engine, schema: str) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def check_reachable(engine: sa.Engine) -> None:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except WrongPassphrase:
        raise
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"database unreachable: {reason}") from None
