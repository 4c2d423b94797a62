"""Aggregate counts of acts (or victims) by a dimension, computed in the database and then
passed through small-cell suppression before anyone sees them."""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import Problem, ValidationError
from redzone.messages import Message
from redzone.records.models import Act, ActPerpetrator, Attestation, Claim, Event, Evidence, Group, Organisation, Person, Source
from redzone.stats.suppression import SuppressedTable, suppress_1d, suppress_2d

Dimension = Literal["violation", "province", "year", "role", "organisation", "sex"]
DIMENSIONS: tuple[str, ...] = ("violation", "province", "year", "role", "organisation", "sex")
Unit = Literal["acts", "victims"]
UNKNOWN = "unknown"

_COLUMNS = {
    "violation": Act.violation,
    "province": Act.province_id,  # copied from the act's event by a trigger: no join
    "year": Act.year,
    "role": ActPerpetrator.role,
    "organisation": Person.organisation_id,
    "sex": Person.sex,
}


def _validate(by: tuple[str, ...], unit: str) -> None:
    problems = []
    if not 1 <= len(by) <= 2:
        problems.append(Problem("by", "give one or two dimensions"))
    for dimension in by:
        if dimension not in _COLUMNS:
            problems.append(Problem("by", Message("%(dimension)s is not one of %(items)s",
                                                  dimension=repr(dimension), items=', '.join(DIMENSIONS))))
    if len(set(by)) != len(by):
        problems.append(Problem("by", "a dimension may appear only once"))
    if unit not in ("acts", "victims"):
        problems.append(Problem("count", Message("%(unit)s is not 'acts' or 'victims'", unit=repr(unit))))
    if problems:
        raise ValidationError(problems)


def raw_counts(session: Session, by: tuple[str, ...], unit: Unit = "acts") -> dict[tuple[str, ...], int]:
    """Unsuppressed counts, keyed by the dimension values ('unknown' where missing).

    An act with several perpetrator roles counts once under each role, never twice under one.
    """
    _validate(by, unit)
    if by == ("role",) and unit == "acts":
        return _acts_by_role(session)
    columns = [_COLUMNS[d] for d in by]
    counted = sa.func.count(sa.distinct(Act.victim_id if unit == "victims" else Act.id))
    if unit == "acts" and "role" not in by:
        counted = sa.func.count()
    query = sa.select(*columns, counted).select_from(Act)
    if "role" in by:
        query = query.outerjoin(ActPerpetrator, ActPerpetrator.act_id == Act.id)
    if {"organisation", "sex"} & set(by):
        query = query.outerjoin(Person, Act.victim_id == Person.id)
    query = query.group_by(*columns)
    counts: dict[tuple[str, ...], int] = {}
    for row in session.execute(query):
        key = tuple(UNKNOWN if value is None else str(value) for value in row[:-1])
        counts[key] = counts.get(key, 0) + int(row[-1])
    return dict(sorted(counts.items()))


def _acts_by_role(session: Session) -> dict[tuple[str, ...], int]:
    """Acts by perpetrator role read from the (role, act_id) index, plus the acts with no perpetrator."""
    counts = {(str(role),): int(n) for role, n in session.execute(
        sa.select(ActPerpetrator.role, sa.func.count(sa.distinct(ActPerpetrator.act_id))).group_by(ActPerpetrator.role))}
    with_roles = sa.select(sa.func.count(sa.distinct(ActPerpetrator.act_id))).scalar_subquery()
    without = session.scalar(sa.select(sa.func.count() - with_roles).select_from(Act))
    if without:
        counts[(UNKNOWN,)] = int(without)
    return dict(sorted(counts.items()))


def statistics(session: Session, by: tuple[str, ...], *, unit: Unit = "acts", threshold: int = 5) -> SuppressedTable:
    """Counts by one or two dimensions, with primary and complementary small-cell suppression."""
    counts = raw_counts(session, by, unit)
    if len(by) == 1:
        return suppress_1d({key[0]: value for key, value in counts.items()}, threshold, dimension=by[0])
    return suppress_2d(counts, threshold, dimensions=(by[0], by[1]))


def summary(session: Session) -> dict[str, int]:
    """How many records of each kind the workspace holds (no suppression: these are not about people)."""
    models = {"organisations": Organisation, "sources": Source, "persons": Person, "groups": Group, "events": Event,
              "acts": Act, "attestations": Attestation, "claims": Claim, "evidence": Evidence}
    return {name: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0 for name, model in models.items()}
