"""The evaluation corpus: built from its annotated sources, valid against the schema, split 3:1, and
scored above floors set just under what the methods reach (tuning part) and reached (held-out part)."""

import subprocess
import sys
from pathlib import Path

import pytest

from redzone.extract import METHODS, load_corpus, score, validate
from redzone.extract.methods import DEFAULT_METHOD

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TARGETS = ("violation", "place", "money", "age", "quantity")
# Floors just under what was measured (docs/extraction.md), so a regression fails: lowest targeted F1
# 0.964 on the tuning part (053-056 included, English violations), 0.898 on the held-out part and 0.594 on
# the fresh part 057-060 (written and annotated before the extractor ran on it, measured once with the
# rules widened on 053-056: English violations, recall 0.45).
FLOORS = {"tuning": 0.95, "heldout": 0.88, "fresh": 0.57}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def test_built_files_are_current():
    result = subprocess.run([sys.executable, str(CORPUS / "build.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_corpus_size_languages_and_split(corpus):
    for lang in ("en", "ko", "zh"):
        documents = [d for d in corpus if d.language == lang]
        assert len(documents) >= 20
        assert {d.kind for d in documents} == {"testimony", "summary", "news"}
        held = sum(d.split in ("heldout", "fresh") for d in documents)
        # each fresh batch tuned on joins the tuning part, so the untuned share shrinks as batches are added
        assert 0.15 <= held / len(documents) <= 0.4 and any(d.split == "fresh" for d in documents)  # 10 of 60 now
    assert all(d.text.startswith(("SYNTHETIC", "합성", "合成")) for d in corpus)


def test_gold_files_validate_and_spans_are_exact(corpus):
    import json

    for document in corpus:
        assert validate(json.loads(document.path.read_text(encoding="utf-8"))) == [], document.path
        for fact in document.gold:
            assert document.text[fact.start:fact.end] == fact.text, (document.path, fact)


@pytest.mark.parametrize("split", ["tuning", "heldout", "fresh"])
def test_default_method_stays_above_the_floor(corpus, split):
    result = score(METHODS[DEFAULT_METHOD].extract, [d for d in corpus if d.split == split])
    low = {(lang, t): round(result.total(lang, t).f1, 3) for lang in ("en", "ko", "zh") for t in TARGETS
           if result.total(lang, t).f1 < FLOORS[split]}
    assert not low, f"F1 under {FLOORS[split]} on the {split} part: {low}"


def test_the_morpheme_method_finds_the_names_the_rules_miss(corpus):
    # scored on the parts the rules were fitted to: a fresh batch's names are measured by the benchmark, not
    # held to this floor (with 053-056 added the whole corpus gave 0.785, the part up to 052 0.803; 053-056 joined the
    # fitted part untuned for names, which gives 0.785 again)
    fitted = [d for d in corpus if d.split != "fresh"]
    rules = score(METHODS["rules"].extract, fitted).total(type_="person")
    morph = score(METHODS["morph"].extract, fitted).total(type_="person")
    # 0.818 measured with 045-048 (0.844 before), whose names (interviewers, a reporter, names with no cue) are new
    assert morph.recall >= rules.recall and morph.f1 >= 0.78
