"""Running a linkage over a workspace and keeping its results: the run, its scored pairs (with
reviewers' decisions carried over from the previous run), and the clusters the links form.

Identities are unsealed inside this process only, to build the comparison keys; what is stored and
returned is pseudonymous codes, match weights and comparison levels. The audit entry for a run
records how many identities were unsealed for comparison, by whom, and what the run found.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound
from redzone.link import engine
from redzone.link.backends import open_backend
from redzone.link.evaluate import cluster_scores, demo_truth
from redzone.link.features import comparison_frame, workspace_records
from redzone.link.pairs import PERSON_PAIRS, refresh_clusters, store_pairs
from redzone.link.settings import LinkSettings
from redzone.messages import Message, Term
from redzone.records.codes import ALPHABET
from redzone.records.entry import Context
from redzone.records.models import LinkPair, LinkRun, utcnow
from redzone.security.policy import require


@dataclass
class RunReport:
    """What a run found, in counts and codes only."""

    run: str
    backend: str
    records: int
    pairs_stored: int
    linked_pairs: int
    in_review: int
    individuals: int
    linked_records: int
    carried_decisions: int
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    evaluation: dict | None = None
    notes: list[str] = field(default_factory=list)
    # CPU seconds of this process (every thread, DuckDB's included) per stage, the engine's training and
    # scoring together: on a shared machine the wall times above measure the neighbours as much as the run.
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"run": self.run, "backend": self.backend, "records": self.records, "pairs_stored": self.pairs_stored,
                "linked_pairs": self.linked_pairs, "in_review": self.in_review, "individuals": self.individuals,
                "linked_records": self.linked_records, "carried_decisions": self.carried_decisions,
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()}, "warnings": self.warnings,
                "evaluation": self.evaluation, "notes": self.notes,
                "cpu_seconds": {k: round(v, 2) for k, v in self.cpu_seconds.items()}}


def _run_code() -> str:
    return "LNK-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def role_term(person_role: str) -> str:
    """A run's kind of record for a sentence a page shows: a person role as the vocabulary names it."""
    if person_role == "incident":  # an incident run (pairs.INCIDENT_ROLE)
        return Message("incident")
    return Term("person_roles", person_role, person_role)


def current_run(session: Session, person_role: str = "victim", required: bool = True) -> LinkRun | None:
    """The latest finished run for `person_role`: the one whose pairs and clusters are in force."""
    run = session.scalars(sa.select(LinkRun).where(LinkRun.person_role == person_role,
                                                   LinkRun.finished_at.is_not(None))
                          .order_by(LinkRun.id.desc()).limit(1)).first()
    if run is None and required:
        raise NotFound(Message("no linkage has been run for %(role)s records yet; run `redzone link` first",
                               role=role_term(person_role)))
    return run


def run_linkage(ws, actor, settings: LinkSettings | None = None) -> RunReport:  # noqa: ANN001
    """Link the workspace's person records of `settings.person_role`; store and cluster the result."""
    settings = (settings or LinkSettings()).validate()
    require(actor, "link.run")
    started, cpu = time.perf_counter(), [time.process_time()]
    with ws.store.session() as session:
        frame = comparison_frame(workspace_records(session, ws.keys.fields, settings.person_role))
    prepared = time.perf_counter()
    cpu.append(time.process_time())
    with open_backend(settings.backend) as api:
        prediction = engine.score(frame, settings, api)
    del frame
    scored = time.perf_counter()
    cpu.append(time.process_time())
    with ws.store.session() as session:
        previous = current_run(session, settings.person_role, required=False)
        run = LinkRun(code=_run_code(), person_role=settings.person_role, backend=settings.backend,
                      threshold=settings.threshold, review_low=settings.review_low, review_high=settings.review_high,
                      model=prediction.model.to_dict(), summary={}, started_by=actor.username,
                      started_at=utcnow() - dt.timedelta(seconds=scored - started))
        session.add(run)
        session.flush()
        carried = store_pairs(session, run, prediction.pairs, engine.comparison_names(), previous)
        stored = time.perf_counter()
        cpu.append(time.process_time())
        clusters = refresh_clusters(session, run)
        cpu.append(time.process_time())
        linked = session.scalar(sa.select(sa.func.count()).select_from(LinkPair)
                                .where(LinkPair.run_id == run.id, PERSON_PAIRS.linked(run))) or 0
        review = session.scalar(sa.select(sa.func.count()).select_from(LinkPair).where(
            LinkPair.run_id == run.id, LinkPair.decision.is_(None),
            LinkPair.match_probability >= run.review_low, LinkPair.match_probability < run.review_high)) or 0
        sizes: dict[str, int] = {}
        for code in clusters.values():
            sizes[code] = sizes.get(code, 0) + 1
        truth = demo_truth(session)
        evaluation = cluster_scores(clusters, truth).to_dict() if truth else None
        report = RunReport(run.code, settings.backend, prediction.records, len(prediction.pairs), linked, review,
                           len(sizes), sum(n for n in sizes.values() if n > 1), carried,
                           {"prepare": prepared - started, **prediction.seconds, "store": stored - scored,
                            "cluster": time.perf_counter() - stored}, prediction.warnings, evaluation,
                           prediction.notes,
                           dict(zip(("prepare", "engine", "store", "cluster"), (b - a for a, b in zip(cpu, cpu[1:])))))
        run.summary = {**report.to_dict(), "settings": settings.to_dict()}
        run.finished_at = utcnow()
        Context(session, ws.keys, actor).audit("link.run", "link_run", run.code, {
            "identities_unsealed_for_comparison": prediction.records, "backend": settings.backend,
            "threshold": settings.threshold, "review_band": [settings.review_low, settings.review_high],
            "pairs_stored": len(prediction.pairs), "linked_pairs": linked, "in_review": review,
            "individuals": len(sizes), "carried_decisions": carried})
    report.seconds["total"] = time.perf_counter() - started
    report.cpu_seconds["total"] = time.process_time() - cpu[0]
    return report
