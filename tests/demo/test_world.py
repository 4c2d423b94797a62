"""The synthetic demo world: deterministic, self-consistent, clearly synthetic, and shaped like the data
Redzone meets (linkable names spelled differently, overlapping lists, most victims on none)."""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
from collections import Counter, defaultdict

import pytest

from redzone.demo import generate_world
from redzone.names import name_keys, surname_key
from redzone.vocab import load_vocabulary

ACTS = 3000
SYNTHETIC_MARKS = ("SYNTHETIC", "합성", "合成")


@pytest.fixture(scope="module")
def world():
    return generate_world(seed=7, acts=ACTS)


@pytest.fixture(scope="module")
def batches(world):
    return list(world.batches(batch_size=600))


@pytest.fixture(scope="module")
def records(batches):
    return {name: [r for b in batches for r in getattr(b, name)]
            for name in ("persons", "groups", "sources", "events", "participations", "acts", "attestations", "claims")}


def digest(seed: int, acts: int) -> str:
    text = repr(list(generate_world(seed=seed, acts=acts).batches(batch_size=250)))
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_same_seed_gives_the_same_world_and_another_seed_another(batches):
    assert list(generate_world(seed=7, acts=ACTS).batches(batch_size=600)) == batches
    assert list(generate_world(seed=8, acts=ACTS).batches(batch_size=600)) != batches


def test_the_same_seed_gives_the_same_world_in_another_process():
    code = "from tests.demo.test_world import digest; print(digest(11, 400))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"PYTHONHASHSEED": "12345", "PATH": ""}, cwd=str(__import__("pathlib").Path(__file__)
                                                                                 .resolve().parents[2]))
    assert result.stdout.strip() == digest(11, 400)


def test_the_batch_size_changes_the_slicing_not_the_world(records):
    again = list(generate_world(seed=7, acts=ACTS).batches(batch_size=10_000))
    assert len(again) == 1
    assert list(again[0].acts) == records["acts"] and list(again[0].persons) == records["persons"]


@pytest.mark.parametrize("acts", [1, 200, 1500, 6000])
def test_acts_come_close_to_the_number_asked_for(acts):
    world = generate_world(seed=2, acts=acts)
    total = sum(len(b.acts) for b in world.batches())
    assert acts <= total <= max(acts * 1.05, acts + 60)


def test_every_reference_points_to_a_record_already_yielded(world, batches):
    vocabulary = load_vocabulary()
    organisations = {o.id for o in world.organisations}
    seen: dict[str, set[str]] = defaultdict(set)
    for batch in batches:
        for name in ("persons", "groups", "sources", "events", "acts", "claims"):
            seen[name].update(r.key for r in getattr(batch, name))
        for p in batch.persons:
            assert p.organisation_id in organisations
            assert p.origin_place_id is None or p.origin_place_id in vocabulary.places
        for g in batch.groups:
            assert g.place_id is None or g.place_id in vocabulary.places
        for s in batch.sources:
            assert s.organisation_id in organisations
            assert s.interviewee_key is None or s.interviewee_key in seen["persons"]
        for e in batch.events:
            assert e.place_id is None or e.place_id in vocabulary.places
        for x in batch.participations:
            assert x.person_key in seen["persons"] and x.event_key in seen["events"]
        for a in batch.acts:
            assert a.victim_key in seen["persons"] and a.event_key in seen["events"]
            for p in a.perpetrators:
                assert p.group_key is None or p.group_key in seen["groups"]
                assert p.person_key is None or p.person_key in seen["persons"]
        for t in batch.attestations:
            assert t.act_key in seen["acts"] and t.source_key in seen["sources"]
        for c in batch.claims:
            assert c.source_key in seen["sources"]
    for name, keys in seen.items():  # keys are unique across the whole world
        assert len(keys) == sum(len(getattr(b, name)) for b in batches), name


def test_groups_and_claims_come_in_the_first_batch(batches):
    assert batches[0].groups and batches[0].claims
    assert all(not b.groups and not b.claims for b in batches[1:])
    assert len(batches) >= 4


