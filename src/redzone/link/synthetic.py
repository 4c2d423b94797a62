"""Synthetic person records at any scale, with the truth known: for benchmarking the linkage on more
records than a demo workspace holds (a million and up). Names come from the demo generator's name
model (`redzone.demo.identities`), so spellings vary as they do in the demo world; the other fields
get the same kinds of noise (a year off, a range instead of a year, a province instead of a town,
a field left blank). Every value is fictional.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from redzone.demo.identities import Names
from redzone.link.features import RecordFacts
from redzone.vocab import load_vocabulary

STYLES = ("rr", "customary", "mr", "western", "caps")
STYLE_WEIGHTS = (0.25, 0.35, 0.2, 0.1, 0.1)
RECORDS_PER_WOMAN = (1, 2, 3, 4, 5)
RECORDS_WEIGHTS = (0.5, 0.25, 0.14, 0.07, 0.04)
ORGANISATIONS = ("demo-lantern", "demo-tumen", "demo-haven", "demo-atlas", "demo-harbour")


@dataclass(frozen=True)
class SyntheticRecords:
    """Records and, for each, the simulated woman it describes (`truth[i]` for `records[i]`)."""

    records: list[RecordFacts]
    truth: list[int]


def _origins() -> tuple[list[str], dict[str, str]]:
    vocabulary = load_vocabulary()
    towns = sorted(p.id for p in vocabulary.places.values()
                   if p.country == "KP" and p.kind not in ("country", "province") and vocabulary.province_of(p.id))
    return towns, {town: vocabulary.province_of(town).id for town in towns}


def _woman_records(rng: random.Random, names: Names, towns: list[str], provinces: dict[str, str],
                   woman: int) -> Iterator[tuple]:
    name = names.true_name(rng)
    birth = 1960 + int(rng.random() * 48)
    crossing = min(2024, birth + 14 + int(rng.random() * 20))
    origin = towns[int(rng.random() * len(towns))]
    count = rng.choices(RECORDS_PER_WOMAN, RECORDS_WEIGHTS)[0]
    organisations = rng.sample(ORGANISATIONS, k=count)
    for organisation in organisations:
        mode = rng.choices(("south", "north", "none"), (0.45, 0.3, 0.25))[0]
        north = mode == "north" or (mode == "none" and rng.random() < 0.3)
        hangul = names.hangul(name, mode)
        legal = names.legal_name(rng, name, rng.choices(STYLES, STYLE_WEIGHTS)[0], north)
        roll = rng.random()
        if roll < 0.72:
            low = high = birth
        elif roll < 0.86:
            low = high = birth + (1 if rng.random() < 0.5 else -1)
        elif roll < 0.95:
            width = 1 + int(rng.random() * 2)
            low, high = birth - width, birth + width
        else:
            low = high = None
        roll = rng.random()
        place = origin if roll < 0.6 else provinces[origin] if roll < 0.75 else None
        roll = rng.random()
        crossed = crossing if roll < 0.55 else crossing + (1 if rng.random() < 0.5 else -1) if roll < 0.65 else None
        sex = "female" if rng.random() < 0.85 else "unknown"
        yield organisation, legal, hangul, sex, low, high, place, crossed, woman


def iter_synthetic_records(n_records: int, seed: int = 1) -> Iterator[tuple[RecordFacts, int]]:
    """The records of `synthetic_records` one at a time, each with its woman: a million need not be held."""
    rng = random.Random(f"redzone-link-synthetic:{seed}")
    names = Names()
    towns, provinces = _origins()
    count = 0
    woman = 0
    while count < n_records:
        woman += 1
        for organisation, legal, hangul, sex, low, high, place, crossed, true_id in _woman_records(
                rng, names, towns, provinces, woman):
            if count >= n_records:
                break
            count += 1
            yield RecordFacts(count, organisation, (legal, hangul), sex, low, high, place, crossed), true_id


def synthetic_records(n_records: int, seed: int = 1) -> SyntheticRecords:
    """About `n_records` fictional records of women, several per woman, with their truth."""
    records: list[RecordFacts] = []
    truth: list[int] = []
    for record, woman in iter_synthetic_records(n_records, seed):
        records.append(record)
        truth.append(woman)
    return SyntheticRecords(records, truth)
