"""Persons: the pseudonymised list, one person's journey timeline (each step with the sources that
tell it; adding, correcting and removing steps; a rejected form comes back with its problems and
what was typed) and legal-element
analysis, and the sealed identity — shown only when the policy allows it, every view (and refusal)
audited."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import defer

from redzone.errors import NotFound, Problem, ValidationError
from redzone.legal import analyse_person
from redzone.messages import Message
from redzone.records.corrections import remove_journey_step, update_journey_step
from redzone.records.entry import add_journey, journey_of, read_source_text, step_sources
from redzone.records.identity import person_resource, reveal_identity
from redzone.records.models import Act, Person
from redzone.records.text_scope import readable_of
from redzone.security.policy import allowed
from redzone.vocab import load_vocabulary
from redzone.web.deps import DbSession, WorkspaceDep, context, requires
from redzone.web.form_errors import by_field, journey_rows, rejected
from redzone.web.forms import JourneyForm, Problems, place_label
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)


def find_person(session, code: str) -> Person:  # noqa: ANN001
    person = session.scalar(sa.select(Person).where(Person.code == code))
    if person is None:
        raise NotFound(Message("no person with code %(code)s", code=repr(code)))
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


def _written(date, precision: str) -> str:  # noqa: ANN001
    """A stored date as people wrote it: 2016, 2016-05 or 2016-05-03."""
    if date is None:
        return ""
    return date.isoformat()[:{"year": 4, "month": 7}.get(precision, 10)]


def step_row(event) -> dict:  # noqa: ANN001
    """A recorded step as the values of a journey row (the correction form starts from these)."""
    return {"kind": event.kind, "place_name": place_label(event.place_id) if event.place_id else "",
            "place_id": event.place_id or "", "date_precision": event.date_precision,
            "date_start": _written(event.date_start, event.date_precision),
            "date_end": event.date_end.isoformat() if event.date_end else "", "errors": {}}


QUOTE_SHOWN = 160  # characters of a quoted passage shown on the timeline (the source page has the whole text)


def _sources_by_event(session, workspace, principal, steps: list) -> dict[int, list[dict]]:  # noqa: ANN001
    """Each step's sources as the timeline shows them: code, span and, to a role that may read
    testimony texts, the quoted words (each source's text read once, audited as on its page)."""
    found = step_sources(session, [step.event_id for step in steps])
    texts: dict[int, str | None] = {}
    quoted = [told.source for listed in found.values() for told in listed if told.span_start is not None]
    readable = readable_of(session, principal.actor, quoted)  # an interviewer: the texts of their own cases
    ctx = context(session, workspace, principal)
    for source in quoted:
        if source.id in readable and source.id not in texts:
            texts[source.id] = read_source_text(ctx, source)
    shown: dict[int, list[dict]] = {}
    for event_id, listed in found.items():
        for told in listed:
            text = texts.get(told.source.id)
            quote = text[told.span_start:told.span_end] if text and told.span_start is not None else None
            if quote and len(quote) > QUOTE_SHOWN:
                quote = quote[:QUOTE_SHOWN - 1] + "…"
            shown.setdefault(event_id, []).append({"code": told.source.code, "start": told.span_start,
                                                   "end": told.span_end, "quote": quote, "act": told.act})
    return shown


def _person_page(request: Request, session, workspace, code: str, status_code: int = 200,  # noqa: ANN001
                 add_rows: list | None = None, edit_event: str | None = None, edit_row: dict | None = None) -> Response:
    principal = request.state.principal
    person = find_person(session, code)
    steps = journey_of(session, person)
    sources_by_event = _sources_by_event(session, workspace, principal, steps)
    acts_by_event: dict[int, list[Act]] = {}
    for act in session.scalars(sa.select(Act).where(Act.victim_id == person.id)):
        acts_by_event.setdefault(act.event_id, []).append(act)
    analysis = analyse_person(session, code, actor=principal.actor) if allowed(principal.actor, "elements.view") else None
    may_reveal = allowed(principal.actor, "person.view_sealed", person_resource(session, principal.actor, person))
    rows = {step.event.code: step_row(step.event) for step in steps}
    if edit_event in rows and edit_row is not None:
        rows[edit_event] = edit_row
    return render(request, "person.html", status_code=status_code, person=person, steps=steps,
                  acts_by_event=acts_by_event, sources_by_event=sources_by_event, analysis=analysis,
                  may_reveal=may_reveal,
                  has_identity=person.identity_sealed is not None, lists=load_vocabulary().lists,
                  add_rows=add_rows, edit_rows=rows, edit_event=edit_event)


@router.get("/persons/{code}", dependencies=[requires("person.view")])
def person_page(request: Request, session: DbSession, workspace: WorkspaceDep, code: str) -> Response:
    return _person_page(request, session, workspace, code)



@router.post("/persons/{code}/journey", dependencies=[requires("person.edit")])
def add_journey_step(
    request: Request, session: DbSession, workspace: WorkspaceDep, code: str, journey: JourneyForm,
) -> Response:
    person = find_person(session, code)
    try:
        problems = Problems()
        steps = journey.steps(problems)
        if not steps and not problems:
            problems.append(Problem("journey[0].kind", "choose what happened at this step"))
        problems.raise_if_any()
        added = add_journey(context(session, workspace, request.state.principal), person, steps)
    except ValidationError as error:
        rows = journey_rows(journey.typed(), by_field(error), 1)
        return rejected(session, workspace,
                        lambda fresh: _person_page(request, fresh, workspace, code, 422, add_rows=rows))
    target = f"/persons/{person.code}" + (f"?step={added[-1].event.code}" if added else "")
    return RedirectResponse(target + "#journey", status_code=303)


@router.post("/persons/{code}/journey/{event}/edit", dependencies=[requires("person.edit")])
def edit_journey_step(
    request: Request, session: DbSession, workspace: WorkspaceDep, code: str, event: str, journey: JourneyForm,
) -> Response:
    """Correct one step (the form's one row); its description (not on the form) is kept."""
    person = find_person(session, code)
    journey = journey.first()
    try:
        problems = Problems()
        steps = journey.steps(problems)
        if not steps and not problems:
            problems.append(Problem("journey[0].kind", "choose what happened at this step"))
        problems.raise_if_any()
        current = next((p.event for p in journey_of(session, person) if p.event.code == event), None)
        if current is None:
            raise NotFound(Message("event %(event)s is not a step of the journey of %(code)s",
                                   event=repr(event[:40]), code=person.code))
        try:
            update_journey_step(context(session, workspace, request.state.principal), person, event,
                                dataclasses.replace(steps[0], description=current.description))
        except ValidationError as error:  # the service names bare fields; the form's row is journey[0]
            raise ValidationError([dataclasses.replace(p, field=f"journey[0].{p.field}") for p in error.problems]) from None
    except ValidationError as error:
        row = journey_rows(journey.typed(), by_field(error), 1)[0]
        return rejected(session, workspace, lambda fresh: _person_page(request, fresh, workspace, code, 422,
                                                                        edit_event=event, edit_row=row))
    return RedirectResponse(f"/persons/{person.code}?corrected={event}#step-{event}", status_code=303)


@router.post("/persons/{code}/journey/{event}/delete", dependencies=[requires("person.edit")])
def delete_journey_step(request: Request, session: DbSession, workspace: WorkspaceDep, code: str,
                        event: str) -> Response:
    person = find_person(session, code)
    remove_journey_step(context(session, workspace, request.state.principal), person, event)
    return RedirectResponse(f"/persons/{person.code}?removed={event}#journey", status_code=303)


@router.get("/persons/{code}/identity", dependencies=[requires("person.view")])
def person_identity(request: Request, workspace: WorkspaceDep, code: str) -> Response:
    principal = request.state.principal
    identity = reveal_identity(workspace.store, workspace.keys, principal.actor, code, purpose="web person page")
    return render(request, "identity.html", code=code, identity=identity)