def test_codes_vocabulary_and_value_ranges(records):
    vocabulary = load_vocabulary()
    lists = vocabulary.lists
    codes = [p.code for p in records["persons"]]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 9 and c.startswith("RZ-") and not set(c[3:]) & set("01OIL") for c in codes)
    for a in records["acts"]:
        assert a.violation in vocabulary.violations
        assert all(p.role in vocabulary.roles for p in a.perpetrators)
        assert a.price_currency is None or a.price_currency in lists["currencies"]
        assert (a.price_amount is None) == (a.price_currency is None)
    assert {e.kind for e in records["events"]} <= set(lists["event_kinds"])
    assert {e.date_precision for e in records["events"]} <= set(lists["date_precisions"])
    assert {g.kind for g in records["groups"]} <= set(lists["group_kinds"])
    for s in records["sources"]:
        assert s.kind in lists["source_kinds"] and s.language in ("en", "ko", "zh")
        assert s.reliability in "ABCDEF" and 1 <= s.credibility <= 6
        assert set(s.consent_scopes) <= set(lists["consent_scopes"])
        assert s.consent_withdrawn is None or s.consent_withdrawn > s.date
    assert {p.sex for p in records["persons"]} <= set(lists["sexes"])
    assert {c.qualifier for c in records["claims"]} <= set(lists["qualifiers"])


def test_everything_says_it_is_synthetic(world, records):
    assert all(any(mark in s.text for mark in SYNTHETIC_MARKS) for s in records["sources"])
    assert all("fictional" in o.name for o in world.organisations)
    assert all("fictional" in g.name for g in records["groups"])
    assert all(e.description.startswith("Synthetic") for e in records["events"])


def test_every_attestation_span_is_a_sentence_of_its_source(records):
    texts = {s.key: s.text for s in records["sources"]}
    assert records["attestations"]
    for t in records["attestations"]:
        text = texts[t.source_key]
        assert 0 <= t.start < t.end <= len(text)
        sentence = text[t.start:t.end]
        assert sentence.strip() == sentence and sentence[-1] in ".。", sentence
    for c in records["claims"]:
        assert 0 <= c.start < c.end <= len(texts[c.source_key])


def test_every_act_is_attested_and_some_twice(records):
    sources_per_act = Counter(t.act_key for t in records["attestations"])
    assert set(sources_per_act) == {a.key for a in records["acts"]}
    assert sum(n > 1 for n in sources_per_act.values()) > 0.02 * len(records["acts"])


def test_testimonies_never_name_the_person(records):
    persons = {p.key: p for p in records["persons"]}
    victims_of = {a.key: a.victim_key for a in records["acts"]}
    named = defaultdict(set)
    for s in records["sources"]:
        if s.interviewee_key:
            named[s.key].add(s.interviewee_key)
    for t in records["attestations"]:
        named[t.source_key].add(victims_of[t.act_key])
    texts = {s.key: s.text for s in records["sources"]}
    for source_key, person_keys in named.items():
        for key in person_keys:
            person = persons[key]
            for name in (person.legal_name, person.hangul_name, *person.aliases):
                assert not name or name not in texts[source_key]


def test_each_journey_runs_forward_in_time(records):
    dates = {e.key: e for e in records["events"]}
    journeys = defaultdict(list)
    for x in records["participations"]:
        journeys[x.person_key].append((x.sequence, dates[x.event_key]))
    for steps in journeys.values():
        steps.sort(key=lambda step: step[0])
        assert [n for n, _ in steps] == list(range(1, len(steps) + 1))
        known = [e.date_start for _, e in steps if e.date_start is not None]
        assert known == sorted(known)
        for _, e in steps:
            assert e.date_end is None or e.date_end >= e.date_start


def test_victims_are_mostly_young_women(records):
    victims = [p for p in records["persons"] if p.person_role == "victim"]
    assert sum(p.sex == "female" for p in victims) > 0.9 * len(victims)
    ages = [p.crossing_year - p.birth_year_min for p in victims if p.crossing_year and p.birth_year_min]
    assert sum(12 <= a <= 29 for a in ages) > 0.75 * len(ages)
    assert any(a < 18 for a in ages)
    assert all(1973 <= p.birth_year_min and p.birth_year_max <= 2010 for p in victims if p.birth_year_min)


def test_prices_are_plausible_and_bride_prices_rise(records):
    events = {e.key: e for e in records["events"]}
    sales = [(events[a.event_key].date_start, a.price_amount) for a in records["acts"]
             if a.violation == "trafficking.sale" and a.price_currency == "CNY" and events[a.event_key].date_start]
    assert all(500 <= price <= 60000 for _, price in sales)
    early = [p for d, p in sales if d.year < 2005]
    late = [p for d, p in sales if d.year >= 2015]
    assert early and late and sum(late) / len(late) > 1.5 * sum(early) / len(early)


