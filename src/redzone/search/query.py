"""Answering a search: match the query's terms against the index on the workspace's backend, keep
only what the actor's role may see, and build titles and snippets from the records themselves.

Order of the rules, for `search(session, keys, actor, query)`:
1. The role must be allowed to view at least one kind of record (`source.view`, `act.view`,
   `claim.view`, `person.view`); otherwise the search is refused.
2. Only the parts the role may see are matched: a source's 'text' part only with
   `source.view_text`, and for a role whose reading is scoped (an interviewer: their own cases)
   only in the sources the policy lets it read, decided source by source before the hits are
   ranked and counted, so neither the hits nor their number tell it that a word occurs in
   another's testimony. A role without it gets source hits by title and metadata alone, and no
   snippet of text: a hit found in the text would already tell it what the text says.
3. Hits come from the index, ranked (FTS5 bm25 on SQLite, brevity on PostgreSQL); titles and
   snippets come from the records, so a snippet of testimony is decrypted only for a role that
   may read it, and never from sealed identity fields.
4. Every search is audited as `search.query`, with the query's length and term count, the number
   of hits and the codes of the sources whose text was matched or quoted: the search is a read
   of testimony text. The query itself is never written to the audit log, because investigators
   search for names, and the log is read by administrators who may not see them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import PermissionDenied, Problem, ValidationError
from redzone.messages import Message, Term
from redzone.records.entry import source_text_context
from redzone.records.models import Act, Claim, Person, SearchDocument, Source
from redzone.records.text_scope import readable_source_ids
from redzone.search import index
from redzone.search.tokens import Group, first_match, query_groups
from redzone.security import audit
from redzone.security.keys import KeyRing
from redzone.security.policy import Actor, allowed, holds, scope_of
from redzone.vocab import load_vocabulary
from redzone.vocab.model import VocabularyError

VIEW_ACTION = {"source": "source.view", "act": "act.view", "claim": "claim.view", "person": "person.view"}
SNIPPET_CHARS = 160
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class Hit:
    """One record that matched: what it is, a title to show, a snippet if the role may see one."""

    kind: str
    record_id: int
    code: str
    title: str
    snippet: str | None
    score: float
    matched: str  # 'meta' or 'text': which part of the record matched best

    def to_dict(self) -> dict:
        return {"kind": self.kind, "code": self.code, "title": self.title, "snippet": self.snippet,
                "score": round(self.score, 6), "matched": self.matched}


def searchable(actor: Actor) -> dict[str, tuple[str, ...]]:
    """The kinds of record, and the parts of each, this actor's searches may match."""
    kinds = {}
    for kind, action in VIEW_ACTION.items():
        if allowed(actor, action):
            kinds[kind] = ("meta", "text") if kind == "source" and holds(actor, "source.view_text") else ("meta",)
    return kinds


