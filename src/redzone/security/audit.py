"""The audit chain: who wrote what, and who read which sealed identity, in an order nobody can
quietly change.

Threat: an insider (or whoever holds a copy of the database) who edits, deletes, inserts or
reorders entries to hide a read of a survivor's identity or a change to a record.

Mechanism: entry n stores `previous_hash` = hash of entry n−1 and `entry_hash` =
HMAC-SHA256(audit key, canonical JSON of its own fields, its sequence number and
`previous_hash`). The key comes from the workspace passphrase, so somebody with write access to
the database but not the passphrase cannot recompute a consistent chain after tampering.
`verify()` walks the chain and names the first entry that does not fit.

A chain alone cannot show that its last entries were deleted: what is left is still a valid
chain. So every append also rewrites a *head checkpoint* in the same transaction — the row
`workspace_meta['audit.head']` holding the number of entries, the last entry's hash and an HMAC of
both under the same audit key. Deleting the tail leaves fewer entries than the checkpoint counts;
rewriting or deleting the checkpoint fails its HMAC or leaves it missing. Only rolling back the
chain *and* the checkpoint to an earlier copy of both goes unseen by `verify()` alone; comparing
the head with one noted elsewhere (a backup, a printed `audit verify`) catches that.

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

from redzone.errors import NotFound
from redzone.records.models import Act, ActPerpetrator, Attestation, AuditEntry, Person, Source, WorkspaceMeta, utcnow
from redzone.security.audit_actions import AUDIT_ACTIONS, RECORD_TYPES

GENESIS = "0" * 64
HEAD_KEY = "audit.head"


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


def head_mac(key: bytes, entries: int, last_hash: str) -> str:
    message = json.dumps(["audit-head", entries, last_hash], separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _write_head(session: Session, key: bytes, entries: int, last_hash: str) -> None:
    value = {"entries": entries, "last_hash": last_hash, "mac": head_mac(key, entries, last_hash)}
    meta = session.get(WorkspaceMeta, HEAD_KEY)
    if meta is None:
        session.add(WorkspaceMeta(key=HEAD_KEY, value=value))
    else:  # a new dict, so that the JSON column is seen as changed
        meta.value = value


def _lock_chain(session: Session) -> None:
    # PostgreSQL: serialise appenders so two transactions never extend the same head.
    # SQLite: the write lock taken by the insert already serialises them.
    # The lock is per schema (one workspace each): advisory locks are database-wide, and one workspace's
    # long bulk load must not stall every other workspace on the same server.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(7300917, hashtext(current_schema()))"))


def append(session: Session, key: bytes, actor: str, action: str, record_type: str = "",
           record_id: str | int = "", detail: dict[str, Any] | None = None) -> AuditEntry:
    """Add one entry at the head of the chain, in the caller's transaction. The action and the kind of
    record must be named in `audit_actions` (so the log can say what each entry means)."""
    if action not in AUDIT_ACTIONS or (record_type and record_type not in RECORD_TYPES):
        raise ValueError(f"audit action {action!r} on {record_type!r}: name it in security/audit_actions.py")
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
    _write_head(session, key, entry_id, entry.entry_hash)
    session.flush()
    return entry


# Entries that name the records they wrote in their detail (lists `created`, `updated`) rather than in
# record_id. A demo load batch names the persons it created (its acts and sources by count only).
BATCH_ACTIONS = ("import.batch", "demo.load_batch")


def _codes_named(codes: list[str]) -> sa.ColumnElement[bool]:
    """A batch entry whose detail (JSON text: codes are quoted there) names one of `codes`."""
    text = sa.cast(AuditEntry.detail, sa.Text)
    return sa.and_(AuditEntry.action.in_(BATCH_ACTIONS),
                   sa.or_(*(text.like(f'%"{_literal(code)}"%', escape="\\") for code in codes)))


def _literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def person_trail(session: Session, code: str) -> sa.ColumnElement[bool]:
    """Entries about one person: the person's own, the batches that created or updated it, and
    those of the acts done to or by the person and of the sources about it (its interview, the
    sources attesting its acts). Three reads of codes, then one condition; nothing is decrypted."""
    person_id = session.scalar(sa.select(Person.id).where(Person.code == code))
    if person_id is None:
        raise NotFound(f"person: no person with code {code!r}")
    act_ids = sa.select(Act.id).where(Act.victim_id == person_id).union(
        sa.select(ActPerpetrator.act_id).where(ActPerpetrator.person_id == person_id))
    act_codes = list(session.scalars(sa.select(Act.code).where(Act.id.in_(act_ids))))
    source_codes = list(session.scalars(sa.select(Source.code).where(sa.or_(
        Source.interviewee_id == person_id,
        Source.id.in_(sa.select(Attestation.source_id).where(Attestation.act_id.in_(act_ids)))))))
    return sa.or_(sa.and_(AuditEntry.record_type == "person", AuditEntry.record_id == code),
                  sa.and_(AuditEntry.record_type == "act", AuditEntry.record_id.in_(act_codes)),
                  sa.and_(AuditEntry.record_type == "source", AuditEntry.record_id.in_(source_codes)),
                  _codes_named([code, *act_codes, *source_codes]))


def newest(session: Session, *, person: str | None = None, actor: str | None = None,
           limit: int = 50) -> list[AuditEntry]:
    """The newest `limit` entries, optionally only those about one person code or by one account."""
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if person:
        query = query.where(person_trail(session, person))
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(session.scalars(query))


@dataclass(frozen=True)
class ChainReport:
    """`entries` read; the first entry at fault (None when the fault is the checkpoint itself) and why."""

    entries: int
    first_bad_id: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.problem is None


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
    return _check_head(session, key, count, previous_hash)


def _check_head(session: Session, key: bytes, count: int, last_hash: str) -> ChainReport:
    """The chain read is whole; does it end where the head checkpoint says it ends?"""
    meta = session.get(WorkspaceMeta, HEAD_KEY)
    if meta is None:
        if count == 0:
            return ChainReport(0, None, None)
        return ChainReport(count, None, "the head checkpoint is missing (deleted), so a cut tail cannot be ruled out")
    value = meta.value if isinstance(meta.value, dict) else {}
    entries, recorded_hash = value.get("entries"), value.get("last_hash")
    if not isinstance(entries, int) or not isinstance(recorded_hash, str) or not hmac.compare_digest(
            head_mac(key, entries, recorded_hash), str(value.get("mac", ""))):
        return ChainReport(count, None, "the head checkpoint was altered after it was written")
    if count < entries:
        return ChainReport(count, count + 1, f"entries {count + 1}–{entries} are missing from the end of the chain "
                                             f"(truncated: the checkpoint counts {entries}, {count} found)")
    if count > entries:
        return ChainReport(count, entries + 1, f"entries after {entries} are not covered by the head checkpoint "
                                               "(checkpoint rolled back, or entries added without the key)")
    if not hmac.compare_digest(recorded_hash, last_hash):
        return ChainReport(count, count, f"entry {count} is not the last entry the checkpoint records (replaced)")
    return ChainReport(count, None, None)
