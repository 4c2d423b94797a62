"""The records of a synthetic demo world: frozen, slotted dataclasses of plain values, keyed by local
keys ("p12", "e40") that other records reference, ready for `persist.load_world` to store.

Every record here is synthetic; `true_id` (on persons) and `DemoTruth` exist only in demo worlds, to
score linkage and estimation against the truth the generator knows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields


@dataclass(frozen=True, slots=True)
class Organisation:
    """A fictional documentation organisation; each holds its own list of victims."""

    id: str
    name: str
    kind: str  # ngo | shelter | legal_aid | research


@dataclass(frozen=True, slots=True)
class Person:
    """One person record as held by one organisation (a victim, or an individual perpetrator)."""

    key: str
    organisation_id: str
    code: str
    person_role: str
    sex: str
    birth_year_min: int | None
    birth_year_max: int | None
    origin_place_id: str | None
    crossing_year: int | None
    legal_name: str | None
    hangul_name: str | None
    aliases: tuple[str, ...]
    contact: str | None
    whereabouts: str | None
    true_id: int | None


@dataclass(frozen=True, slots=True)
class Group:
    """A perpetrator group or unit (fictional name) at a gazetteer place."""

    key: str
    name: str
    kind: str
    place_id: str | None


@dataclass(frozen=True, slots=True)
class Source:
    """A synthetic interview, statement, report or article; `text` says it is synthetic."""

    key: str
    organisation_id: str
    kind: str
    title: str
    language: str  # en | ko | zh
    date: dt.date
    reliability: str  # A..F
    credibility: int  # 1..6
    text: str
    interviewee_key: str | None
    consent_scopes: tuple[str, ...]
    consent_withdrawn: dt.date | None


@dataclass(frozen=True, slots=True)
class Event:
    key: str
    kind: str
    place_id: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: str  # day | month | year | range | unknown
    description: str


@dataclass(frozen=True, slots=True)
class Participation:
    """Step `sequence` (1, 2, …) of a person's journey."""

    person_key: str
    event_key: str
    sequence: int


@dataclass(frozen=True, slots=True)
class Perpetrator:
    """A perpetrator of an act in a role: a group, an individual person record, or just the role."""

    role: str
    group_key: str | None
    person_key: str | None


@dataclass(frozen=True, slots=True)
class Act:
    key: str
    victim_key: str
    violation: str
    event_key: str
    price_amount: float | None
    price_currency: str | None
    duration_days: int | None
    victim_count: int | None
    perpetrators: tuple[Perpetrator, ...]


@dataclass(frozen=True, slots=True)
class Attestation:
    """`source.text[start:end]` is the sentence of that source describing the act."""

    act_key: str
    source_key: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Claim:
    """A figure asserted by a report or article; `start:end` is the sentence asserting it."""

    key: str
    source_key: str
    measure: str
    value: float
    value_max: float | None
    qualifier: str
    unit: str
    scope: str
    year: int | None
    start: int | None
    end: int | None


@dataclass(frozen=True, slots=True)
class DemoTruth:
    """What only the generator knows: how many victims exist, and which lists documented each.

    `capture_histories[true_id]` is the tuple of organisation ids (in `lists` order) that documented
    that victim, for documented victims only; `undocumented` victims appear on no list.
    """

    true_population: int
    documented: int
    lists: tuple[str, ...]
    capture_histories: dict[int, tuple[str, ...]] = field(default_factory=dict, hash=False, repr=False)
    undocumented: int = 0

    def pattern_counts(self) -> dict[tuple[int, ...], int]:
        """Documented victims per capture pattern: (1, 0, 1, …) in `lists` order → count."""
        counts: dict[tuple[int, ...], int] = {}
        for history in self.capture_histories.values():
            pattern = tuple(int(name in history) for name in self.lists)
            counts[pattern] = counts.get(pattern, 0) + 1
        return dict(sorted(counts.items(), reverse=True))


@dataclass(frozen=True, slots=True)
class WorldBatch:
    """One slice of the world; every key referenced is defined in this batch or an earlier one."""

    persons: tuple[Person, ...]
    groups: tuple[Group, ...]
    sources: tuple[Source, ...]
    events: tuple[Event, ...]
    participations: tuple[Participation, ...]
    acts: tuple[Act, ...]
    attestations: tuple[Attestation, ...]
    claims: tuple[Claim, ...]


def record_maker(cls):  # noqa: ANN001, ANN201
    """A positional constructor for a frozen, slotted record class that fills each slot directly.

    `record_maker(Act)(*values)` builds the same object as `Act(*values)` (equal, same hash and repr)
    about twice as fast: a frozen dataclass's `__init__` routes every field through
    `object.__setattr__`, and the demo builds millions of records.
    """
    names = [f.name for f in fields(cls)]
    namespace = {"new": object.__new__, "cls": cls, **{f"set_{n}": cls.__dict__[n].__set__ for n in names}}
    lines = [f"def make({', '.join(names)}):", "    record = new(cls)"]
    lines += [f"    set_{n}(record, {n})" for n in names]
    lines.append("    return record")
    exec("\n".join(lines), namespace)  # noqa: S102 — code built from the class's own field names only
    return namespace["make"]
