"""REST API, records: sources, persons (identity only where the policy allows, audited), acts,
claims, evidence and the audit log. Bearer tokens for scripts; the same policy as the pages."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from fastapi.security import HTTPBearer
from sqlalchemy.orm import selectinload

from redzone.errors import Problem, ValidationError
from redzone.records.entry import (ActDetails, AttestationSpec, PerpetratorSpec, add_act, add_claim, add_event,
                                   add_journey, add_source, open_source_text)
from redzone.records.identity import reveal_identity
from redzone.records.models import Act, AuditEntry, Claim, Evidence, Person, Source
from redzone.legal import analyse_person
from redzone.security.policy import allowed
from redzone.web.api_models import (ActIn, ActOut, AttestationOut, AuditOut, ClaimIn, ClaimOut, ErrorOut, EvidenceOut,
                                    IdentityOut, Page, PersonOut, SourceIn, SourceOut, SourceTextOut)
from redzone.web.deps import DbSession, Principal, WorkspaceDep, context, requires
from redzone.web.routes.persons import find_person
from redzone.web.routes.sources import find_source, source_query
from redzone.web.routing import SessionInRouteThread

ERRORS = {status: {"model": ErrorOut} for status in (401, 403, 404, 422)}
bearer = HTTPBearer(auto_error=False, description="An API token: `redzone token create` or your account page.")
router = APIRouter(prefix="/api/v1", route_class=SessionInRouteThread,
                   tags=["records"], responses=ERRORS, dependencies=[Depends(bearer)])
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def source_out(source: Source) -> SourceOut:
    return SourceOut(code=source.code, kind=source.kind, title=source.title, language=source.language,
                     date=source.date, reliability=source.reliability, credibility=source.credibility,
                     has_text=source.text_sealed is not None, consent_scopes=list(source.consent_scopes or []),
                     consent_withdrawn=source.consent_withdrawn_at is not None, organisation=source.organisation_id,
                     created_by=source.created_by)


def person_out(person: Person) -> PersonOut:
    return PersonOut(code=person.code, person_role=person.person_role, sex=person.sex,
                     birth_year_min=person.birth_year_min, birth_year_max=person.birth_year_max,
                     origin_place_id=person.origin_place_id, crossing_year=person.crossing_year,
                     organisation=person.organisation_id)


def act_out(act: Act, victims: dict[int, str], sources: dict[int, str]) -> ActOut:
    return ActOut(code=act.code, violation=act.violation, victim=victims.get(act.victim_id),
                  event=act.event.code if act.event else None, place_id=act.event.place_id if act.event else None,
                  year=act.event.year if act.event else None,
                  perpetrator_roles=sorted({p.role for p in act.perpetrators}),
                  attestations=[AttestationOut(source=sources.get(a.source_id, ""), span_start=a.span_start,
                                               span_end=a.span_end) for a in act.attestations],
                  price_amount=act.price_amount, price_currency=act.price_currency)


def _page(session, query, limit: int, offset: int):  # noqa: ANN001, ANN202
    # Count without reading the rows' payloads (sealed texts are large): only the filters matter.
    total = session.scalar(query.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)) or 0
    return total, list(session.scalars(query.limit(limit).offset(offset)))


@router.get("/sources", response_model=Page[SourceOut])
def list_sources(session: DbSession, principal: Annotated[Principal, requires("source.view")],
                 q: Annotated[str, Query(max_length=200)] = "", kind: Annotated[str, Query(max_length=40)] = "",
                 limit: Limit = 25, offset: Offset = 0) -> Page[SourceOut]:
    total, rows = _page(session, source_query(q, kind).order_by(Source.id.desc()), limit, offset)
    return Page[SourceOut](items=[source_out(s) for s in rows], total=total, limit=limit, offset=offset)


@router.post("/sources", response_model=SourceOut, status_code=201)
def create_source(body: SourceIn, session: DbSession, workspace: WorkspaceDep,
                  principal: Annotated[Principal, requires("source.create")]) -> SourceOut:
    source = add_source(context(session, workspace, principal), kind=body.kind, title=body.title,
                        language=body.language, date=body.date, reliability=body.reliability,
                        credibility=body.credibility, text=body.text, consent_scopes=body.consent_scopes)
    return source_out(source)


@router.get("/sources/{code}", response_model=SourceOut)
def get_source(code: str, session: DbSession, principal: Annotated[Principal, requires("source.view")]) -> SourceOut:
    return source_out(find_source(session, code))


@router.get("/sources/{code}/text", response_model=SourceTextOut)
def get_source_text(code: str, workspace: WorkspaceDep,
                    principal: Annotated[Principal, requires("source.view")]) -> SourceTextOut:
    """The text, if the policy lets this user read this source's (an interviewer: their own cases);
    audited either way."""
    return SourceTextOut(code=code, text=open_source_text(workspace.store, workspace.keys, principal.actor, code,
                                                          "api"))


@router.get("/persons", response_model=Page[PersonOut])
def list_persons(session: DbSession, principal: Annotated[Principal, requires("person.view")],
                 role: Annotated[str, Query(max_length=20)] = "", limit: Limit = 25,
                 offset: Offset = 0) -> Page[PersonOut]:
    query = sa.select(Person).order_by(Person.id.desc())
    if role:
        query = query.where(Person.person_role == role)
    total, rows = _page(session, query, limit, offset)
    return Page[PersonOut](items=[person_out(p) for p in rows], total=total, limit=limit, offset=offset)


@router.get("/persons/{code}", response_model=PersonOut)
def get_person(code: str, session: DbSession, principal: Annotated[Principal, requires("person.view")]) -> PersonOut:
    return person_out(find_person(session, code))


@router.get("/persons/{code}/identity", response_model=IdentityOut)
def get_identity(code: str, workspace: WorkspaceDep,
                 principal: Annotated[Principal, requires("person.view")]) -> IdentityOut:
    """The sealed identity, if the policy allows this user to see this person's; audited either way."""
    identity = reveal_identity(workspace.store, workspace.keys, principal.actor, code, purpose="api")
    return IdentityOut(code=code, legal_name=identity.legal_name, hangul_name=identity.hangul_name,
                       aliases=list(identity.aliases), contact=identity.contact, whereabouts=identity.whereabouts)


