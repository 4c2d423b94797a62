"""The comparison table: what the linkage model compares for each person record — name *keys*
(never the names), birth years, place of origin with its area and province from the gazetteer,
year of crossing and sex — built in memory from sealed identities or from plain test data.

Names are reduced to the keys of `redzone.names` (Kim/Gim/김 → 'kim'; Eun-hee/Un-hui/은희 → one
folded key): a record with both a romanised and a Hangul name gets a primary key pair (from the
Hangul, the more canonical form) and an alternative pair (from the romanised form), and the model
counts agreement on either. The frame lives only in memory (and in the in-memory linkage database);
it is never written to disk, logged or returned to a caller outside `redzone.link`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.names import name_keys, phonetic_key
from redzone.records.identity import unseal_identity
from redzone.records.models import Person
from redzone.security.keys import Sealer
from redzone.vocab import load_vocabulary

COLUMNS = ("unique_id", "organisation", "surname_key", "surname_key_alt", "given_key", "given_key_alt",
           "given_phonetic", "birth_year_min", "birth_year_max", "birth_year", "origin_place", "origin_area", "origin_province",
           "crossing_year", "sex")
INTEGER_COLUMNS = ("unique_id", "birth_year_min", "birth_year_max", "birth_year", "crossing_year")
KNOWN_SEXES = frozenset(("female", "male", "other"))


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """One record as the linkage sees it before its names become keys (never stored or shown)."""

    record_id: int
    organisation: str | None
    names: tuple[str | None, str | None]  # (romanised or other legal name, Hangul name)
    sex: str | None
    birth_year_min: int | None
    birth_year_max: int | None
    origin_place: str | None
    crossing_year: int | None

    def __repr__(self) -> str:  # never let a name reach a log through repr()
        return f"RecordFacts(record_id={self.record_id}, names=<sealed>)"


@functools.lru_cache(maxsize=200_000)
def _keys(written: str) -> tuple[str | None, str | None]:
    keys = name_keys(written)
    return keys.surname or None, keys.given or None


def name_columns(legal_name: str | None, hangul_name: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(surname_key, surname_key_alt, given_key, given_key_alt): primary keys from the Hangul name when
    there is one, alternatives from the romanised name when it gives different keys."""
    forms = [name for name in (hangul_name, legal_name) if name and name.strip()]
    if not forms:
        return None, None, None, None
    primary = _keys(forms[0])
    alternative = _keys(forms[1]) if len(forms) > 1 else (None, None)
    surname_alt = alternative[0] if alternative[0] != primary[0] else None
    given_alt = alternative[1] if alternative[1] != primary[1] else None
    return primary[0], surname_alt, primary[1], given_alt


@functools.lru_cache(maxsize=4096)
def place_columns(place_id: str | None) -> tuple[str | None, str | None, str | None]:
    """(place, area, province): area is the county or city directly below the province that holds
    the place (None for a province itself or a place outside the gazetteer's provinces)."""
    if not place_id:
        return None, None, None
    vocabulary = load_vocabulary()
    if place_id not in vocabulary.places:
        return place_id, None, None
    province = vocabulary.province_of(place_id)
    if province is None:
        return place_id, None, None
    chain = [vocabulary.places[place_id], *vocabulary.ancestors(place_id)]
    ids = [p.id for p in chain]
    position = ids.index(province.id)
    area = ids[position - 1] if position >= 1 else None
    return place_id, area, province.id


def feature_row(facts: RecordFacts) -> tuple:
    """One row of the comparison table, in `COLUMNS` order."""
    surname, surname_alt, given, given_alt = name_columns(*facts.names)
    phonetic = phonetic_key(given) or None if given else None
    low, high = facts.birth_year_min, facts.birth_year_max
    if low is None and high is not None:
        low = high
    if high is None and low is not None:
        high = low
    middle = None if low is None else (low + high) // 2
    place, area, province = place_columns(facts.origin_place)
    sex = facts.sex if facts.sex in KNOWN_SEXES else None
    return (facts.record_id, facts.organisation, surname, surname_alt, given, given_alt, phonetic, low, high, middle,
            place, area, province, facts.crossing_year, sex)


def comparison_frame(records: Iterable[RecordFacts]) -> pd.DataFrame:
    """The comparison table for `records`, typed for both backends (nullable integers, strings)."""
    frame = pd.DataFrame.from_records([feature_row(r) for r in records], columns=list(COLUMNS))
    return typed(frame)


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast a frame with the comparison columns to the types the backends expect."""
    for column in COLUMNS:
        if column not in frame:
            frame[column] = None
    frame = frame[list(COLUMNS)].copy()
    for column in INTEGER_COLUMNS:
        frame[column] = pd.array(frame[column], dtype="Int64")
    for column in COLUMNS:
        if column not in INTEGER_COLUMNS:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def workspace_records(session: Session, sealer: Sealer, person_role: str = "victim",
                      batch: int = 5000) -> Iterator[RecordFacts]:
    """Every person record of `person_role`, its identity unsealed in memory only for the keys."""
    query = (sa.select(Person.id, Person.code, Person.organisation_id, Person.sex, Person.birth_year_min,
                       Person.birth_year_max, Person.origin_place_id, Person.crossing_year, Person.identity_sealed)
             .where(Person.person_role == person_role).order_by(Person.id))
    for row in session.execute(query).yield_per(batch):
        identity = unseal_identity(sealer, row.code, row.identity_sealed)
        yield RecordFacts(row.id, row.organisation_id, (identity.legal_name, identity.hangul_name), row.sex,
                          row.birth_year_min, row.birth_year_max, row.origin_place_id, row.crossing_year)
