"""Reviewing incidents pair by pair: the queue of borderline pairs of event records, and the same
reversible, audited acts as for persons (`review`) — accept or reject a pair, reopen it, merge two
event records the model did not pair, split an event record out of its incident, undo any of these
through `review.undo`.

What a reviewer sees of a pair: the two event records' codes, kind, place, date at its recorded
precision, the incident each is in and the linked individual it happened to (her cluster code), the
match probability and the waterfall. Never an event's free-text description, nor any person's name.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound, Problem, ValidationError
from redzone.link.incidents import ROLE, victims_of
from redzone.link.pairs import INCIDENT_PAIRS, is_linked
from redzone.link.review import decide_pair, decisions, get_pair, merge_pair, queued_pairs, split_pairs, waterfall
from redzone.link.runs import current_run
from redzone.messages import Message
from redzone.records.entry import Context
from redzone.records.models import Event, IncidentCluster, IncidentPair, LinkRun
from redzone.security.policy import require


def _event(event: Event, incident: str | None, victim: str | None) -> dict:
    return {"code": event.code, "kind": event.kind, "place": event.place_id, "province": event.province_id,
            "date": event.date_text(), "incident": incident, "victim": victim}


def incident_pair_view(session: Session, pair: IncidentPair, run: LinkRun | None = None) -> dict:
    """Everything a reviewer needs about a pair of event records, as plain data (no free text)."""
    run = run or session.get(LinkRun, pair.run_id)
    ends = (pair.event_a_id, pair.event_b_id)
    events = {e.id: e for e in session.scalars(sa.select(Event).where(Event.id.in_(ends)))}
    incidents = dict(session.execute(sa.select(IncidentCluster.event_id, IncidentCluster.incident_code)
                                     .where(IncidentCluster.event_id.in_(ends))).all())
    person_role = (run.summary.get("settings") or {}).get("person_role", "victim")
    victims = victims_of(session, person_role, ends)
    in_band = run.review_low <= pair.match_probability < run.review_high
    return {
        "pair": pair.id, "run": run.code,
        "a": _event(events[pair.event_a_id], incidents.get(pair.event_a_id), victims.get(pair.event_a_id)),
        "b": _event(events[pair.event_b_id], incidents.get(pair.event_b_id), victims.get(pair.event_b_id)),
        "match_probability": round(pair.match_probability, 6), "match_weight": round(pair.match_weight, 3),
        "linked": is_linked(pair, run), "decision": pair.decision, "decided_by": pair.decided_by,
        "in_review": in_band and pair.decision is None, "origin": pair.origin,
        "waterfall": [{"comparison": s.comparison, "level": s.label, "weight": round(s.weight, 3),
                       "cumulative": round(s.cumulative, 3)} for s in waterfall(pair, run)],
    }


def incident_review_queue(session: Session, actor, limit: int = 50) -> list[dict]:  # noqa: ANN001
    """Undecided incident pairs in the review band, the most uncertain first."""
    require(actor, "link.review")
    run = current_run(session, ROLE)
    return [incident_pair_view(session, pair, run) for pair in queued_pairs(session, run, limit)]


def get_incident_pair(session: Session, pair_id: int) -> IncidentPair:
    """A pair of the current incident run (NotFound, or ValidationError for an earlier run's pair)."""
    return get_pair(session, pair_id, INCIDENT_PAIRS)


def decide_incident(ctx: Context, pair_id: int, verb: str, note: str = "") -> dict:
    """Accept (the same incident), reject (different incidents) or reopen (the model's verdict) a pair."""
    return decide_pair(ctx, INCIDENT_PAIRS, pair_id, verb, note)


def merge_incident(ctx: Context, code_a: str, code_b: str, note: str = "") -> dict:
    """Link two event records the model did not pair (two reports of one incident it missed): an accepted
    manual pair in the current incident run, undoable, carried over by later runs; refusals name
    event_a / event_b."""
    return merge_pair(ctx, INCIDENT_PAIRS, code_a, code_b, note)


def split_incident(ctx: Context, incident: str, event_code: str, note: str = "") -> dict:
    """Take an event record out of its incident: every link tying it to another of its records is rejected."""
    require(ctx.actor, "link.review")
    event = ctx.session.scalar(sa.select(Event).where(Event.code == event_code))
    if event is None:
        raise NotFound(Message("no event with code %(code)s", code=repr(event_code)))
    run = current_run(ctx.session, ROLE)
    members = set(ctx.session.scalars(sa.select(IncidentCluster.event_id)
                                      .where(IncidentCluster.incident_code == incident)))
    if event.id not in members:
        raise ValidationError(Problem("event", Message("%(event)s is not in incident %(incident)s", event=event_code,
                                                       incident=incident)))
    if len(members) == 1:
        raise ValidationError(Problem("incident", Message(
            "%(incident)s holds %(event)s alone; there is nothing to split", incident=incident, event=event_code)))
    return split_pairs(ctx, run, event.id, members, note)


def incident_decisions(session: Session, actor, limit: int = 50) -> list[dict]:  # noqa: ANN001
    """The current incident run's decision log, newest first."""
    return decisions(session, actor, ROLE, limit)