def test_one_woman_is_spelled_differently_but_linkably_across_organisations(records):
    by_woman = defaultdict(list)
    for p in records["persons"]:
        if p.true_id is not None:
            by_woman[p.true_id].append(p)
    pairs = [(a, b) for group in by_woman.values() for a, b in itertools.combinations(group, 2)
             if a.legal_name and b.legal_name]
    assert len(pairs) > 50
    assert all(a.organisation_id != b.organisation_id for a, b in pairs)
    same_surname = sum(name_keys(a.legal_name).surname == name_keys(b.legal_name).surname for a, b in pairs)
    assert same_surname >= 0.9 * len(pairs)
    assert sum(a.legal_name != b.legal_name for a, b in pairs) >= 0.5 * len(pairs)
    hangul_pairs = [(a, b) for a, b in pairs if a.hangul_name and b.hangul_name]
    assert all(surname_key(a.hangul_name[0]) == surname_key(b.hangul_name[0]) for a, b in hangul_pairs
               if len(a.hangul_name) == len(b.hangul_name) == 3)


def test_capture_histories_overlap_and_most_victims_are_undocumented(world, records):
    truth = world.truth
    assert truth.lists == tuple(o.id for o in world.organisations)
    assert truth.true_population > truth.documented > 0
    assert truth.undocumented == truth.true_population - truth.documented
    assert truth.undocumented > truth.documented  # most victims are on no list
    assert sum(truth.pattern_counts().values()) == truth.documented
    seen = defaultdict(set)
    for p in records["persons"]:
        if p.true_id is not None:
            seen[p.true_id].add(p.organisation_id)
    assert {t: set(h) for t, h in truth.capture_histories.items()} == seen
    multiple = [h for h in truth.capture_histories.values() if len(h) > 1]
    assert len(multiple) > 0.15 * truth.documented
    overlapping = {pair for h in multiple for pair in itertools.combinations(sorted(h), 2)}
    assert len(overlapping) >= 5
    assert len({len(h) for h in truth.capture_histories.values()}) >= 3  # heterogeneity: 1, 2, 3… lists


def test_the_truth_is_known_without_rendering_the_world(world):
    assert generate_world(seed=7, acts=ACTS).truth == world.truth


def test_claims_disagree_about_the_same_measure(records):
    values = defaultdict(set)
    for c in records["claims"]:
        values[c.measure].add((c.value, c.value_max, c.qualifier))
    assert sum(len(v) >= 3 for v in values.values()) >= 2
    assert len({c.source_key for c in records["claims"] if c.measure == "at_risk"}) >= 3


def test_batches_stream_a_large_world_lazily():
    first = next(generate_world(seed=1, acts=1_000_000).batches(batch_size=200))
    assert 200 <= len(first.acts) < 400


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        generate_world(acts=0)
    with pytest.raises(ValueError):
        generate_world(seed=-1)
    with pytest.raises(ValueError):
        next(generate_world(acts=10).batches(batch_size=0))


def test_given_names_are_varied_enough_for_large_synthetic_sets():
    """Given names are composed of syllables from a wide inventory: tens of thousands of synthetic women
    do not fall into a few hundred names (which made distinct women collide at a million records),
    and the same seed draws the same names."""
    import random

    from redzone.demo.identities import Names

    names = Names()
    drawn = [names.true_name(random.Random(f"names:{seed}")).given for seed in range(20000)]
    again = [names.true_name(random.Random(f"names:{seed}")).given for seed in range(200)]
    assert again == drawn[:200]
    counts = Counter(drawn)
    assert len(counts) > 2500
    assert counts.most_common(1)[0][1] < 0.005 * len(drawn)  # no given name is one woman in 200
    assert all(len(given) == 2 and given[0] != given[1] for given in counts)


def test_a_demo_persons_trail_starts_with_the_batch_that_loaded_it(tmp_path):
    import sqlalchemy as sa

    from redzone.demo import generate_world
    from redzone.demo.persist import load_world
    from redzone.records.models import AuditEntry, Person
    from redzone.security.audit import person_trail
    from support import discard, make_workspace

    ws = make_workspace(tmp_path / "ws", "sqlite", demo=True)
    try:
        load_world(ws, generate_world(seed=3, acts=40))
        with ws.store.session() as session:
            code = session.scalar(sa.select(Person.code).order_by(Person.id.desc()).limit(1))
            actions = list(session.scalars(sa.select(AuditEntry.action).where(person_trail(session, code))))
        assert actions[:1] == ["demo.load_batch"]
    finally:
        discard(ws)
