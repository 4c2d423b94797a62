"""Sources: the list (search, filters, pages), one source with its text for roles that may read
it, and coding an act from a quoted span of that text."""

from __future__ import annotations

import functools
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.errors import NotFound, Problem
from redzone.messages import Message
from redzone.records.entry import (ActDetails, AttestationSpec, PerpetratorSpec, add_act, add_event, add_journey,
                                   read_source_text, refuse_text)
from redzone.records.models import Act, Attestation, Claim, Person, Source
from redzone.records.text_scope import may_read_text
from redzone.security.policy import allowed, holds
from redzone.vocab import load_vocabulary
from redzone.web.caching import cached, data_version_column
from redzone.web.deps import DbSession, ReadSession, WorkspaceDep, context, requires
from redzone.web.forms import Problems, like_pattern, optional_date, optional_int, resolve_place
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)
LIST_COLUMNS = (Source.id, Source.code, Source.title, Source.kind, Source.language, Source.date, Source.reliability,
                Source.credibility)


def source_query(q: str = "", kind: str = "", language: str = ""):  # noqa: ANN201
    query, values = _filtered(bool(q), bool(kind), bool(language)), _filter_values(q, kind, language)
    return query.params(values) if values else query


@functools.cache
def _filtered(searching: bool, by_kind: bool, by_language: bool) -> sa.Select:
    """The sources matching one shape of filter, the filter's values left as parameters (`_filter_values`).
    Built once per shape (eight at most): building a statement and its cache key costs a list page
    more CPU than SQLite spends running it."""
    query = sa.select(Source)
    if searching:
        pattern = sa.bindparam("pattern")
        query = query.where(sa.or_(Source.code.ilike(pattern, escape="\\"), Source.title.ilike(pattern, escape="\\")))
    if by_kind:
        query = query.where(Source.kind == sa.bindparam("kind"))
    if by_language:
        query = query.where(Source.language == sa.bindparam("language"))
    return query


def _filter_values(q: str, kind: str, language: str) -> dict[str, str]:
    values = {"pattern": like_pattern(q.strip()[:200])} if q else {}
    return values | ({"kind": kind} if kind else {}) | ({"language": language} if language else {})


@functools.cache
def _list_statements(searching: bool, by_kind: bool, by_language: bool) -> tuple[sa.Select, sa.Select]:
    """A screenful of one filter shape (parameters: the filter's values, `limit`, `offset`) and the count
    of all its sources. One statement for the screenful: only the columns shown (never the sealed text),
    as plain rows, each with its number of acts counted by an index probe, and the data version the
    cached count is checked against. The page is chosen by ids alone (the rows skipped by OFFSET are
    read from the index, not the table) and the counts are made for the chosen rows only: beside
    LIMIT/OFFSET, PostgreSQL would count the skipped rows' acts as well."""
    query = _filtered(searching, by_kind, by_language)
    shown = (query.with_only_columns(Source.id).order_by(Source.id.desc())
             .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("shown"))
    acts = sa.select(sa.func.count(sa.distinct(Attestation.act_id))).where(Attestation.source_id == Source.id)
    page = (sa.select(*LIST_COLUMNS, acts.scalar_subquery().label("acts"), data_version_column().label("data_version"))
            .join(shown, shown.c.id == Source.id).order_by(Source.id.desc()))
    return page, query.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)


def find_source(session, code: str) -> Source:  # noqa: ANN001
    source = session.scalar(sa.select(Source).where(Source.code == code))
    if source is None:
        raise NotFound(Message("no source with code %(code)s", code=repr(code)))
    return source


