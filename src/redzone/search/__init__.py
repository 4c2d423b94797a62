"""Full-text search over what a role may see: Korean, Chinese and English, on SQLite (FTS5 inside
the encrypted file) and PostgreSQL (keyed digests, no plaintext on the server). See docs/search.md."""

from __future__ import annotations

from redzone.search.index import KINDS, catch_up, rebuild, refresh
from redzone.search.query import Hit, search, searchable
from redzone.workspace import Workspace


def reindex(ws: Workspace) -> int:
    """Rebuild the whole search index of a workspace; returns the number of index rows written."""
    with ws.store.session() as session:
        return rebuild(session, ws.keys)


__all__ = ["KINDS", "Hit", "catch_up", "rebuild", "refresh", "reindex", "search", "searchable"]
