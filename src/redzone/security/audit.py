"""The audit chain: who wrote what, and who read which sealed identity, in an order nobody can
quietly change.

Threat: an insider (or whoever holds a copy of the database) who edits, deletes, inserts or
reorders entries to hide a read of a survivor's identity or a change to a record.

Mechanism: entry n stores `previous_hash` = hash of entry n−1 and `entry_hash` =
HMAC-SHA256(audit key, canonical JSON of its own fields, its sequence number and
`previous_hash`). The key comes from the workspace passphrase, so somebody with write access to
the database but not the passphrase cannot recompute a consistent chain after tampering.
`verify()` walks the chain and names the first entry that does not fit.

Entries never carry a sealed value: `detail` holds field names, codes and counts only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.records.models import AuditEntry, utcnow

GENESIS = "0" * 64


def _canonical(entry_id: int, at: dt.datetime, actor: str, action: str, record_type: str,
               record_id: str, detail: dict[str, Any], previous_hash: str) -> bytes:
    if at.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC.
        at = at.replace(tzinfo=dt.timezone.utc)
    body = [entry_id, at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds"), actor, action,
            record_type, record_id, detail, previous_hash]
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(key: bytes, entry_id: int, at: dt.datetime, actor: str, action: str, record_type: str,
               record_id: str, detail: dict[str, Any], previous_hash: str) -> str:
    message = _canonical(entry_id, at, actor, action, record_type, record_id, detail, previous_hash)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _lock_chain(session: Session) -> None:
    # PostgreSQL: serialise appenders so two transactions never extend the same head.
    # SQLite: the write lock taken by the insert already serialises them.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(7300917)"))


def append(session: Session, key: bytes, actor: str, action: str, record_type: str = "",
           record_id: str | int = "", detail: dict[str, Any] | None = None) -> AuditEntry:
    """Add one entry at the head of the chain, in the caller's transaction."""
    _lock_chain(session)
    head = session.execute(
        sa.select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    entry_id = (head.id + 1) if head else 1
    previous = head.entry_hash if head else GENESIS
    at = utcnow()
    detail = dict(detail or {})
    entry = AuditEntry(
        id=entry_id, at=at, actor=actor, action=action, record_type=record_type, record_id=str(record_id),
        detail=detail, previous_hash=previous,
        entry_hash=entry_hash(key, entry_id, at, actor, action, record_type, str(record_id), detail, previous),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_bad_id: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.first_bad_id is None


def _iter_entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def verify(session: Session, key: bytes) -> ChainReport:
    """Walk the chain from the first entry; report the first one that was edited, removed, added or moved."""
    previous_hash, expected_id, count = GENESIS, 1, 0
    for entry in _iter_entries(session):
        count += 1
        if entry.id != expected_id:
            what = "missing" if entry.id > expected_id else "out of sequence"
            return ChainReport(count, entry.id, f"entry {expected_id} is {what} (next entry found is {entry.id})")
        if entry.previous_hash != previous_hash:
            return ChainReport(count, entry.id, f"entry {entry.id} does not follow entry {entry.id - 1} (deleted, inserted or reordered)")
        recomputed = entry_hash(key, entry.id, entry.at, entry.actor, entry.action, entry.record_type,
                                entry.record_id, entry.detail, entry.previous_hash)
        if not hmac.compare_digest(recomputed, entry.entry_hash):
            return ChainReport(count, entry.id, f"entry {entry.id} was altered after it was written")
        previous_hash, expected_id = entry.entry_hash, entry.id + 1
    return ChainReport(count, None, None)