@router.get("/sources", dependencies=[requires("source.view")])
def source_list(request: Request, session: ReadSession, q: str = "", kind: str = "", language: str = "",
                page: int = 1) -> Response:
    size = request.app.state.settings.page_size
    page = max(1, min(page, 100000))
    statement, count = _list_statements(bool(q), bool(kind), bool(language))
    values = _filter_values(q, kind, language)
    sources = session.execute(statement, values | {"limit": size, "offset": (page - 1) * size}).all()
    # How many sources match, cached like the dashboard's tables until the next write: counting scans
    # an index of every source, the page itself reads one screenful.
    total = cached(request, session, ("source count", (q, kind, language)),
                   lambda: session.scalar(count, values) or 0, (sources[0].data_version or 0) if sources else None)
    return render(request, "sources.html", sources=sources, total=total, page=page, size=size, q=q, kind=kind,
                  language=language, kinds=list(load_vocabulary().lists["source_kinds"]),
                  pages=max(1, -(-total // size)))


@router.get("/sources/{code}", dependencies=[requires("source.view")])
def source_detail(request: Request, session: DbSession, workspace: WorkspaceDep, code: str) -> Response:
    principal = request.state.principal
    source = find_source(session, code)
    text, text_refused = None, False
    if holds(principal.actor, "source.view_text") and source.text_sealed is not None:
        ctx = context(session, workspace, principal)
        if may_read_text(session, principal.actor, source):
            text = read_source_text(ctx, source)
        else:  # the page still shows the source; the refused read is audited with it
            text_refused = True
            ctx.audit("source.view_text.denied", "source", source.code)
    attestations = session.execute(
        sa.select(Attestation, Act).join(Act, Act.id == Attestation.act_id)
        .where(Attestation.source_id == source.id).order_by(Attestation.span_start)).all()
    claims = [(c, text[c.span_start:c.span_end] if text and c.span_start is not None else None)
              for c in session.scalars(sa.select(Claim).where(Claim.source_id == source.id).order_by(Claim.id))]
    interviewee = session.get(Person, source.interviewee_id) if source.interviewee_id else None
    quotes = [(act, text[a.span_start:a.span_end] if text and a.span_start is not None else None)
              for a, act in attestations]
    vocabulary = load_vocabulary()
    return render(request, "source.html", source=source, text=text, text_refused=text_refused, quotes=quotes,
                  claims=claims,
                  interviewee=interviewee, violations=vocabulary.violations, roles=vocabulary.roles,
                  event_kinds=list(vocabulary.lists["event_kinds"]),
                  precisions=list(vocabulary.lists["date_precisions"]))


@router.post("/sources/{code}/acts", dependencies=[requires("act.create")])
def code_act(request: Request, session: DbSession, workspace: WorkspaceDep, code: str,
             violation: Annotated[str, Form(max_length=60)],
             victim: Annotated[str, Form(max_length=40)] = "",
             roles: Annotated[list[str], Form()] = [],  # noqa: B006
             span_start: Annotated[str, Form(max_length=12)] = "",
             span_end: Annotated[str, Form(max_length=12)] = "",
             event_kind: Annotated[str, Form(max_length=40)] = "",
             place_id: Annotated[str, Form(max_length=120)] = "",
             place_name: Annotated[str, Form(max_length=200)] = "",
             date_precision: Annotated[str, Form(max_length=10)] = "unknown",
             date_start: Annotated[str, Form(max_length=12)] = "",
             date_end: Annotated[str, Form(max_length=12)] = "",
             notes: Annotated[str, Form(max_length=4000)] = "") -> Response:
    principal = request.state.principal
    ctx = context(session, workspace, principal)
    source = find_source(session, code)
    problems = Problems()
    start = optional_int(problems, "span_start", span_start, 0)
    end = optional_int(problems, "span_end", span_end, 0)
    if (start is None) != (end is None):
        problems.append(Problem("span", "select the quoted passage (both its start and its end)"))
    if start is not None and end is not None and holds(principal.actor, "source.view_text"):
        if not may_read_text(session, principal.actor, source):  # nothing written yet: audit apart, refuse
            refuse_text(workspace.store, workspace.keys, principal.actor, source.code, "act.create")
        text = read_source_text(ctx, source) or ""
        if not 0 <= start < end <= len(text):
            problems.append(Problem("span", Message("must lie within the text (0–%(count)s) with start before end",
                                                    count=len(text))))
    person = None
    if victim.strip():
        person = session.scalar(sa.select(Person).where(Person.code == victim.strip()))
        if person is None:
            problems.append(Problem("victim", Message("no person with code %(code)s",
                                                      code=repr(victim.strip()[:40]))))
    elif source.interviewee_id:
        person = session.get(Person, source.interviewee_id)
    place = resolve_place(problems, "place", place_id, place_name)
    first = optional_date(problems, "date_start", date_start)
    last = optional_date(problems, "date_end", date_end)
    problems.raise_if_any()
    event = None
    if event_kind or place or first:
        event = add_event(ctx, kind=event_kind or "exploitation", place_id=place, date_start=first, date_end=last,
                          date_precision=date_precision)
    act = add_act(ctx, victim=person, violation=violation, event=event, details=ActDetails(
        notes=notes, perpetrators=[PerpetratorSpec(role=r) for r in roles],
        attestations=[AttestationSpec(source, start, end)]))
    if event is not None and person is not None and allowed(principal.actor, "person.edit"):
        add_journey(ctx, person, [event])  # what was done to her happened on her journey: a step of it
    return RedirectResponse(f"/sources/{source.code}?coded={act.code}#acts", status_code=303)