@router.get("/persons/{code}/elements")
def get_elements(code: str, session: DbSession, principal: Annotated[Principal, requires("elements.view")]) -> dict:
    """The legal-element analysis of every provision this person's acts engage."""
    return analyse_person(session, code, actor=principal.actor).to_dict()


@router.get("/acts", response_model=Page[ActOut])
def list_acts(session: DbSession, principal: Annotated[Principal, requires("act.view")],
              violation: Annotated[str, Query(max_length=60)] = "", limit: Limit = 25,
              offset: Offset = 0) -> Page[ActOut]:
    query = sa.select(Act).order_by(Act.id.desc()).options(
        selectinload(Act.event), selectinload(Act.perpetrators), selectinload(Act.attestations))
    if violation:
        query = query.where(Act.violation == violation)
    total, acts = _page(session, query, limit, offset)
    victims = dict(session.execute(sa.select(Person.id, Person.code).where(
        Person.id.in_({a.victim_id for a in acts if a.victim_id}))).all()) if acts else {}
    source_ids = {t.source_id for a in acts for t in a.attestations}
    sources = dict(session.execute(sa.select(Source.id, Source.code).where(Source.id.in_(source_ids))).all()) \
        if source_ids else {}
    return Page[ActOut](items=[act_out(a, victims, sources) for a in acts], total=total, limit=limit, offset=offset)


