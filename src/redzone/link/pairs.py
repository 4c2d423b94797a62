"""What person and incident linkage store alike: a run's scored pairs with reviewers' decisions, and
the clusters its linked pairs form. One description per kind of record (`PERSON_PAIRS`,
`INCIDENT_PAIRS`) names the tables and columns; storing pairs, carrying decisions over from the
previous run and re-forming clusters are written once, for both.

A pair is linked when a reviewer accepted it, or when nobody decided and the model's match
probability reaches the run's threshold. Clusters are the connected components of the linked pairs,
named after their member with the smallest id (RZ-PVN4BG → CL-PVN4BG, EV-3K9D2A → IN-3K9D2A).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.link.clusters import connected_components
from redzone.records.models import (Event, IncidentCluster, IncidentPair, LinkPair, LinkRun, Person, PersonCluster)

INCIDENT_ROLE = "incident"  # link_run.person_role of an incident run


@dataclass(frozen=True)
class PairKind:
    """Where one kind of linked record keeps its pairs and clusters."""

    name: str
    record: Any  # the mapped class of the records linked: Person or Event
    pair: Any  # LinkPair or IncidentPair
    cluster: Any  # PersonCluster or IncidentCluster
    sides: tuple[str, str]  # the pair's two record columns
    member: str  # the cluster table's record column
    code: str  # the cluster table's cluster-code column
    record_prefix: str
    cluster_prefix: str

    @property
    def left(self):  # noqa: ANN201 — a mapped column
        return getattr(self.pair, self.sides[0])

    @property
    def right(self):  # noqa: ANN201
        return getattr(self.pair, self.sides[1])

    def ends(self, pair: Any) -> tuple[int, int]:
        return getattr(pair, self.sides[0]), getattr(pair, self.sides[1])

    def cluster_code(self, record_code: str) -> str:
        return self.cluster_prefix + record_code.removeprefix(self.record_prefix)

    def records(self, run: LinkRun) -> sa.Select:
        """(id, code) of the records a run links: persons of its role, or every event."""
        query = sa.select(self.record.id, self.record.code)
        return query.where(Person.person_role == run.person_role) if self.record is Person else query

    def linked(self, run: LinkRun):  # noqa: ANN201 — a SQL expression
        return sa.or_(self.pair.decision == "accepted",
                      sa.and_(self.pair.decision.is_(None), self.pair.match_probability >= run.threshold))


PERSON_PAIRS = PairKind("person", Person, LinkPair, PersonCluster, ("person_a_id", "person_b_id"), "person_id",
                        "cluster_code", "RZ-", "CL-")
INCIDENT_PAIRS = PairKind("incident", Event, IncidentPair, IncidentCluster, ("event_a_id", "event_b_id"), "event_id",
                          "incident_code", "EV-", "IN-")


def kind_of(run: LinkRun) -> PairKind:
    return INCIDENT_PAIRS if run.person_role == INCIDENT_ROLE else PERSON_PAIRS


def is_linked(pair: Any, run: LinkRun) -> bool:
    return pair.decision == "accepted" or (pair.decision is None and pair.match_probability >= run.threshold)


def refresh_clusters(session: Session, run: LinkRun) -> dict[int, str]:
    """Recompute every record's cluster from the run's linked pairs; returns record id → cluster code."""
    kind = kind_of(run)
    records = dict(session.execute(kind.records(run)).all())
    edges = session.execute(sa.select(kind.left, kind.right).where(kind.pair.run_id == run.id, kind.linked(run)))
    heads = connected_components(records, ((a, b) for a, b in edges if a in records and b in records))
    codes = {record: kind.cluster_code(records[head]) for record, head in heads.items()}
    member = getattr(kind.cluster, kind.member)
    stale = sa.delete(kind.cluster)
    if kind.record is Person:
        stale = stale.where(member.in_(sa.select(Person.id).where(Person.person_role == run.person_role)))
    session.execute(stale)
    rows = [{kind.member: record, "run_id": run.id, kind.code: code} for record, code in codes.items()]
    for start in range(0, len(rows), 10000):
        session.execute(sa.insert(kind.cluster), rows[start:start + 10000])
    return codes


def _levels(row: dict, names: tuple[str, ...]) -> dict[str, list]:
    return {name: [int(row[f"gamma_{name}"]), round(float(row[f"mw_{name}"]), 4)] for name in names}


def store_pairs(session: Session, run: LinkRun, pairs: Any, names: tuple[str, ...], previous: LinkRun | None) -> int:
    """Insert a run's scored pairs (`Prediction.pairs`: person_a < person_b are the two record ids, whatever
    kind they are) and carry the previous run's decisions over; returns how many were carried."""
    kind = kind_of(run)
    decided: dict[tuple[int, int], Any] = {}
    if previous is not None:
        decided = {kind.ends(p): p for p in session.scalars(
            sa.select(kind.pair).where(kind.pair.run_id == previous.id, kind.pair.decision.is_not(None)))}
    existing = set(session.scalars(sa.select(kind.records(run).subquery().c.id)))
    a, b = kind.sides
    rows = []
    for row in pairs.to_dict("records"):
        key = (int(row["person_a"]), int(row["person_b"]))
        old = decided.pop(key, None)
        rows.append({"run_id": run.id, a: key[0], b: key[1], "match_weight": float(row["match_weight"]),
                     "match_probability": float(row["match_probability"]), "levels": _levels(row, names),
                     "origin": "model", "decision": old.decision if old else None,
                     "decided_by": old.decided_by if old else None, "decided_at": old.decided_at if old else None})
    carried = sum(1 for r in rows if r["decision"])
    for (first, second), old in decided.items():  # decided before, no longer scored above the floor: keep it
        if first in existing and second in existing:
            rows.append({"run_id": run.id, a: first, b: second, "match_weight": old.match_weight,
                         "match_probability": old.match_probability, "levels": old.levels, "origin": "carried",
                         "decision": old.decision, "decided_by": old.decided_by, "decided_at": old.decided_at})
            carried += 1
    for start in range(0, len(rows), 10000):
        session.execute(sa.insert(kind.pair), rows[start:start + 10000])
    return int(carried)
