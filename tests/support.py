"""Helpers shared by tests: test passphrase, cheap KDF costs, backends, workspace creation and disposal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from redzone.store import engine as engines
from redzone.workspace import Workspace

POSTGRES_URL = os.environ.get("REDZONE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSPHRASE = "test passphrase for synthetic data"
# Cheap KDF costs keep the suite fast; real workspaces use the defaults in security/keys.py.
FAST_KDF = {"time_cost": 1, "memory_cost_kib": 8 * 1024, "parallelism": 1}
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def make_workspace(path: Path, backend: str, **kwargs) -> Workspace:
    url = POSTGRES_URL if backend == "postgresql" else None
    return Workspace.create(path, PASSPHRASE, database_url=url, kdf_costs=FAST_KDF, **kwargs)


def discard(ws: Workspace) -> None:
    schema = ws.config.schema
    ws.close()
    if ws.config.backend == "postgresql" and schema:
        engine = engines.postgres_engine(ws.config.database_url, "public")
        engines.drop_schema(engine, schema)
        engine.dispose()

