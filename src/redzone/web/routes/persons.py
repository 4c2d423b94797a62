"""Persons: the pseudonymised list, one person's journey timeline (and adding steps to it) and
legal-element analysis, and the sealed identity — shown only when the policy allows it, every view
(and refusal) audited."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import defer

from redzone.errors import NotFound, Problem
from redzone.legal import analyse_person
from redzone.records.entry import add_journey, journey_of
from redzone.records.identity import person_resource, reveal_identity
from redzone.records.models import Act, Person
from redzone.security.policy import allowed
from redzone.vocab import load_vocabulary
from redzone.web.deps import DbSession, WorkspaceDep, context, requires
from redzone.web.forms import Problems, journey_steps
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
    steps = journey_of(session, person)
    acts_by_event: dict[int, list[Act]] = {}
    for act in session.scalars(sa.select(Act).where(Act.victim_id == person.id)):
        acts_by_event.setdefault(act.event_id, []).append(act)
    analysis = analyse_person(session, code, actor=principal.actor) if allowed(principal.actor, "elements.view") else None
    may_reveal = allowed(principal.actor, "person.view_sealed", person_resource(session, principal.actor, person))
    return render(request, "person.html", person=person, steps=steps, acts_by_event=acts_by_event,
                  analysis=analysis, may_reveal=may_reveal, has_identity=person.identity_sealed is not None,
                  lists=load_vocabulary().lists)


@router.post("/persons/{code}/journey", dependencies=[requires("person.edit")])
def add_journey_step(
    request: Request, session: DbSession, workspace: WorkspaceDep, code: str,
    step_kind: Annotated[list[str], Form()] = [],  # noqa: B006 — one row (or more) of journey fields
    step_place_id: Annotated[list[str], Form()] = [],  # noqa: B006
    step_place_name: Annotated[list[str], Form()] = [],  # noqa: B006
    step_date_precision: Annotated[list[str], Form()] = [],  # noqa: B006
    step_date_start: Annotated[list[str], Form()] = [],  # noqa: B006
    step_date_end: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    person = find_person(session, code)
    problems = Problems()
    steps = journey_steps(problems, step_kind, step_place_id, step_place_name, step_date_precision, step_date_start,
                          step_date_end)
    if not steps and not problems:
        problems.append(Problem("journey[0].kind", "choose what happened at this step"))
    problems.raise_if_any()
    added = add_journey(context(session, workspace, request.state.principal), person, steps)
    target = f"/persons/{person.code}" + (f"?step={added[-1].event.code}" if added else "")
    return RedirectResponse(target + "#journey", status_code=303)


@router.get("/persons/{code}/identity", dependencies=[requires("person.view")])
def person_identity(request: Request, workspace: WorkspaceDep, code: str) -> Response:
    principal = request.state.principal
    identity = reveal_identity(workspace.store, workspace.keys, principal.actor, code, purpose="web person page")
    return render(request, "identity.html", code=code, identity=identity)