@router.post("/acts", response_model=ActOut, status_code=201)
def create_act(body: ActIn, session: DbSession, workspace: WorkspaceDep,
               principal: Annotated[Principal, requires("act.create")]) -> ActOut:
    ctx = context(session, workspace, principal)
    source = session.scalar(sa.select(Source).where(Source.code == body.source))
    problems = []
    if source is None:
        problems.append(Problem("source", f"no source with code {body.source!r}"))
    victim = None
    if body.victim:
        victim = session.scalar(sa.select(Person).where(Person.code == body.victim))
        if victim is None:
            problems.append(Problem("victim", f"no person with code {body.victim!r}"))
    if problems:
        raise ValidationError(problems)
    event = None
    if body.event is not None:
        event = add_event(ctx, kind=body.event.kind, place_id=body.event.place_id, date_start=body.event.date_start,
                          date_end=body.event.date_end, date_precision=body.event.date_precision)
    act = add_act(ctx, victim=victim, violation=body.violation, event=event, details=ActDetails(
        price_amount=body.price_amount, price_currency=body.price_currency, notes=body.notes,
        perpetrators=[PerpetratorSpec(role=r) for r in body.perpetrator_roles],
        attestations=[AttestationSpec(source, body.span_start, body.span_end)]))
    if event is not None and victim is not None and allowed(principal.actor, "person.edit"):
        add_journey(ctx, victim, [event])  # the act's event is a step of the victim's journey
    return act_out(act, {victim.id: victim.code} if victim else {}, {source.id: source.code})


@router.get("/claims", response_model=Page[ClaimOut])
def list_claims(session: DbSession, principal: Annotated[Principal, requires("claim.view")],
                measure: Annotated[str, Query(max_length=120)] = "", limit: Limit = 25,
                offset: Offset = 0) -> Page[ClaimOut]:
    query = sa.select(Claim, Source).join(Source, Source.id == Claim.source_id).order_by(Claim.measure, Claim.id)
    if measure:
        query = query.where(Claim.measure == measure)
    total = session.scalar(query.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)) or 0
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return Page[ClaimOut](items=[claim_out(c, s) for c, s in rows], total=total, limit=limit, offset=offset)


def claim_out(claim: Claim, source: Source) -> ClaimOut:
    return ClaimOut(code=claim.code, measure=claim.measure, value=claim.value, value_max=claim.value_max,
                    qualifier=claim.qualifier, unit=claim.unit, scope=claim.scope, year=claim.year, source=source.code,
                    source_title=source.title, span_start=claim.span_start, span_end=claim.span_end)


@router.post("/claims", response_model=ClaimOut, status_code=201)
def create_claim(body: ClaimIn, session: DbSession, workspace: WorkspaceDep,
                 principal: Annotated[Principal, requires("claim.create")]) -> ClaimOut:
    """Record a figure a source asserts, with its quoted passage as a span or as the quoted words."""
    source = session.scalar(sa.select(Source).where(Source.code == body.source))
    if source is None:
        raise ValidationError([Problem("source", f"no source with code {body.source!r}")])
    if (body.span_start is None) != (body.span_end is None):
        raise ValidationError([Problem("span", "give both span_start and span_end, or neither")])
    span = (body.span_start, body.span_end) if body.span_start is not None else None
    claim = add_claim(context(session, workspace, principal), source=source, measure=body.measure, value=body.value,
                      value_max=body.value_max, qualifier=body.qualifier, unit=body.unit, scope=body.scope,
                      year=body.year, span=span, quote=body.quote)
    return claim_out(claim, source)


@router.get("/evidence", response_model=Page[EvidenceOut])
def list_evidence(session: DbSession, principal: Annotated[Principal, requires("evidence.view")],
                  limit: Limit = 25, offset: Offset = 0) -> Page[EvidenceOut]:
    query = sa.select(Evidence, Source.code).outerjoin(Source, Source.id == Evidence.source_id).order_by(Evidence.id.desc())
    total = session.scalar(sa.select(sa.func.count()).select_from(Evidence)) or 0
    rows = session.execute(query.limit(limit).offset(offset)).all()
    items = [EvidenceOut(code=e.code, source=code, media_type=e.media_type, size_bytes=e.size_bytes, sha256=e.sha256,
                         acquired_by=e.acquired_by, created_at=e.created_at) for e, code in rows]
    return Page[EvidenceOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/audit", response_model=Page[AuditOut])
def list_audit(session: DbSession, principal: Annotated[Principal, requires("audit.view")],
               actor: Annotated[str, Query(max_length=80)] = "", limit: Limit = 50,
               offset: Offset = 0) -> Page[AuditOut]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor)
    total, rows = _page(session, query, limit, offset)
    items = [AuditOut(id=e.id, at=e.at, actor=e.actor, action=e.action, record_type=e.record_type,
                      record_id=e.record_id) for e in rows]
    return Page[AuditOut](items=items, total=total, limit=limit, offset=offset)
