"""The tables record linkage keeps (`redzone.link` writes them): runs, scored pairs with reviewers'
decisions, the decision log that makes merges and splits undoable, and each record's current
cluster — for person records and, separately, for event records (incidents)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from redzone.records.base import Base, Timestamp, utcnow


class LinkRun(Base):
    """One run of record linkage: its settings, the trained model (parameters and level labels, never
    a compared value) and what it found."""

    __tablename__ = "link_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    person_role: Mapped[str] = mapped_column(sa.String(20), default="victim")
    backend: Mapped[str] = mapped_column(sa.String(20), default="duckdb")
    threshold: Mapped[float]
    review_low: Mapped[float]
    review_high: Mapped[float]
    model: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_by: Mapped[str] = mapped_column(sa.String(80))
    started_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class LinkPair(Base):
    """Two person records a run scored as possibly the same individual, with a reviewer's decision.

    The pair is linked when a reviewer accepted it, or when nobody decided and the model's match
    probability reaches the run's threshold. `levels` holds, per comparison, the level reached and
    its match weight: the waterfall an analyst reviews, with no value of the records in it.
    """

    __tablename__ = "link_pair"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("link_run.id", ondelete="CASCADE"), index=True)
    person_a_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    person_b_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    match_weight: Mapped[float]
    match_probability: Mapped[float] = mapped_column(index=True)
    levels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # 'model' when this run scored the pair; 'carried' when only an earlier run's decision brought it here.
    # The same in incident_pair.
    origin: Mapped[str] = mapped_column(sa.String(10), default="model")
    decision: Mapped[str | None] = mapped_column(sa.String(10))
    decided_by: Mapped[str | None] = mapped_column(sa.String(80))
    decided_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    __table_args__ = (
        sa.UniqueConstraint("run_id", "person_a_id", "person_b_id"),
        sa.CheckConstraint("person_a_id < person_b_id", name="ordered"),
        sa.CheckConstraint("decision IS NULL OR decision IN ('accepted','rejected')", name="decision"),
    )


class LinkDecision(Base):
    """One reviewing act (accept, reject, reopen, split, undo) and the pair decisions it changed, so
    that it can be undone exactly. The run says which pairs: `incident_pair` for a run whose
    person_role is 'incident', `link_pair` otherwise."""

    __tablename__ = "link_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("link_run.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    actor: Mapped[str] = mapped_column(sa.String(80))
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    # [[pair id, decision before, decision after], …]
    changes: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    undone_by: Mapped[int | None]


class PersonCluster(Base):
    """The linked individual (cluster) a person record belongs to under the latest run and its
    decisions; records never linked to another form clusters of one."""

    __tablename__ = "person_cluster"
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("link_run.id", ondelete="CASCADE"), index=True)
    cluster_code: Mapped[str] = mapped_column(sa.String(40), index=True)


class IncidentPair(Base):
    """Two event records an incident run scored as possibly the same incident, with a reviewer's
    decision: linked as `LinkPair` is, and holding, like it, levels and weights but no value."""

    __tablename__ = "incident_pair"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("link_run.id", ondelete="CASCADE"), index=True)
    event_a_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    event_b_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    match_weight: Mapped[float]
    match_probability: Mapped[float] = mapped_column(index=True)
    levels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    origin: Mapped[str] = mapped_column(sa.String(10), default="model")
    decision: Mapped[str | None] = mapped_column(sa.String(10))
    decided_by: Mapped[str | None] = mapped_column(sa.String(80))
    decided_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    __table_args__ = (
        sa.UniqueConstraint("run_id", "event_a_id", "event_b_id"),
        sa.CheckConstraint("event_a_id < event_b_id", name="ordered"),
        sa.CheckConstraint("decision IS NULL OR decision IN ('accepted','rejected')", name="decision"),
    )


class IncidentCluster(Base):
    """The incident an event record belongs to under the latest incident run and its decisions;
    events never linked to another form incidents of one."""

    __tablename__ = "incident_cluster"
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("link_run.id", ondelete="CASCADE"), index=True)
    incident_code: Mapped[str] = mapped_column(sa.String(40), index=True)
