"""Keeping the search index: what each kind of record contributes, how its terms are stored on
each backend, and how the index catches up with records written since it was last brought up
to date.

What is indexed, per record, in two parts:
- 'meta': what every role that may see the record may search: codes, a source's title, kind and
  language; an act's violation (code and labels), event kind and description, place (as place
  terms of the place and the places around it, see `tokens.place_term`), year, perpetrator roles
  and groups, notes; a claim's measure, scope and unit; a person's pseudonymous code, role, sex,
  crossing year and place of origin.
- 'text': a testimony's text, searched only for roles allowed `source.view_text`, and for a scoped
  role (an interviewer) only in the sources the policy lets it read (see `query`).
A person's sealed identity (names, aliases, contact, whereabouts) is never indexed, for anyone:
an index entry cannot be unsealed per role, and a search that found a person by name would
tell an analyst the name belongs to that code.

Storage: on SQLite the terms are kept as written (the whole file is SQLCipher-encrypted) and FTS5
indexes them. On PostgreSQL each term is replaced by a keyed digest (HMAC-SHA256 under the
workspace's search subkey, 47 bits written as ten letters) so the database server holds no
searchable plaintext; the query is digested the same way before it is sent.

Freshness: `catch_up` runs before every search. It indexes every record that has no index entry
yet (ids above the newest indexed one, then a count on both sides to find any other), so records
added through `records.entry`, the importers or the demo loader are found without anyone calling
the index. Edits are found through the audit log, which every write goes to: `<type>.edit`
entries (an edited event or group re-indexes its acts) and the importer's `import.batch` entries.
`refresh` re-indexes records explicitly, and `reindex` rebuilds everything.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.records.entry import source_text_context
from redzone.records.models import (Act, ActPerpetrator, AuditEntry, Claim, Event, Group, Person, SearchDocument,
                                    Source, WorkspaceMeta, utcnow)
from redzone.search.tokens import document_terms, place_term
from redzone.security.keys import KeyRing
from redzone.vocab import load_vocabulary
from redzone.vocab.model import VocabularyError

KINDS = ("source", "act", "claim", "person")
MODELS: dict[str, type] = {"source": Source, "act": Act, "claim": Claim, "person": Person}
_BATCH = 2000
_DIGEST_LETTERS = 10


@functools.lru_cache(maxsize=1 << 18)
def _digest(search_key: bytes, term: str) -> str:
    number = int.from_bytes(hmac.new(search_key, term.encode(), hashlib.sha256).digest()[:8], "big")
    letters = []
    for _ in range(_DIGEST_LETTERS):
        number, remainder = divmod(number, 26)
        letters.append(chr(97 + remainder))
    return "".join(letters)


def term_digest(keys: KeyRing, term: str) -> str:
    """A term's keyed digest as lower-case letters only, so PostgreSQL's parser keeps it whole."""
    return _digest(keys.search_key, term)


def stored_terms(session: Session, keys: KeyRing, terms: Sequence[str]) -> list[str]:
    """The terms as this backend stores (and queries) them."""
    if session.get_bind().dialect.name == "postgresql":
        return [_digest(keys.search_key, term) for term in terms]
    return list(terms)


@functools.lru_cache(maxsize=4096)
def _label_terms(kind: str, code: str | None) -> tuple[str, ...]:
    """Terms of a vocabulary code and its English and Korean labels."""
    if not code:
        return ()
    vocabulary = load_vocabulary()
    labels = [code, code.replace("_", " ").replace(".", " ")]
    for lang in ("en", "ko"):
        try:
            labels.append(vocabulary.label(kind, code, lang))
        except VocabularyError:
            pass
    return tuple(document_terms(labels))


@functools.lru_cache(maxsize=4096)
def _place_terms(place_id: str | None) -> tuple[str, ...]:
    """The place's term and its enclosing places' terms (see tokens.place_term)."""
    vocabulary = load_vocabulary()
    if not place_id or place_id not in vocabulary.places:
        return ()
    return tuple(place_term(p.id) for p in (vocabulary.places[place_id], *vocabulary.ancestors(place_id)))


@functools.lru_cache(maxsize=8192)
def _text_terms(text: str) -> tuple[str, ...]:
    # Cached: generated and imported descriptions repeat a great deal.
    return tuple(document_terms([text]))


def _merge(*term_lists: Iterable[str]) -> list[str]:
    merged: dict[str, None] = {}
    for terms in term_lists:
        merged.update(dict.fromkeys(terms))
    return list(merged)


def _year(value: object) -> list[str]:
    return [str(value)] if value else []


def _sources(session: Session, keys: KeyRing, ids: Sequence[int]) -> Iterator[tuple[int, str, list[str]]]:
    for source in session.scalars(sa.select(Source).where(Source.id.in_(ids))):
        meta = _merge(_text_terms(source.code), _text_terms(source.title or ""), _label_terms("source_kinds", source.kind),
                      [source.language], _text_terms(source.organisation_id or ""),
                      _year(source.date.year if source.date else None))
        yield source.id, "meta", meta
        if source.text_sealed is not None:
            text = keys.fields.unseal_text(source.text_sealed, source_text_context(source.code))
            yield source.id, "text", document_terms([text])


def _acts(session: Session, ids: Sequence[int]) -> Iterator[tuple[int, str, list[str]]]:
    perpetrators: dict[int, list[str]] = {}
    rows = session.execute(
        sa.select(ActPerpetrator.act_id, ActPerpetrator.role, Group.code, Group.name)
        .outerjoin(Group, Group.id == ActPerpetrator.group_id).where(ActPerpetrator.act_id.in_(ids)))
    for act_id, role, group_code, group_name in rows:
        perpetrators.setdefault(act_id, []).extend(
            _merge(_label_terms("role", role), _text_terms(group_code or ""), _text_terms(group_name or "")))
    rows = session.execute(
        sa.select(Act.id, Act.code, Act.violation, Act.notes, Act.price_currency, Event.code.label("event_code"),
                  Event.kind, Event.description, Event.year, Event.place_id)
        .outerjoin(Event, Event.id == Act.event_id).where(Act.id.in_(ids)))
    for row in rows:
        yield row.id, "meta", _merge(
            _text_terms(row.code), _label_terms("violation", row.violation), _text_terms(row.notes or ""),
            _text_terms(row.price_currency or ""), _text_terms(row.event_code or ""),
            _label_terms("event_kinds", row.kind), _text_terms(row.description or ""), _year(row.year),
            _place_terms(row.place_id), perpetrators.get(row.id, ()))


def _claims(session: Session, ids: Sequence[int]) -> Iterator[tuple[int, str, list[str]]]:
    rows = session.execute(sa.select(Claim.id, Claim.code, Claim.measure, Claim.scope, Claim.unit, Claim.qualifier,
                                     Claim.year).where(Claim.id.in_(ids)))
    for row in rows:
        yield row.id, "meta", _merge(_text_terms(row.code), _text_terms(row.measure.replace("_", " ")),
                                     _text_terms(row.scope or ""), _text_terms(row.unit or ""),
                                     _label_terms("qualifiers", row.qualifier), _year(row.year))


def _persons(session: Session, ids: Sequence[int]) -> Iterator[tuple[int, str, list[str]]]:
    # Never Person.identity_sealed: see the module docstring.
    rows = session.execute(sa.select(Person.id, Person.code, Person.person_role, Person.sex, Person.crossing_year,
                                     Person.origin_place_id).where(Person.id.in_(ids)))
    for row in rows:
        yield row.id, "meta", _merge(_text_terms(row.code), _label_terms("person_roles", row.person_role),
                                     _label_terms("sexes", row.sex), _year(row.crossing_year),
                                     _place_terms(row.origin_place_id))


def _documents(session: Session, keys: KeyRing, kind: str, ids: Sequence[int]) -> Iterator[tuple[int, str, list[str]]]:
    if kind == "source":
        return _sources(session, keys, ids)
    if kind == "act":
        return _acts(session, ids)
    if kind == "claim":
        return _claims(session, ids)
    return _persons(session, ids)


_SQLITE_FTS_ADD = sa.text(
    "INSERT INTO search_fts(rowid, terms) SELECT id, terms FROM search_document "
    "WHERE kind = :kind AND record_id IN :ids").bindparams(sa.bindparam("ids", expanding=True))
_SQLITE_FTS_REMOVE = sa.text(
    "INSERT INTO search_fts(search_fts, rowid, terms) SELECT 'delete', id, terms FROM search_document "
    "WHERE kind = :kind AND record_id IN :ids").bindparams(sa.bindparam("ids", expanding=True))


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _write(session: Session, keys: KeyRing, kind: str, ids: Sequence[int]) -> int:
    now = utcnow()
    rows = [dict(kind=kind, record_id=record_id, part=part, terms=" ".join(stored_terms(session, keys, terms)),
                 indexed_at=now)
            for record_id, part, terms in _documents(session, keys, kind, ids)]
    if rows:
        session.execute(sa.insert(SearchDocument.__table__), rows)
        if _sqlite(session):  # one statement per batch: FTS5 indexes it in one pass
            session.execute(_SQLITE_FTS_ADD, {"kind": kind, "ids": list(ids)})
    return len(rows)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start:start + _BATCH]


def _forget(session: Session, kind: str, ids: Iterable[int]) -> None:
    ids = list(ids)
    for chunk in _chunks(ids):
        if _sqlite(session):  # an external-content FTS5 table is told what it indexed, before it goes
            session.execute(_SQLITE_FTS_REMOVE, {"kind": kind, "ids": list(chunk)})
        session.execute(sa.delete(SearchDocument).where(SearchDocument.kind == kind,
                                                        SearchDocument.record_id.in_(chunk)))


def pending(session: Session, kind: str) -> list[int]:
    """Ids of records of `kind` that have no index entry yet (a full comparison)."""
    model = MODELS[kind]
    indexed = sa.select(SearchDocument.id).where(SearchDocument.kind == kind, SearchDocument.record_id == model.id)
    return list(session.scalars(sa.select(model.id).where(~indexed.exists()).order_by(model.id)))


def _orphans(session: Session, kind: str) -> list[int]:
    """Record ids in the index whose record is gone."""
    model = MODELS[kind]
    exists = sa.select(model.id).where(model.id == SearchDocument.record_id)
    return list(session.scalars(sa.select(SearchDocument.record_id).distinct()
                                .where(SearchDocument.kind == kind, ~exists.exists())))


def _catch_up_kind(session: Session, keys: KeyRing, kind: str) -> int:
    model = MODELS[kind]
    # Fast path: records newer than the newest indexed one (ids only grow) ...
    newest = session.scalar(sa.select(sa.func.max(SearchDocument.record_id)).where(SearchDocument.kind == kind)) or 0
    fresh = list(session.scalars(sa.select(model.id).where(model.id > newest).order_by(model.id)))
    written = sum(_write(session, keys, kind, chunk) for chunk in _chunks(fresh))
    # ... then a count on each side, which catches what the fast path cannot: a transaction that
    # committed lower ids after higher ones were indexed, and deleted records. Only when the counts
    # differ is the full comparison run.
    records = session.scalar(sa.select(sa.func.count()).select_from(model))
    documents = session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)
                               .where(SearchDocument.kind == kind, SearchDocument.part == "meta"))
    if records != documents:
        _forget(session, kind, _orphans(session, kind))
        written += sum(_write(session, keys, kind, chunk) for chunk in _chunks(pending(session, kind)))
    return written


_FEED = "search_index"  # WorkspaceMeta key: the last audit entry whose edits were re-indexed
_FEED_TYPES = ("source", "act", "claim", "person", "event", "group")


def _edited(session: Session) -> dict[str, set[int]]:
    """Records edited since the last catch-up, read from the audit log (every write is audited):
    `<type>.edit` entries name the record, `import.batch` entries list the codes they updated. An
    edited event or group stands for the acts that use it."""
    meta = session.get(WorkspaceMeta, _FEED)
    newest = session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
    last = int(meta.value.get("audit_id", 0)) if meta else newest  # a new index starts from the records as they are
    codes: dict[str, set[str]] = {t: set() for t in _FEED_TYPES}
    if newest > last:
        entries = session.execute(
            sa.select(AuditEntry.action, AuditEntry.record_type, AuditEntry.record_id, AuditEntry.detail)
            .where(AuditEntry.id > last, AuditEntry.id <= newest, AuditEntry.record_type.in_(_FEED_TYPES),
                   sa.or_(AuditEntry.action.like("%.edit"), AuditEntry.action == "import.batch")))
        for action, record_type, record_id, detail in entries:
            if action == "import.batch":
                codes[record_type].update(str(c) for c in (detail or {}).get("updated", []))
            elif record_id:
                codes[record_type].add(record_id)
    if meta is None or newest != last:
        session.merge(WorkspaceMeta(key=_FEED, value={"audit_id": newest}))
    edited: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for kind in KINDS:
        if codes[kind]:
            model = MODELS[kind]
            edited[kind].update(session.scalars(sa.select(model.id).where(model.code.in_(codes[kind]))))
    if codes["event"]:
        edited["act"].update(session.scalars(sa.select(Act.id).join(Event, Event.id == Act.event_id)
                                             .where(Event.code.in_(codes["event"]))))
    if codes["group"]:
        edited["act"].update(session.scalars(sa.select(ActPerpetrator.act_id).join(Group)
                                             .where(Group.code.in_(codes["group"]))))
    return edited


def catch_up(session: Session, keys: KeyRing) -> int:
    """Index every record not indexed yet, re-index those edited since (as the audit log tells),
    and forget deleted ones; returns the number of index rows written."""
    written = sum(_catch_up_kind(session, keys, kind) for kind in KINDS)
    for kind, ids in _edited(session).items():
        if ids:
            written += refresh(session, keys, kind, ids)
    return written


def refresh(session: Session, keys: KeyRing, kind: str, record_ids: Iterable[int]) -> int:
    """Re-index records whose indexed content changed (or drop them from the index if deleted)."""
    if kind not in MODELS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    ids = sorted(set(record_ids))
    _forget(session, kind, ids)
    return sum(_write(session, keys, kind, chunk) for chunk in _chunks(ids))


def rebuild(session: Session, keys: KeyRing) -> int:
    """Drop the whole index and index every record again."""
    session.execute(sa.delete(SearchDocument))
    if _sqlite(session):
        session.execute(sa.text("INSERT INTO search_fts(search_fts) VALUES ('delete-all')"))
    return catch_up(session, keys)


def check(session: Session) -> None:
    """Raise if SQLite's FTS5 index disagrees with search_document (FTS5 'integrity-check')."""
    if _sqlite(session):
        session.execute(sa.text("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)"))
