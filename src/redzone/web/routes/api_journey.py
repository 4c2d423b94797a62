"""REST API, a person's journey: the ordered steps (events) they went through, and adding steps —
through the same service as the pages, under the same policy and audit."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from redzone.records.entry import JourneyStep, add_journey, journey_of
from redzone.records.models import Act, Person
from redzone.web.api_models import ErrorOut, JourneyIn, JourneyStepOut
from redzone.web.deps import DbSession, Principal, WorkspaceDep, context, requires
from redzone.web.routes.persons import find_person

ERRORS = {status: {"model": ErrorOut} for status in (401, 403, 404, 422)}
bearer = HTTPBearer(auto_error=False, description="An API token: `redzone token create` or your account page.")
router = APIRouter(prefix="/api/v1", tags=["records"], responses=ERRORS, dependencies=[Depends(bearer)])


def journey_out(session: Session, person: Person) -> list[JourneyStepOut]:
    acts: dict[int, list[str]] = {}
    for event_id, code in session.execute(sa.select(Act.event_id, Act.code).where(Act.victim_id == person.id)
                                          .order_by(Act.id)):
        acts.setdefault(event_id, []).append(code)
    return [JourneyStepOut(sequence=step.sequence, event=step.event.code, kind=step.event.kind,
                           place_id=step.event.place_id, date=step.event.date_text(),
                           date_precision=step.event.date_precision, acts=acts.get(step.event_id, []))
            for step in journey_of(session, person)]


@router.get("/persons/{code}/journey", response_model=list[JourneyStepOut])
def get_journey(code: str, session: DbSession,
                principal: Annotated[Principal, requires("person.view")]) -> list[JourneyStepOut]:
    """The person's journey in order, each step with the acts recorded in its event."""
    return journey_out(session, find_person(session, code))


@router.post("/persons/{code}/journey", response_model=list[JourneyStepOut], status_code=201)
def post_journey(code: str, body: JourneyIn, session: DbSession, workspace: WorkspaceDep,
                 principal: Annotated[Principal, requires("person.edit")]) -> list[JourneyStepOut]:
    """Add steps (new events) to the person's journey; dated steps take their place in time order.
    Answers the whole journey."""
    person = find_person(session, code)
    add_journey(context(session, workspace, principal), person,
                [JourneyStep(kind=s.kind, place_id=s.place_id, date_start=s.date_start, date_end=s.date_end,
                             date_precision=s.date_precision, description=s.description) for s in body.steps],
                field_name="steps")
    return journey_out(session, person)
