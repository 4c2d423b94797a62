"""Incident deduplication, separate from persons: the same arrest or sale reported by a survivor, an NGO
and a newspaper becomes several event records; this links them with its own Fellegi–Sunter model on the
same engine and backends. Evidence: the kind of event, the linked individual it happened to (her
person cluster), place through the gazetteer, and date.

Events hold no sealed field, so nothing is unsealed here. A run (`link_run` with person_role 'incident')
stores its scored pairs in `incident_pair`, carrying reviewers' decisions over from the previous run,
and each event record's incident in `incident_cluster`; borderline pairs are reviewed one by one as
person pairs are (`incident_review`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound
from redzone.link import engine
from redzone.link.backends import open_backend
from redzone.link.features import place_columns
from redzone.link.model import Comparison, Level, ModelSpec
from redzone.link.pairs import INCIDENT_PAIRS, INCIDENT_ROLE, refresh_clusters, store_pairs
from redzone.link.runs import _run_code, current_run
from redzone.link.settings import LinkSettings
from redzone.messages import Message
from redzone.records.entry import Context
from redzone.records.models import (Act, Event, IncidentCluster, IncidentPair, LinkRun, Participation, Person,
                                    PersonCluster, utcnow)
from redzone.security.policy import require

ROLE = INCIDENT_ROLE
COLUMNS = ("unique_id", "kind", "victim", "place", "area", "province", "day_start", "day_end", "year")


def _null(*columns: str) -> str:
    return " OR ".join(f"l.{c} IS NULL OR r.{c} IS NULL" for c in columns)


def _comparisons(dialect: str) -> tuple[Comparison, ...]:
    del dialect  # equality and arithmetic only: the same SQL in every dialect
    return (
        # Reports of one incident name its kind and its victim alike, but for a slip or a record the person
        # linkage missed: these m are fixed, since EM left free may settle on a class that is not "the same
        # incident" (one woman's other events, or other women's events at one place and time).
        Comparison("kind", "Kind of event", (
            Level(_null("kind"), "kind: unknown on one side", null=True),
            Level("l.kind = r.kind", "kind: same", m=0.98),
            Level("ELSE", "kind: different", m=0.02))),
        Comparison("victim", "The linked individual the event happened to", (
            Level(_null("victim"), "victim: unknown on one side", null=True),
            Level("l.victim = r.victim", "victim: same linked individual", m=0.95),
            Level("ELSE", "victim: different individuals", m=0.05))),
        Comparison("place", "Place, through the gazetteer", (
            Level(_null("place"), "place: unknown on one side", null=True),
            Level("l.place = r.place", "place: same"),
            Level("l.area = r.area", "place: same county or city"),
            Level("l.province = r.province", "place: same province"),
            Level("ELSE", "place: different province"))),
        Comparison("date", "Date (start and end, whatever the precision written)", (
            Level(_null("day_start"), "date: unknown on one side", null=True),
            Level("l.day_start = r.day_start", "date: same start"),
            Level("l.day_start <= r.day_end + 31 AND r.day_start <= l.day_end + 31", "date: within a month"),
            Level("l.day_start <= r.day_end + 366 AND r.day_start <= l.day_end + 366", "date: within a year"),
            Level("ELSE", "date: more than a year apart"))),
    )


INCIDENTS = ModelSpec(
    "incidents",
    _comparisons,
    blocking_rules=("l.victim = r.victim AND l.kind = r.kind",
                    "l.kind = r.kind AND l.place = r.place AND l.year = r.year",
                    "l.kind = r.kind AND l.province = r.province AND l.day_start = r.day_start"),
    training_rules=("l.victim = r.victim", "l.kind = r.kind AND l.place = r.place AND l.year = r.year"),
    deterministic_rules=("l.victim = r.victim AND l.kind = r.kind AND l.place = r.place AND l.year = r.year",),
    deterministic_recall=0.7,
)


def victims_of(session: Session, person_role: str = "victim", events: Iterable[int] | None = None) -> dict[int, str]:
    """Event id → the linked individual it happened to: the person cluster (else the person code) of the
    first person of `person_role` recorded at it, through the journey, else through its acts."""
    wanted = None if events is None else list(events)
    journeys = (sa.select(Participation.event_id, Participation.person_id, Person.code)
                .join(Person, Person.id == Participation.person_id).where(Person.person_role == person_role)
                .order_by(Participation.event_id, Participation.person_id))
    acts = (sa.select(Act.event_id, Act.victim_id, Person.code).join(Person, Person.id == Act.victim_id)
            .where(Act.event_id.is_not(None)).order_by(Act.event_id, Act.victim_id))
    if wanted is not None:
        journeys, acts = journeys.where(Participation.event_id.in_(wanted)), acts.where(Act.event_id.in_(wanted))
    found = [*session.execute(journeys), *session.execute(acts)]
    clusters = dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code).where(
        PersonCluster.person_id.in_({person for _, person, _ in found}))).all()) if wanted is not None else \
        dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code)).all())
    victims: dict[int, str] = {}
    for event_id, person_id, code in found:
        victims.setdefault(event_id, clusters.get(person_id, code))
    return victims


def incident_frame(session: Session, person_role: str = "victim") -> tuple[pd.DataFrame, dict[int, str]]:
    """The comparison table of every event (one row each) and event id → code."""
    victims = victims_of(session, person_role)
    rows, codes = [], {}
    for event in session.scalars(sa.select(Event).order_by(Event.id)):
        place, area, province = place_columns(event.place_id)
        start = event.date_start.toordinal() if event.date_start else None
        end = event.date_end.toordinal() if event.date_end else start
        rows.append((event.id, event.kind, victims.get(event.id), place, area, province or event.province_id,
                     start, end, event.year or (event.date_start.year if event.date_start else None)))
        codes[event.id] = event.code
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    for column in ("unique_id", "day_start", "day_end", "year"):
        frame[column] = pd.array(frame[column], dtype="Int64")
    for column in ("kind", "victim", "place", "area", "province"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame, codes


def run_incident_linkage(ws, actor, settings: LinkSettings | None = None) -> dict:  # noqa: ANN001
    """Link the workspace's event records into incidents; keep and return the result (codes only)."""
    settings = (settings or LinkSettings()).validate()
    require(actor, "link.run")
    started = time.perf_counter()
    with ws.store.session() as session:
        frame, _ = incident_frame(session, settings.person_role)
        person_run = session.scalar(sa.select(sa.func.count()).select_from(LinkRun)
                                    .where(LinkRun.person_role == settings.person_role))
    warnings = [] if person_run else ["persons have not been linked yet: events count as the same victim's only "
                                      "when recorded for the same person record; run `redzone link` first"]
    with open_backend(settings.backend) as api:
        prediction = engine.score(frame, settings, api, INCIDENTS)
    with ws.store.session() as session:
        previous = current_run(session, ROLE, required=False)
        run = LinkRun(code=_run_code(), person_role=ROLE, backend=settings.backend, threshold=settings.threshold,
                      review_low=settings.review_low, review_high=settings.review_high,
                      model=prediction.model.to_dict(), summary={}, started_by=actor.username)
        session.add(run)
        session.flush()
        carried = store_pairs(session, run, prediction.pairs, INCIDENTS.comparison_names(), previous)
        sizes = Counter(refresh_clusters(session, run).values())
        count = sa.select(sa.func.count()).select_from(IncidentPair).where(IncidentPair.run_id == run.id)
        report = {"run": run.code, "backend": settings.backend, "events": len(frame),
                  "pairs_stored": len(prediction.pairs),
                  "pairs_linked": session.scalar(count.where(INCIDENT_PAIRS.linked(run))) or 0,
                  "in_review": session.scalar(count.where(
                      IncidentPair.decision.is_(None), IncidentPair.match_probability >= run.review_low,
                      IncidentPair.match_probability < run.review_high)) or 0,
                  "carried_decisions": carried, "incidents": len(sizes),
                  "events_in_shared_incidents": sum(n for n in sizes.values() if n > 1),
                  "seconds": round(time.perf_counter() - started, 2), "warnings": warnings + prediction.warnings}
        run.summary = {**report, "settings": settings.to_dict()}
        run.finished_at = utcnow()
        Context(session, ws.keys, actor).audit("link.incidents", "link_run", run.code, {
            k: report[k] for k in ("backend", "events", "pairs_stored", "pairs_linked", "in_review", "incidents",
                                   "carried_decisions")})
    return report


def incident_clusters(session: Session, actor, min_size: int = 2) -> list[dict]:  # noqa: ANN001
    """Incidents of the latest incident run (and its review decisions) with at least `min_size` event
    records, with their codes."""
    require(actor, "act.view")
    rows = session.execute(sa.select(IncidentCluster.incident_code, Event.code)
                           .join(Event, Event.id == IncidentCluster.event_id)
                           .order_by(IncidentCluster.incident_code, Event.code)).all()
    if not rows and current_run(session, ROLE, required=False) is None:
        raise NotFound(Message("no incident linkage has been run yet; run `redzone link --incidents` first"))
    grouped: dict[str, list[str]] = {}
    for incident, event in rows:
        grouped.setdefault(incident, []).append(event)
    return [{"incident": code, "events": events} for code, events in grouped.items() if len(events) >= min_size]
