"""REST API, recording corrections: a person's journey (the ordered steps they went through; adding,
correcting and removing steps) and correcting or deleting a claim — through the same services as the
pages, under the same policy and audit."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Response
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from redzone.errors import Problem, ValidationError
from redzone.records.corrections import (get_claim, remove_claim, remove_journey_step, update_claim,
                                         update_journey_step)
from redzone.records.entry import AttestationSpec, JourneyStep, add_journey, journey_of, step_sources
from redzone.records.models import Act, Person, Source
from redzone.web.api_models import (ClaimFigure, ClaimOut, ErrorOut, JourneyIn, JourneyStepIn, JourneyStepOut,
                                    StepSourceOut)
from redzone.web.deps import DbSession, Principal, WorkspaceDep, context, requires
from redzone.web.routes.api_records import claim_out
from redzone.web.routes.persons import find_person
from redzone.web.routing import SessionInRouteThread

ERRORS = {status: {"model": ErrorOut} for status in (401, 403, 404, 422)}
bearer = HTTPBearer(auto_error=False, description="An API token: `redzone token create` or your account page.")
router = APIRouter(prefix="/api/v1", route_class=SessionInRouteThread,
                   tags=["records"], responses=ERRORS, dependencies=[Depends(bearer)])


def journey_out(session: Session, person: Person) -> list[JourneyStepOut]:
    acts: dict[int, list[str]] = {}
    for event_id, code in session.execute(sa.select(Act.event_id, Act.code).where(Act.victim_id == person.id)
                                          .order_by(Act.id)):
        acts.setdefault(event_id, []).append(code)
    steps = journey_of(session, person)
    told = step_sources(session, [step.event_id for step in steps])
    return [JourneyStepOut(sequence=step.sequence, event=step.event.code, kind=step.event.kind,
                           place_id=step.event.place_id, date=step.event.date_text(),
                           date_precision=step.event.date_precision, acts=acts.get(step.event_id, []),
                           sources=[StepSourceOut(source=s.source.code, span_start=s.span_start, span_end=s.span_end,
                                                  act=s.act) for s in told.get(step.event_id, [])])
            for step in steps]


@router.get("/persons/{code}/journey", response_model=list[JourneyStepOut])
def get_journey(code: str, session: DbSession,
                principal: Annotated[Principal, requires("person.view")]) -> list[JourneyStepOut]:
    """The person's journey in order, each step with the acts recorded in its event and the sources
    that tell it (codes and spans; the text itself from the source, for roles that may read it)."""
    return journey_out(session, find_person(session, code))


@router.post("/persons/{code}/journey", response_model=list[JourneyStepOut], status_code=201)
def post_journey(code: str, body: JourneyIn, session: DbSession, workspace: WorkspaceDep,
                 principal: Annotated[Principal, requires("person.edit")]) -> list[JourneyStepOut]:
    """Add steps (new events) to the person's journey; dated steps take their place in time order.
    With `source`, each new step is attested by that source (at the step's span when given).
    Answers the whole journey."""
    person = find_person(session, code)
    source = None
    if body.source is not None:
        source = session.scalar(sa.select(Source).where(Source.code == body.source))
        if source is None:
            raise ValidationError([Problem("source", f"no source with code {body.source!r}")])
    problems = [Problem(f"steps[{index}].span", "give both span_start and span_end, or neither")
                for index, s in enumerate(body.steps) if (s.span_start is None) != (s.span_end is None)]
    problems += [Problem(f"steps[{index}].span", "a span needs the source it is in (source)")
                 for index, s in enumerate(body.steps) if s.span_start is not None and source is None]
    if problems:
        raise ValidationError(problems)
    add_journey(context(session, workspace, principal), person,
                [JourneyStep(kind=s.kind, place_id=s.place_id, date_start=s.date_start, date_end=s.date_end,
                             date_precision=s.date_precision, description=s.description,
                             attestations=(AttestationSpec(source, s.span_start, s.span_end),) if source else ())
                 for s in body.steps],
                field_name="steps")
    return journey_out(session, person)


def _step(body: JourneyStepIn) -> JourneyStep:
    return JourneyStep(kind=body.kind, place_id=body.place_id, date_start=body.date_start, date_end=body.date_end,
                       date_precision=body.date_precision, description=body.description)


@router.put("/persons/{code}/journey/{event}", response_model=list[JourneyStepOut])
def put_journey_step(code: str, event: str, body: JourneyStepIn, session: DbSession, workspace: WorkspaceDep,
                     principal: Annotated[Principal, requires("person.edit")]) -> list[JourneyStepOut]:
    """Correct one step (its event's kind, place, dates, description); it moves to its place in time
    order. Problems are named by the bare field (`kind`, `date_start`…). Answers the whole journey."""
    person = find_person(session, code)
    update_journey_step(context(session, workspace, principal), person, event, _step(body))
    return journey_out(session, person)


@router.delete("/persons/{code}/journey/{event}", status_code=204, response_class=Response)
def delete_journey_step(code: str, event: str, session: DbSession, workspace: WorkspaceDep,
                        principal: Annotated[Principal, requires("person.edit")]) -> Response:
    """Take a step out of the journey; its event is deleted too unless an act or another person's
    journey refers to it."""
    remove_journey_step(context(session, workspace, principal), find_person(session, code), event)
    return Response(status_code=204)


class ClaimCorrectionIn(ClaimFigure):
    """A claim as corrected: every field as it should now read. The source stays; the quoted passage
    is a span, the quoted words, or — neither given — the passage already quoted."""


@router.put("/claims/{code}", response_model=ClaimOut)
def put_claim(code: str, body: ClaimCorrectionIn, session: DbSession, workspace: WorkspaceDep,
              principal: Annotated[Principal, requires("claim.edit")]) -> ClaimOut:
    """Correct a claim, checked as when it was recorded; audited with its fields before and after."""
    claim = get_claim(session, code)
    if (body.span_start is None) != (body.span_end is None):
        raise ValidationError([Problem("span", "give both span_start and span_end, or neither")])
    span = (body.span_start, body.span_end) if body.span_start is not None else None
    update_claim(context(session, workspace, principal), claim, measure=body.measure, value=body.value,
                 value_max=body.value_max, qualifier=body.qualifier, unit=body.unit, scope=body.scope, year=body.year,
                 span=span, quote=body.quote, keep_span=True)
    return claim_out(claim, session.get(Source, claim.source_id))


@router.delete("/claims/{code}", status_code=204, response_class=Response)
def delete_claim(code: str, session: DbSession, workspace: WorkspaceDep,
                 principal: Annotated[Principal, requires("claim.edit")]) -> Response:
    """Delete a claim recorded by mistake (the audit keeps what it said)."""
    remove_claim(context(session, workspace, principal), get_claim(session, code))
    return Response(status_code=204)
