"""Values worth computing once per state of the data: kept per server process until the next write
(any new audit entry: every write appends one) or `WebSettings.dashboard_cache_seconds`."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from fastapi import Request

from redzone.records.models import AuditEntry

T = TypeVar("T")
MAX_ENTRIES = 1000  # filters and searches are many: past this, forget them all and start again


def data_version_column() -> sa.ScalarSelect:
    """Every write appends an audit entry, so the newest entry's id changes whenever data may have;
    as a column, to read it with a query a page runs anyway (a round trip less)."""
    return sa.select(sa.func.max(AuditEntry.id)).scalar_subquery()


# Read on every dashboard request: built once (building the statement and its cache key cost more
# CPU than SQLite spends running it).
_DATA_VERSION = sa.select(data_version_column())


def data_version(session) -> int:  # noqa: ANN001
    return session.scalar(_DATA_VERSION) or 0


def cached(request: Request, session, key: Hashable, compute: Callable[[], T],  # noqa: ANN001
           version: int | None = None) -> T:
    """`compute()`, or what it gave for `key` since the last write, if not older than the lifetime.
    `version`: the data version if the caller has read it already (`data_version_column()`)."""
    cache = request.app.state.dashboard_cache
    version = data_version(session) if version is None else version
    entry = cache.get(key)
    if entry and entry[0] == version and time.monotonic() - entry[1] < request.app.state.settings.dashboard_cache_seconds:
        return entry[2]
    value = compute()
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = (version, time.monotonic(), value)
    return value
