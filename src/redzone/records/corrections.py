"""Correcting what was recorded: a journey step (its event's fields, its place in time order, or
the step itself removed) and a claim (its figure and passage, or the claim deleted). Each change is
checked as the recording was, and audited with the fields before and after — codes, dates and
figures, never an event's free-text description."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound, Problem
from redzone.messages import Message
from redzone.records.entry import (Context, JourneyStep, _event_problems, _journey_position, _raise, add_journey,
                                   checked_claim, journey_of, province_of)
from redzone.records.models import Act, Claim, Event, EventAttestation, Participation, Person, Source
from redzone.security.policy import require


def _event_fields(event: Event) -> dict:
    """What an audit entry may say about an event: codes and dates, never its free-text description
    (which may hold what a witness said)."""
    return {"kind": event.kind, "place_id": event.place_id, "date_precision": event.date_precision,
            "date_start": event.date_start.isoformat() if event.date_start else None,
            "date_end": event.date_end.isoformat() if event.date_end else None}


def _step_of(ctx: Context, person: Person, event_code: str) -> tuple[list[Participation], Participation]:
    journey = journey_of(ctx.session, person)
    for participation in journey:
        if participation.event.code == event_code:
            return journey, participation
    raise NotFound(Message("event %(event_code)s is not a step of the journey of %(code)s",
                           event_code=repr(event_code), code=person.code))


def _renumber(journey: list[Participation]) -> None:
    for sequence, participation in enumerate(journey, 1):
        participation.sequence = sequence


def update_journey_step(ctx: Context, person: Person, event_code: str, step: JourneyStep) -> Participation:
    """Correct one step of a person's journey (its event's kind, place, dates, description), checked
    as when it was added (problems named by the bare field); the step moves to its place in time
    order. The event is corrected for every record that shares it (an act's event, another person's
    journey); the sources attesting it stay with it, since they tell the same step. Audited with the
    fields before and after (`journey.edit`)."""
    require(ctx.actor, "person.edit")
    problems = _event_problems("", step.kind, step.place_id, step.date_start, step.date_end, step.date_precision)
    if len(step.description) > 2000:
        problems.append(Problem("description", "is longer than 2,000 characters"))
    _raise(problems)
    journey, participation = _step_of(ctx, person, event_code)
    event = participation.event
    before = _event_fields(event)
    described = event.description != step.description
    event.kind, event.place_id, event.province_id = step.kind, step.place_id, province_of(step.place_id)
    event.date_start, event.date_end, event.date_precision = step.date_start, step.date_end, step.date_precision
    event.year = step.date_start.year if step.date_start else None
    event.description = step.description
    journey.remove(participation)
    journey.insert(_journey_position(journey, event), participation)
    _renumber(journey)
    ctx.session.flush()
    ctx.audit("journey.edit", "person", person.code,
              {"event": event.code, "before": before, "after": _event_fields(event),
               "description_changed": described, "sequence": participation.sequence})
    return participation


def place_in_journey(ctx: Context, person: Person, event: Event) -> Participation:
    """Make an event (whose date may just have changed) a step of the person's journey, in its place
    in time order: added (audited `journey.add`) when it is not a step yet, moved when it is."""
    journey = journey_of(ctx.session, person)
    current = next((p for p in journey if p.event_id == event.id), None)
    if current is None:
        return add_journey(ctx, person, [event])[0]
    require(ctx.actor, "person.edit")
    journey.remove(current)
    journey.insert(_journey_position(journey, event), current)
    _renumber(journey)
    ctx.session.flush()
    return current


def remove_journey_step(ctx: Context, person: Person, event_code: str) -> None:
    """Take one step out of a person's journey (a step recorded by mistake). The event itself is
    deleted too when nothing else refers to it — no act, no other person's journey — and with it the
    sources' attestations of it; an event that stays keeps them (an act's event stays, since the act
    still happened there: correct or delete the act instead). Audited with the step's fields and the
    sources that attested it (`journey.remove`)."""
    require(ctx.actor, "person.edit")
    journey, participation = _step_of(ctx, person, event_code)
    event = participation.event
    sources = list(ctx.session.scalars(
        sa.select(Source.code).join(EventAttestation, EventAttestation.source_id == Source.id)
        .where(EventAttestation.event_id == event.id).order_by(EventAttestation.id)))
    journey.remove(participation)
    ctx.session.delete(participation)
    _renumber(journey)
    ctx.session.flush()
    shared = ctx.session.scalar(sa.select(sa.func.count()).select_from(Participation).where(
        Participation.event_id == event.id)) or 0
    with_acts = ctx.session.scalar(sa.select(sa.func.count()).select_from(Act).where(Act.event_id == event.id)) or 0
    deleted = not shared and not with_acts
    if deleted:
        require(ctx.actor, "act.edit")  # deleting an event record, not only a person's step
        ctx.session.delete(event)  # its attestations go with it (cascade)
        ctx.session.flush()
    ctx.audit("journey.remove", "person", person.code,
              {"event": event_code, "before": _event_fields(event), "event_deleted": deleted,
               "sources": sorted(set(sources))})


def _claim_fields(claim: Claim) -> dict:
    return {"measure": claim.measure, "value": claim.value, "value_max": claim.value_max,
            "qualifier": claim.qualifier, "unit": claim.unit, "scope": claim.scope, "year": claim.year,
            "span": [claim.span_start, claim.span_end] if claim.span_start is not None else None}


def update_claim(ctx: Context, claim: Claim, *, measure: str, value: float, qualifier: str = "exact",
                 unit: str = "persons", scope: str = "", year: int | None = None, value_max: float | None = None,
                 span: tuple[int, int] | None = None, quote: str | None = None,
                 keep_span: bool = False) -> Claim:
    """Correct a claim's figure, qualifier, unit, scope, year or quoted passage, checked as when it
    was recorded. `keep_span` keeps the passage already quoted when neither a span nor a quote is
    given. The source stays (a figure from another source is another claim). Audited with the
    fields before and after (`claim.edit`)."""
    require(ctx.actor, "claim.edit")
    source = ctx.session.get(Source, claim.source_id)
    measure, unit, scope, span = checked_claim(ctx, source, measure, value, value_max, qualifier, unit, scope, year,
                                               span, quote)
    if span is None and keep_span and claim.span_start is not None:
        span = (claim.span_start, claim.span_end)
    before = _claim_fields(claim)
    claim.measure, claim.value, claim.value_max, claim.qualifier = measure, value, value_max, qualifier
    claim.unit, claim.scope, claim.year = unit, scope, year
    claim.span_start, claim.span_end = (span[0], span[1]) if span else (None, None)
    ctx.session.flush()
    ctx.audit("claim.edit", "claim", claim.code, {"source": source.code, "before": before, "after": _claim_fields(claim)})
    return claim


def remove_claim(ctx: Context, claim: Claim) -> None:
    """Delete a claim recorded by mistake; the audit keeps what it said (`claim.delete`)."""
    require(ctx.actor, "claim.edit")
    source_code = ctx.session.scalar(sa.select(Source.code).where(Source.id == claim.source_id))
    before = _claim_fields(claim)
    ctx.session.delete(claim)
    ctx.session.flush()
    ctx.audit("claim.delete", "claim", claim.code, {"source": source_code, "before": before})


def get_claim(session: Session, code: str) -> Claim:
    claim = session.scalar(sa.select(Claim).where(Claim.code == code))
    if claim is None:
        raise NotFound(Message("no claim with code %(code)s", code=repr(code)))
    return claim