def _expression(session: Session, keys: KeyRing, groups: list[Group]) -> str:
    """The groups as an FTS5 MATCH expression (SQLite) or a tsquery (PostgreSQL)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    and_, or_ = (" & ", " | ") if postgres else (" AND ", " OR ")
    clauses = []
    for group in groups:
        alternatives = []
        for terms in group:
            stored = index.stored_terms(session, keys, terms)
            alternatives.append("(" + and_.join(stored if postgres else (f'"{t}"' for t in stored)) + ")")
        clauses.append("(" + or_.join(alternatives) + ")")
    return and_.join(clauses)


def _found(session: Session, keys: KeyRing, groups: list[Group]) -> sa.Subquery | sa.CTE:
    """The index rows matching the groups: (kind, record_id, part, score)."""
    expression = _expression(session, keys, groups)
    if session.get_bind().dialect.name == "postgresql":
        tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), expression)
        vector = sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), SearchDocument.terms)
        # ts_rank would parse every matching row's digest list again (420 ms for 2,000 rows): rank by
        # brevity instead, a record with fewer distinct terms being the more specific match.
        score = 1.0 / (1.0 + sa.func.length(SearchDocument.terms) / 11.0)
        # Match first, through the GIN index (materialised, so the planner cannot prefer the
        # (kind, part) index and parse every row's terms instead), then keep what the role may see.
        return (sa.select(SearchDocument.kind, SearchDocument.record_id, SearchDocument.part, score.label("score"))
                .where(vector.op("@@")(tsquery)).cte("found").prefix_with("MATERIALIZED"))
    # FTS5 allows bm25() only in a query that scans the FTS table directly: rank there first
    # (materialised, so SQLite cannot fold it into the outer query), then join and filter.
    fts = sa.table("search_fts", sa.column("rowid"))
    ranked = (sa.select(fts.c.rowid.label("document_id"),
                        (-sa.func.bm25(sa.literal_column("search_fts"))).label("score"))
              .select_from(fts).where(sa.literal_column("search_fts").op("MATCH")(expression))
              .cte("ranked").prefix_with("MATERIALIZED"))
    return (sa.select(SearchDocument.kind, SearchDocument.record_id, SearchDocument.part, ranked.c.score)
            .join(ranked, SearchDocument.id == ranked.c.document_id).subquery())


def _readable_texts(session: Session, keys: KeyRing, actor: Actor, groups: list[Group]) -> set[int] | None:
    """Ids of the sources whose text matched and `actor` may read, decided by the policy source by
    source; None when the role reads every text (no need to ask)."""
    if scope_of(actor, "source.view_text") in (None, "all"):
        return None
    found = _found(session, keys, groups)
    matched = sa.select(found.c.record_id).where(found.c.kind == "source", found.c.part == "text")
    return readable_source_ids(session, actor, Source.id.in_(matched.scalar_subquery()))


def _ranked(session: Session, keys: KeyRing, groups: list[Group], kinds: dict[str, tuple[str, ...]],
            limit: int, offset: int, texts: set[int] | None = None) -> list[tuple[str, int, str, float]]:
    """(kind, record id, best part, score) of matching records, best first; a source's text part
    only for the sources in `texts`, when given."""
    found = _found(session, keys, groups)
    matching = sa.select(found.c.kind, found.c.record_id, found.c.part, found.c.score)
    allowed_parts = []
    for kind, parts in kinds.items():
        allowed_parts.append(sa.and_(found.c.kind == kind, found.c.part.in_([p for p in parts if p != "text"])))
        if "text" in parts:
            text = sa.and_(found.c.kind == kind, found.c.part == "text")
            if texts is not None:
                text = sa.and_(text, found.c.record_id.in_(sa.bindparam("texts", sorted(texts), expanding=True,
                                                                        literal_execute=True)))
            allowed_parts.append(text)
    matching = matching.where(sa.or_(*allowed_parts))
    # One row per record: its best-scoring part.
    position = sa.func.row_number().over(partition_by=(found.c.kind, found.c.record_id),
                                         order_by=(found.c.score.desc(), found.c.part))
    best = matching.add_columns(position.label("position")).subquery()
    rows = session.execute(
        sa.select(best.c.kind, best.c.record_id, best.c.part, best.c.score).where(best.c.position == 1)
        .order_by(best.c.score.desc(), best.c.kind, best.c.record_id).limit(limit).offset(offset)).all()
    return [(row.kind, row.record_id, row.part, float(row.score)) for row in rows]


def _window(text: str, query: str) -> str:
    position = first_match(text, query)
    if position is None:
        position = 0
    start = max(0, position - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _label(kind: str, code: str, lang: str = "en") -> str:
    try:
        return load_vocabulary().label(kind, code, lang)
    except VocabularyError:
        return code


def _place(place_id: str | None) -> str:
    vocabulary = load_vocabulary()
    return Term("place", place_id, vocabulary.places[place_id].name_en) if place_id in vocabulary.places else ""


def _describe(session: Session, keys: KeyRing, actor: Actor, query: str, kind: str, record_id: int, part: str,
              texts: set[int] | None) -> tuple[str, str, str | None] | None:
    """(code, title, snippet) of a hit, or None if the record is gone."""
    record = session.get(index.MODELS[kind], record_id)
    if record is None:
        return None
    if kind == "source":
        assert isinstance(record, Source)
        snippet = None
        if part == "text" and record.text_sealed is not None and holds(actor, "source.view_text") \
                and (texts is None or record.id in texts):
            snippet = _window(keys.fields.unseal_text(record.text_sealed, source_text_context(record.code)), query)
        return record.code, record.title or record.code, snippet
    if kind == "act":
        assert isinstance(record, Act)
        event = record.event
        where = _place(event.place_id) if event else ""
        violation = Term("violation", record.violation, _label("violation", record.violation))
        title = Message("%(violation)s in %(place)s", violation=violation, place=where) if where else violation
        if event and event.year:
            title = Message("%(title)s (%(year)s)", title=title, year=event.year)
        details = " ".join(t for t in ((event.description if event else ""), record.notes) if t)
        return record.code, title, _window(details, query) if details else None
    if kind == "claim":
        assert isinstance(record, Claim)
        value = f"{record.value:,.0f}" + (f"–{record.value_max:,.0f}" if record.value_max else "")
        return record.code, f"{record.measure.replace('_', ' ')}: {value} {record.unit}", record.scope or None
    assert isinstance(record, Person)
    origin = _place(record.origin_place_id)
    role = Term("person_roles", record.person_role, _label("person_roles", record.person_role))
    title = (Message("%(code)s (%(role)s, from %(origin)s)", code=record.code, role=role, origin=origin) if origin
             else Message("%(code)s (%(role)s)", code=record.code, role=role))
    return record.code, title, None


def search(session: Session, keys: KeyRing, actor: Actor, query: str, *, limit: int = 20,
           offset: int = 0) -> list[Hit]:
    """The records matching every term of `query` that `actor` may see, best first."""
    kinds = searchable(actor)
    if not kinds:
        raise PermissionDenied(actor.username, "search records")
    if len(query) > MAX_QUERY_CHARS:
        raise ValidationError(Problem("query", Message("is %(count)s characters long; at most %(max_query_chars)s",
                                                       count=len(query), max_query_chars=MAX_QUERY_CHARS)))
    if limit < 1 or offset < 0:
        raise ValidationError(Problem("limit" if limit < 1 else "offset", "limit must be ≥ 1 and offset ≥ 0"))
    groups = query_groups(query)
    index.catch_up(session, keys)
    hits: list[Hit] = []
    if groups:
        texts = _readable_texts(session, keys, actor, groups) if "text" in kinds.get("source", ()) else None
        for kind, record_id, part, score in _ranked(session, keys, groups, kinds, limit, offset, texts):
            described = _describe(session, keys, actor, query, kind, record_id, part, texts)
            if described is not None:
                hits.append(Hit(kind, record_id, *described, score=score, matched=part))
    text_matched = sorted({hit.code for hit in hits if hit.matched == "text"})
    audit.append(session, keys.audit_key, actor.username, "search.query", "search", "",
                 {"query_chars": len(query), "words": len(groups), "hits": len(hits),
                  "kinds": sorted(kinds), "text_matched": text_matched})
    return hits
