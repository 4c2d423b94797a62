"""Persons: the pseudonymised list, one person's journey timeline and legal-element analysis, and
the sealed identity — shown only when the policy allows it, every view (and refusal) audited."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import defer, selectinload

from redzone.errors import NotFound
from redzone.legal import analyse_person
from redzone.records.identity import person_resource, reveal_identity
from redzone.records.models import Act, Participation, Person
from redzone.security.policy import allowed
from redzone.web.deps import DbSession, WorkspaceDep, requires
from redzone.web.rendering import render

router = APIRouter(include_in_schema=False)


def find_person(session, code: str) -> Person:  # noqa: ANN001
    person = session.scalar(sa.select(Person).where(Person.code == code))
    if person is None:
        raise NotFound(f"no person with code {code!r}")
    return person


@router.get("/persons", dependencies=[requires("person.view")])
def person_list(request: Request, session: DbSession, role: str = "", page: int = 1) -> Response:
    size = request.app.state.settings.page_size
    page = max(1, min(page, 100000))
    query = sa.select(Person)
    if role:
        query = query.where(Person.person_role == role)
    total = session.scalar(query.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)) or 0  # count(*): a covering index, not the rows
    persons = list(session.scalars(query.options(defer(Person.identity_sealed)).order_by(Person.id.desc())
                                   .limit(size).offset((page - 1) * size)))
    acts = dict(session.execute(sa.select(Act.victim_id, sa.func.count()).where(
        Act.victim_id.in_([p.id for p in persons])).group_by(Act.victim_id)).all()) if persons else {}
    return render(request, "persons.html", persons=persons, total=total, page=page, role=role, acts=acts,
                  pages=max(1, -(-total // size)))


@router.get("/persons/{code}", dependencies=[requires("person.view")])
def person_page(request: Request, session: DbSession, code: str) -> Response:
    principal = request.state.principal
    person = find_person(session, code)
    steps = list(session.scalars(sa.select(Participation).where(Participation.person_id == person.id)
                                 .options(selectinload(Participation.event)).order_by(Participation.sequence)))
    acts_by_event: dict[int, list[Act]] = {}
    for act in session.scalars(sa.select(Act).where(Act.victim_id == person.id)):
        acts_by_event.setdefault(act.event_id, []).append(act)
    analysis = analyse_person(session, code, actor=principal.actor) if allowed(principal.actor, "elements.view") else None
    may_reveal = allowed(principal.actor, "person.view_sealed", person_resource(session, principal.actor, person))
    return render(request, "person.html", person=person, steps=steps, acts_by_event=acts_by_event,
                  analysis=analysis, may_reveal=may_reveal, has_identity=person.identity_sealed is not None)


@router.get("/persons/{code}/identity", dependencies=[requires("person.view")])
def person_identity(request: Request, workspace: WorkspaceDep, code: str) -> Response:
    principal = request.state.principal
    identity = reveal_identity(workspace.store, workspace.keys, principal.actor, code, purpose="web person page")
    return render(request, "identity.html", code=code, identity=identity)
