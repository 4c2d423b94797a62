"""Extraction review: a source's text with every proposed fact highlighted and listed beside it by
type; accept (one click), edit-then-accept or reject each. Nothing is recorded until a person
confirms it; `redzone.extract.review` writes the records, attests the spans and audits every decision."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.errors import Problem
from redzone.extract import REJECT_REASONS, Proposal, accept, propose, reject
from redzone.messages import Message
from redzone.records.entry import read_source_text, refuse_text
from redzone.records.models import AuditEntry, Person, Source
from redzone.records.text_scope import may_read_text, readable_source_ids
from redzone.vocab import load_vocabulary
from redzone.web import i18n
from redzone.web.deps import DbSession, WorkspaceDep, context, requires
from redzone.web.forms import Problems, optional_float, optional_int, resolve_place
from redzone.web.rendering import label, render
from redzone.web.routes.sources import find_source
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)

TYPE_ORDER = ("violation", "perpetrator", "place", "date", "money", "quantity", "age", "person")


def _n(message: str) -> str:  # marks a string for extraction; translated when shown
    return message


TYPE_NAMES = {"violation": _n("Violations"), "perpetrator": _n("Perpetrators"), "place": _n("Places"),
              "date": _n("Dates"), "money": _n("Money"), "quantity": _n("Figures"), "age": _n("Ages"),
              "person": _n("Named persons")}
REASON_NAMES = {"not_an_act": _n("not an act"), "negated": _n("negated in the text"),
                "hypothetical": _n("hypothetical or feared"), "wrong_type": _n("wrong type"),
                "wrong_span": _n("wrong passage"), "duplicate": _n("duplicate"),
                "not_relevant": _n("not relevant"), "other": _n("other")}


def segments(text: str, proposals: list[Proposal]) -> list[dict[str, Any]]:
    """The text cut at every proposal boundary; each piece lists the proposals covering it (the
    shortest first, whose type colours the highlight)."""
    cuts = sorted({0, len(text), *(p.fact.start for p in proposals), *(p.fact.end for p in proposals)})
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        covering = sorted((p for p in proposals if p.fact.start <= start and end <= p.fact.end),
                          key=lambda p: (p.fact.end - p.fact.start, p.number))
        if pieces and not covering and not pieces[-1]["proposals"]:
            pieces[-1]["text"] += text[start:end]
            continue
        pieces.append({"text": text[start:end], "proposals": covering})
    return pieces


def summary(proposal: Proposal) -> str:
    """What a proposal says, in words: the vocabulary label, the place, the amount…"""
    fact = proposal.fact
    kind = fact.type
    if kind == "violation":
        return label("violation", fact.get("code"))
    if kind == "perpetrator":
        return label("role", fact.get("role"))
    if kind == "place":
        return label("place", fact.get("gazetteer_id"))
    if kind == "date":
        return f"{fact.get('value')} ({label('date_precisions', fact.get('precision'))})"
    if kind == "age":
        low, high = fact.get("min"), fact.get("max")
        return str(low) if low == high else f"{low}–{high}"
    if kind == "money":
        usd = f" ≈ USD {fact.get('usd'):,.0f}" if fact.get("usd") is not None and fact.get("currency") != "USD" else ""
        return f"{label('qualifiers', fact.get('qualifier')) + ' ' if fact.get('qualifier') else ''}" \
               f"{fact.get('currency')} {fact.get('amount'):,}{usd}"
    if kind == "quantity":
        high = f"–{fact.get('max'):,}" if fact.get("max") is not None else ""
        return f"{label('qualifiers', fact.get('qualifier'))} {fact.get('value'):,}{high} {fact.get('unit') or ''}".strip()
    return i18n.gettext_("a named person (sealed when accepted)")


def _may_review(request: Request, session, workspace, source: Source) -> None:  # noqa: ANN001
    """Refuse, audited, a review of a text the user may not read, before anything is written."""
    actor = request.state.principal.actor
    if not may_read_text(session, actor, source):
        refuse_text(workspace.store, workspace.keys, actor, source.code, "extract.review")


@router.get("/review", dependencies=[requires("extract.review")])
def review_list(request: Request, session: DbSession, page: int = 1) -> Response:
    """Sources with a text to review, newest first, with how many proposals were decided so far
    (read from the audit log, where every decision is an entry; nothing is extracted here)."""
    size = request.app.state.settings.page_size
    page = max(1, min(page, 100000))
    query = sa.select(Source).where(Source.text_sealed.is_not(None))
    readable = readable_source_ids(session, request.state.principal.actor, Source.text_sealed.is_not(None))
    if readable is not None:  # an interviewer reviews the texts of their own cases only
        query = query.where(Source.id.in_(sa.bindparam("readable", sorted(readable), expanding=True,
                                                       literal_execute=True)))
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    sources = list(session.scalars(query.order_by(Source.id.desc()).limit(size).offset((page - 1) * size)))
    decided = dict(session.execute(
        sa.select(AuditEntry.record_id, sa.func.count()).where(
            AuditEntry.record_type == "source", AuditEntry.record_id.in_([s.code for s in sources]),
            AuditEntry.action.in_(("extract.accept", "extract.reject"))).group_by(AuditEntry.record_id)).all()) \
        if sources else {}
    return render(request, "review_list.html", sources=sources, decided=decided, total=total, page=page,
                  pages=max(1, -(-total // size)))


@router.get("/sources/{code}/review", dependencies=[requires("extract.review")])
def review_page(request: Request, session: DbSession, workspace: WorkspaceDep, code: str) -> Response:
    principal = request.state.principal
    source = find_source(session, code)
    _may_review(request, session, workspace, source)
    proposals = propose(session, workspace.keys, principal.actor, source.code)
    # Read again through the audited entry point: `propose` read it already, under the same purpose.
    text = read_source_text(context(session, workspace, principal), source) or ""
    by_id = {p.id: p for p in proposals}
    groups = [(kind, i18n.gettext_(TYPE_NAMES[kind]), [p for p in proposals if p.fact.type == kind])
              for kind in TYPE_ORDER]
    interviewee = session.get(Person, source.interviewee_id) if source.interviewee_id else None
    counts = {status: sum(1 for p in proposals if p.status == status) for status in ("open", "accepted", "rejected")}
    vocabulary = load_vocabulary()

    def context_roles(proposal: Proposal) -> list[str]:
        return [by_id[pid].fact.get("role") for pid in proposal.context.get("perpetrators", []) if pid in by_id]

    return render(request, "review.html", source=source, pieces=segments(text, proposals),
                  groups=[g for g in groups if g[2]], by_id=by_id, summary=summary, counts=counts,
                  context_roles=context_roles,
                  interviewee=interviewee, violations=vocabulary.violations, roles=vocabulary.roles,
                  currencies=list(vocabulary.lists["currencies"]), qualifiers=list(vocabulary.lists["qualifiers"]),
                  person_roles=list(vocabulary.lists["person_roles"]),
                  reasons=[(r, i18n.gettext_(REASON_NAMES[r])) for r in REJECT_REASONS])


def _edits(fields: dict[str, str], perpetrators: list[str]) -> dict[str, Any]:
    """The edits a form sends, typed; only fields the reviewer filled in (or, in the full edit form,
    the perpetrator boxes, which may all be cleared)."""
    problems = Problems()
    edits: dict[str, Any] = {}
    text_fields = ("code", "victim", "date", "price_currency", "notes", "role", "act", "currency", "measure",
                   "scope", "qualifier", "unit", "person", "person_role", "event_kind")
    for name in text_fields:
        value = (fields.get(name) or "").strip()
        if value:
            edits[name] = value
    for name in ("price_amount", "amount", "value", "max"):
        number = optional_float(problems, name, fields.get(name))
        if number is not None:
            edits[name] = number
    for name, low, high in (("min", 0, 120), ("year", 1900, 2100), ("start", 0, None), ("end", 0, None)):
        number = optional_int(problems, name, fields.get(name), low, high)
        if number is not None:
            edits[name] = number
    if (fields.get("place_id") or "").strip() or (fields.get("place_name") or "").strip():
        place = resolve_place(problems, "place", fields.get("place_id"), fields.get("place_name"))
        if place:
            edits["place_id"] = place
    if fields.get("edit_form") == "violation":
        edits["perpetrators"] = list(perpetrators)
    problems.raise_if_any()
    return edits


@router.post("/sources/{code}/review/accept", dependencies=[requires("extract.review")])
def accept_proposal(request: Request, session: DbSession, workspace: WorkspaceDep, code: str,
                    proposal: Annotated[str, Form(max_length=200)],
                    perpetrators: Annotated[list[str], Form()] = [],  # noqa: B006
                    code_: Annotated[str, Form(alias="code", max_length=60)] = "",
                    victim: Annotated[str, Form(max_length=40)] = "",
                    place_id: Annotated[str, Form(max_length=120)] = "",
                    place_name: Annotated[str, Form(max_length=200)] = "",
                    date: Annotated[str, Form(max_length=30)] = "",
                    price_amount: Annotated[str, Form(max_length=20)] = "",
                    price_currency: Annotated[str, Form(max_length=3)] = "",
                    notes: Annotated[str, Form(max_length=2000)] = "",
                    role: Annotated[str, Form(max_length=60)] = "",
                    act: Annotated[str, Form(max_length=40)] = "",
                    amount: Annotated[str, Form(max_length=20)] = "",
                    currency: Annotated[str, Form(max_length=3)] = "",
                    measure: Annotated[str, Form(max_length=200)] = "",
                    scope: Annotated[str, Form(max_length=200)] = "",
                    value: Annotated[str, Form(max_length=20)] = "",
                    max_: Annotated[str, Form(alias="max", max_length=20)] = "",
                    min_: Annotated[str, Form(alias="min", max_length=20)] = "",
                    qualifier: Annotated[str, Form(max_length=30)] = "",
                    unit: Annotated[str, Form(max_length=40)] = "",
                    year: Annotated[str, Form(max_length=6)] = "",
                    person: Annotated[str, Form(max_length=40)] = "",
                    person_role: Annotated[str, Form(max_length=30)] = "",
                    edit_form: Annotated[str, Form(max_length=20)] = "",
                    journey: Annotated[str, Form(max_length=40)] = "",
                    journey_offered: Annotated[str, Form(max_length=1)] = "") -> Response:
    principal = request.state.principal
    source = find_source(session, code)
    _may_review(request, session, workspace, source)
    fields = {"code": code_, "victim": victim, "place_id": place_id, "place_name": place_name, "date": date,
              "price_amount": price_amount, "price_currency": price_currency, "notes": notes, "role": role,
              "act": act, "amount": amount, "currency": currency, "measure": measure, "scope": scope,
              "value": value, "max": max_, "min": min_, "qualifier": qualifier, "unit": unit, "year": year,
              "person": person, "person_role": person_role, "edit_form": edit_form}
    edits = _edits(fields, perpetrators)
    if journey_offered:  # the place/date box: ticked names the person whose journey it joins, unticked nobody's
        edits["journey"] = journey.strip() or False
    record = accept(context(session, workspace, principal), source.code, proposal, edits)
    return RedirectResponse(f"/sources/{source.code}/review?accepted={record}#proposals", status_code=303)


@router.post("/sources/{code}/review/reject", dependencies=[requires("extract.review")])
def reject_proposal(request: Request, session: DbSession, workspace: WorkspaceDep, code: str,
                    proposal: Annotated[str, Form(max_length=200)],
                    reason: Annotated[str, Form(max_length=30)]) -> Response:
    principal = request.state.principal
    source = find_source(session, code)
    _may_review(request, session, workspace, source)
    if reason not in REJECT_REASONS:
        problems = Problems([Problem("reason", Message("%(reason)s: pick one of the listed reasons",
                                                       reason=repr(reason[:30])))])
        problems.raise_if_any()
    reject(context(session, workspace, principal), source.code, proposal, reason)
    return RedirectResponse(f"/sources/{source.code}/review?rejected=1#proposals", status_code=303)
