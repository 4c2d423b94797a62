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

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.link.clusters import components_array
from redzone.records.models import (Event, IncidentCluster, IncidentPair, LinkPair, LinkRun, Person, PersonCluster)
from redzone.store.bulk import insert_tuples

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
    edges = session.execute(sa.select(kind.left, kind.right).where(kind.pair.run_id == run.id, kind.linked(run))).all()
    ids = np.fromiter(records, dtype=np.int64, count=len(records))
    ids.sort()
    left = np.fromiter((a for a, _ in edges), dtype=np.int64, count=len(edges))
    right = np.fromiter((b for _, b in edges), dtype=np.int64, count=len(edges))
    # Positions in the sorted ids: the smallest position of a component is its smallest id.
    at_left, at_right = np.searchsorted(ids, left), np.searchsorted(ids, right)
    known = ((at_left < len(ids)) & (at_right < len(ids)))
    known[known] &= (ids[at_left[known]] == left[known]) & (ids[at_right[known]] == right[known])
    heads = ids[components_array(len(ids), at_left[known], at_right[known])].tolist()
    named = {head: kind.cluster_code(records[head]) for head in set(heads)}
    members = ids.tolist()
    codes = dict(zip(members, (named[head] for head in heads)))
    member = getattr(kind.cluster, kind.member)
    stale = sa.delete(kind.cluster)
    if kind.record is Person:
        stale = stale.where(member.in_(sa.select(Person.id).where(Person.person_role == run.person_role)))
    session.execute(stale)
    insert_tuples(session, kind.cluster, (kind.member, kind.code), zip(members, (named[head] for head in heads)),
                  same={"run_id": run.id})
    return codes


def _levels(pairs: Any, names: tuple[str, ...]) -> list[dict[str, list]]:
    """Each pair's comparison levels, {name: [gamma, weight rounded to 4 places]}, column by column."""
    columns = [(name, pairs[f"gamma_{name}"].astype("int64").tolist(),
                [round(weight, 4) for weight in pairs[f"mw_{name}"].astype(float).tolist()]) for name in names]
    return [{name: [gammas[i], weights[i]] for name, gammas, weights in columns} for i in range(len(pairs))]


PAIR_COLUMNS = ("match_weight", "match_probability", "levels", "origin", "decision", "decided_by", "decided_at")


def store_pairs(session: Session, run: LinkRun, pairs: Any, names: tuple[str, ...], previous: LinkRun | None) -> int:
    """Insert a run's scored pairs (`Prediction.pairs`: person_a < person_b are the two record ids, whatever
    kind they are) and carry the previous run's decisions over; returns how many were carried.

    Written with one bulk insert (COPY on PostgreSQL), built column by column from the frame: a million
    pairs cost no ORM object and no dict per pair."""
    kind = kind_of(run)
    decided: dict[tuple[int, int], Any] = {}
    if previous is not None:
        decided = {kind.ends(p): p for p in session.scalars(
            sa.select(kind.pair).where(kind.pair.run_id == previous.id, kind.pair.decision.is_not(None)))}
    firsts = pairs["person_a"].astype("int64").tolist()
    seconds = pairs["person_b"].astype("int64").tolist()
    weights = pairs["match_weight"].astype(float).tolist()
    probabilities = pairs["match_probability"].astype(float).tolist()
    levels = _levels(pairs, names)
    rows: list[tuple] = []
    carried = 0
    for index, key in enumerate(zip(firsts, seconds)):
        old = decided.pop(key, None) if decided else None
        if old is None:
            rows.append((*key, weights[index], probabilities[index], levels[index], "model", None, None, None))
        else:
            rows.append((*key, weights[index], probabilities[index], levels[index], "model", old.decision,
                         old.decided_by, old.decided_at))
            carried += 1
    if decided:  # decided before, no longer scored above the floor: keep it
        existing = set(session.scalars(sa.select(kind.records(run).subquery().c.id)))
        for (first, second), old in decided.items():
            if first in existing and second in existing:
                rows.append((first, second, old.match_weight, old.match_probability, old.levels, "carried",
                             old.decision, old.decided_by, old.decided_at))
                carried += 1
    insert_tuples(session, kind.pair, (*kind.sides, *PAIR_COLUMNS), rows, same={"run_id": run.id})
    return carried
