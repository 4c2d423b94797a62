"""Benchmarks (`make bench`): each module's `run()` returns rows written to docs/benchmarks.md."""

from __future__ import annotations

import shutil
from pathlib import Path


def discard_workspace(ws, folder: Path | None = None) -> None:  # noqa: ANN001
    """Close a benchmark's throw-away workspace, drop its PostgreSQL schema, and remove its folder."""
    from redzone.store import engine as engines

    schema, url = ws.config.schema, ws.config.database_url
    ws.close()
    if ws.config.backend == "postgresql" and schema:
        engine = engines.postgres_engine(url, "public")
        engines.drop_schema(engine, schema)
        engine.dispose()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
