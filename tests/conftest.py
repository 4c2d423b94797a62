"""Shared fixtures: every test that takes `workspace` runs once on SQLCipher and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import BACKENDS, discard, make_workspace

from redzone.records.entry import Context
from redzone.records.users import SYSTEM, create_user
from redzone.workspace import Workspace

VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "mse_validation"


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def workspace(tmp_path: Path, backend: str) -> Iterator[Workspace]:
    ws = make_workspace(tmp_path / "ws", backend)
    with ws.store.session() as session:
        for username, role in (("interviewer", "interviewer"), ("officer", "documentation_officer"),
                               ("legal", "legal_analyst"), ("analyst", "data_analyst"),
                               ("admin", "administrator"), ("public", "public")):
            create_user(session, ws.keys, SYSTEM, username, role)
    try:
        yield ws
    finally:
        discard(ws)


@pytest.fixture
def context_for(workspace: Workspace):
    """`with context_for('interviewer') as ctx:` — a recording context acting as that test account."""
    from contextlib import contextmanager

    from redzone.records.users import actor_for

    @contextmanager
    def open_context(username: str = "interviewer") -> Iterator[Context]:
        with workspace.store.session() as session:
            yield Context(session, workspace.keys, actor_for(session, username))

    return open_context


@pytest.fixture(scope="session")
def published():
    """Load a published capture-history table from shared/mse_validation; skip when the folder is absent."""
    from redzone.estimate import CaptureTable

    if not VALIDATION.is_dir():
        pytest.skip(f"published capture tables not found at {VALIDATION}")

    def load(name: str):
        return CaptureTable.from_csv(VALIDATION / name)

    return load
