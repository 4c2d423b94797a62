"""From linked records to capture histories: each cluster is one individual, each organisation's
list one "system", and an individual's history says which lists documented her — the table
multiple systems estimation (`redzone.estimate`) works on, whole or by stratum."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import Problem, ValidationError
from redzone.estimate import CaptureTable
from redzone.link.features import place_columns
from redzone.messages import Message
from redzone.records.models import Person, PersonCluster

Stratum = Literal["province", "year", "crossing_year", "crossing_period", "birth_decade"]
STRATA: tuple[str, ...] = get_args(Stratum)
UNKNOWN = "unknown"
PERIOD_YEARS = 5


def _mode(values: list) -> object:
    """The most common known value (ties: the smallest), or UNKNOWN."""
    known = Counter(str(v) for v in values if v is not None)
    if not known:
        return UNKNOWN
    top = max(known.values())
    return min(value for value, count in known.items() if count == top)


def _period(year: int | None) -> str | None:
    """Five-year bins (2000–2004, 2005–2009…): single years make strata too thin to estimate."""
    if year is None:
        return None
    start = year - year % PERIOD_YEARS
    return f"{start}–{start + PERIOD_YEARS - 1}"


def _birth_decade(person: Person) -> str | None:
    low, high = person.birth_year_min, person.birth_year_max
    known = [y for y in (low, high) if y is not None]
    if not known:
        return None
    middle = sum(known) // len(known)
    return f"{middle - middle % 10}s"


# How each stratum is read from a person record: origin province through the gazetteer, the year
# she crossed into China ('year' is its short name), that year in five-year periods, birth decade.
_STRATA: dict[str, Callable[[Person], object]] = {
    "province": lambda person: place_columns(person.origin_place_id)[2],
    "year": lambda person: person.crossing_year,
    "crossing_year": lambda person: person.crossing_year,
    "crossing_period": lambda person: _period(person.crossing_year),
    "birth_decade": _birth_decade,
}


def individuals(session: Session, person_role: str = "victim") -> dict[str, list[Person]]:
    """Cluster code → its person records; records no run has clustered yet count as individuals alone."""
    rows = session.execute(sa.select(Person, PersonCluster.cluster_code)
                           .outerjoin(PersonCluster, PersonCluster.person_id == Person.id)
                           .where(Person.person_role == person_role).order_by(Person.id)).all()
    groups: dict[str, list[Person]] = {}
    for person, code in rows:
        groups.setdefault(code or f"unlinked:{person.code}", []).append(person)
    return groups


def capture_histories(session: Session, keys: object = None, *, stratify: Stratum | None = None,
                      person_role: str = "victim",
                      lists: tuple[str, ...] | None = None) -> CaptureTable | dict[str, CaptureTable]:
    """The capture-history table of the linked individuals (lists = organisations, sorted by id).

    With `stratify` (one of `STRATA`: 'province' of origin, 'year' or 'crossing_year' of crossing,
    'crossing_period' in five-year bins, 'birth_decade'), one table per stratum; an individual
    whose records disagree takes the value most of them give. Records with no organisation belong to
    no list and are left out. `keys` is accepted for symmetry with the other service functions that
    take a workspace's key ring: no identity is read here.
    """
    del keys
    if stratify is not None and stratify not in _STRATA:
        raise ValidationError(Problem("stratify", Message("expected one of %(items)s, got %(value)s",
                                                          items=", ".join(_STRATA), value=repr(stratify))))
    groups = individuals(session, person_role)
    names = lists or tuple(sorted({p.organisation_id for members in groups.values() for p in members
                                   if p.organisation_id}))
    position = {name: i for i, name in enumerate(names)}
    patterns: dict[object, Counter] = {}
    for members in groups.values():
        on = {position[p.organisation_id] for p in members if p.organisation_id in position}
        if not on:
            continue
        stratum = _mode([_STRATA[stratify](p) for p in members]) if stratify else None
        pattern = tuple(int(i in on) for i in range(len(names)))
        patterns.setdefault(stratum, Counter())[pattern] += 1
    if stratify is None:
        return CaptureTable.from_records(names, patterns.get(None, {}))
    return {str(stratum): CaptureTable.from_records(names, counts) for stratum, counts in sorted(
        patterns.items(), key=lambda item: str(item[0]))}
