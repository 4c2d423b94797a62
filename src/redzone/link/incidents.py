"""Incident deduplication, separate from persons: the same arrest or sale reported by a survivor, an NGO
and a newspaper becomes several event records; this links them with its own Fellegi–Sunter model on the
same engine and backends. Evidence: the kind of event, the linked individual it happened to (her
person cluster), place through the gazetteer, and date.

Events hold no sealed field, so nothing is unsealed here. The result of a run — which event records
form one incident — is kept in the run's summary (`link_run` with person_role 'incident'): the schema
has no incident-pair table yet, so incident pairs cannot be reviewed one by one as person pairs can.
"""

from __future__ import annotations

import time
from collections import Counter

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound
from redzone.link import engine
from redzone.link.backends import open_backend
from redzone.link.clusters import connected_components
from redzone.link.features import place_columns
from redzone.link.model import Comparison, Level, ModelSpec
from redzone.link.runs import _run_code
from redzone.link.settings import LinkSettings
from redzone.records.entry import Context
from redzone.records.models import Act, Event, LinkRun, Participation, Person, PersonCluster, utcnow
from redzone.security.policy import require

ROLE = "incident"
COLUMNS = ("unique_id", "kind", "victim", "place", "area", "province", "day_start", "day_end", "year")


def _null(*columns: str) -> str:
    return " OR ".join(f"l.{c} IS NULL OR r.{c} IS NULL" for c in columns)


def _comparisons(dialect: str) -> tuple[Comparison, ...]:
    del dialect  # equality and arithmetic only: the same SQL in every dialect
    return (
        Comparison("kind", "Kind of event", (
            Level(_null("kind"), "kind: unknown on one side", null=True),
            Level("l.kind = r.kind", "kind: same"),
            Level("ELSE", "kind: different"))),
        Comparison("victim", "The linked individual the event happened to", (
            Level(_null("victim"), "victim: unknown on one side", null=True),
            Level("l.victim = r.victim", "victim: same linked individual"),
            Level("ELSE", "victim: different individuals"))),
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


def incident_frame(session: Session, person_role: str = "victim") -> tuple[pd.DataFrame, dict[int, str]]:
    """The comparison table of every event (one row each) and event id → code. An event's victim is the
    person cluster of the first person recorded at it (through the journey, else through its acts)."""
    clusters = dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code)).all())
    victims: dict[int, str] = {}
    for event_id, person_id in session.execute(
            sa.select(Participation.event_id, Participation.person_id).join(Person, Person.id == Participation.person_id)
            .where(Person.person_role == person_role).order_by(Participation.event_id, Participation.person_id)):
        victims.setdefault(event_id, clusters.get(person_id, f"person:{person_id}"))
    for event_id, person_id in session.execute(sa.select(Act.event_id, Act.victim_id)
                                               .where(Act.event_id.is_not(None), Act.victim_id.is_not(None))
                                               .order_by(Act.event_id, Act.victim_id)):
        victims.setdefault(event_id, clusters.get(person_id, f"person:{person_id}"))
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
        frame, codes = incident_frame(session, settings.person_role)
        person_run = session.scalar(sa.select(sa.func.count()).select_from(LinkRun)
                                    .where(LinkRun.person_role == settings.person_role))
    warnings = [] if person_run else ["persons have not been linked yet: events count as the same victim's only "
                                      "when recorded for the same person record; run `redzone link` first"]
    with open_backend(settings.backend) as api:
        prediction = engine.score(frame, settings, api, INCIDENTS)
    linked = prediction.pairs[prediction.pairs.match_probability >= settings.threshold]
    heads = connected_components(codes, zip(linked.person_a, linked.person_b))
    clusters = {codes[event]: "IN-" + codes[head].removeprefix("EV-") for event, head in heads.items()}
    sizes = Counter(clusters.values())
    report = {"run": _run_code(), "backend": settings.backend,
              "events": len(frame), "pairs_linked": len(linked), "incidents": len(sizes),
              "events_in_shared_incidents": sum(n for n in sizes.values() if n > 1),
              "seconds": round(time.perf_counter() - started, 2), "warnings": warnings + prediction.warnings}
    with ws.store.session() as session:
        run = LinkRun(code=report["run"], person_role=ROLE, backend=settings.backend, threshold=settings.threshold,
                      review_low=settings.review_low, review_high=settings.review_high,
                      model=prediction.model.to_dict(), started_by=actor.username, finished_at=utcnow(),
                      summary={**report, "settings": settings.to_dict(), "clusters": clusters,
                               "pairs": [[codes[int(a)], codes[int(b)], round(float(p), 6)] for a, b, p in
                                         zip(linked.person_a, linked.person_b, linked.match_probability)]})
        session.add(run)
        Context(session, ws.keys, actor).audit("link.incidents", "link_run", run.code, {
            k: report[k] for k in ("backend", "events", "pairs_linked", "incidents")})
    return report


def incident_clusters(session: Session, actor, min_size: int = 2) -> list[dict]:  # noqa: ANN001
    """Incidents of the latest incident run with at least `min_size` event records, with their codes."""
    require(actor, "act.view")
    run = session.scalars(sa.select(LinkRun).where(LinkRun.person_role == ROLE).order_by(LinkRun.id.desc())).first()
    if run is None:
        raise NotFound("no incident linkage has been run yet; run `redzone link --incidents` first")
    grouped: dict[str, list[str]] = {}
    for event, incident in sorted(run.summary.get("clusters", {}).items()):
        grouped.setdefault(incident, []).append(event)
    return [{"incident": code, "events": events} for code, events in sorted(grouped.items())
            if len(events) >= min_size]
