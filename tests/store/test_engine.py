"""PostgreSQL connections in the pool: a connection that sat idle is tested before use and replaced if
the server dropped it; one back a moment ago is used as it is (no ping per transaction); and a
`Store.autocommit()` session commits each statement as it runs."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa
from support import POSTGRES_URL, discard, make_workspace

from redzone.store import engine as engines

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(tmp_path):
    ws = make_workspace(tmp_path / "ws", "postgresql")
    yield ws.store
    discard(ws)


def _backend_pid(store) -> int:  # noqa: ANN001
    with store.session() as session:
        return session.scalar(sa.text("SELECT pg_backend_pid()"))


def _terminate(pid: int) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        assert connection.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def test_an_idle_connection_the_server_dropped_is_replaced_before_use(store, monkeypatch):
    first = _backend_pid(store)
    _terminate(first)
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 0.0)  # every pooled connection counts as idle
    assert _backend_pid(store) != first  # no error: the ping failed and a new connection served
    with store.autocommit() as session:  # the ping leaves no transaction open that autocommit would trip on
        assert session.scalar(sa.text("SELECT 1")) == 1


def test_a_connection_used_a_moment_ago_is_not_pinged(store, monkeypatch):
    first = _backend_pid(store)
    _terminate(first)
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 3600.0)
    with pytest.raises(sa.exc.OperationalError):  # no ping: the dropped connection fails its one statement
        _backend_pid(store)
    assert _backend_pid(store) != first  # and the pool is renewed for the next


def test_autocommit_commits_each_statement_as_it_runs(store):
    with store.session() as session:
        session.execute(sa.text("CREATE TABLE autocommit_probe (n integer)"))
    with pytest.raises(RuntimeError), store.autocommit() as session:
        session.execute(sa.text("INSERT INTO autocommit_probe VALUES (1)"))
        raise RuntimeError("after the statement")
    with store.session() as session:
        assert session.scalar(sa.text("SELECT count(*) FROM autocommit_probe")) == 1
