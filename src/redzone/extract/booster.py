"""The recall booster (`rules+booster`, optional extra `semantic`): the rules' facts, plus a violation for a
clause where the rules propose none, when two small heads over the sentence encoder's embedding of the
clause (`semantic.py`) say the clause holds an act and which one.

What the heads learn from is what the rules missed on text they were not written on: every clause of
045-056 in which the rules *as they were while that batch was still fresh* (the commits before each
widening) proposed no violation and no cue of theirs applied, labelled with the gold violations that overlap
it (`data/booster_examples.json`: 865 clauses, 92 holding an act the rules of the time missed). A head
trained on the tuning part cannot learn this, since the rules were fitted to it (docs/extraction.md).

- The act head: logistic regression on the clause's embedding, its language and the share of the
  nearest-example vote of its top code; a clause is taken at probability `ACT_THRESHOLD` or more.
- The code head: multinomial logistic regression on the embeddings of the example bank's coded clauses
  and of the missed acts (counted twice); its code is proposed when its probability is `CODE_SHARE` or more.

Both thresholds were chosen by leave-one-document-out cross-validation over the 36 documents of 045-056
(violation F1 over those batches, rules of the time + booster: +0.034 / +0.029 / +0.006 for en / ko / zh).
`python -m redzone.extract.booster build` refits the heads (scikit-learn, a development dependency) and
writes `data/booster_heads.npz`; running needs numpy only."""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from redzone.extract.facts import LANGUAGES, Fact, make
from redzone.extract.methods import Method, register
from redzone.extract import semantic

EXAMPLES_PATH = Path(__file__).parent / "data" / "booster_examples.json"
HEADS_PATH = Path(__file__).parent / "data" / "booster_heads.npz"
ACT_THRESHOLD = 0.8
CODE_SHARE = 0.3
CONFIDENCE = 0.5  # below the rules' 0.75-0.8 and the vote's 0.55: the least sure proposals


def _unit(vectors):  # noqa: ANN001,ANN202
    import numpy as np

    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def _features(vectors, languages: list[str], votes: list[dict[str, float]]):  # noqa: ANN001,ANN202
    import numpy as np

    onehot = np.array([[lang == known for known in LANGUAGES] for lang in languages], dtype=np.float32)
    top = np.array([[max(vote.values()) if vote else 0.0] for vote in votes], dtype=np.float32)
    return np.hstack([vectors, onehot, top])


@lru_cache(maxsize=1)
def _heads() -> dict[str, Any]:
    import numpy as np

    with np.load(HEADS_PATH, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def booster_violations(text: str, lang: str, taken: list[Fact]) -> list[Fact]:
    """Violations for the clauses where `taken` (the rules' violations) has none and no cue applies."""
    import numpy as np

    from redzone.extract.triggers import sentence_ends

    ends = sentence_ends(text)
    spans = [(start, end) for start, end in semantic.clauses(text, lang)
             if not any(f.start < end and start < f.end for f in taken)
             and not semantic._cancelled(text, start, end, lang, ends)]
    if not spans:
        return []
    heads = _heads()
    with semantic._lock:
        bank = semantic._bank()
        vectors = _unit(bank.encode([text[start:end] for start, end in spans]))
        votes = bank.votes(vectors)
    act = _features(vectors, [lang] * len(spans), votes) @ heads["act_w"] + heads["act_b"]
    act = 1.0 / (1.0 + np.exp(-act))
    logits = vectors @ heads["code_w"].T + heads["code_b"]
    shares = np.exp(logits - logits.max(axis=1, keepdims=True))
    shares /= shares.sum(axis=1, keepdims=True)
    facts = []
    for (start, end), p_act, share in zip(spans, act, shares):
        if p_act >= ACT_THRESHOLD and share.max() >= CODE_SHARE:
            facts.append(make("violation", text, start, end, CONFIDENCE, code=str(heads["codes"][share.argmax()])))
    return facts


def extract_boosted(text: str, lang: str) -> list[Fact]:
    """The rules' facts and the booster's violations, in text order."""
    from redzone.extract.rules import extract_rules

    facts = extract_rules(text, lang)
    added = booster_violations(text, lang, [f for f in facts if f.type == "violation"])
    return sorted([*facts, *added], key=lambda f: (f.start, f.end, f.type))


def build() -> dict[str, int]:
    """Fit both heads on `booster_examples.json` and the example bank; write `booster_heads.npz`."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    examples = json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))["examples"]
    bank = semantic._bank()
    vectors = _unit(bank.encode([e["text"] for e in examples]))
    votes = bank.votes(vectors)
    labels = np.array([bool(e["codes"]) for e in examples])
    act = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    act.fit(_features(vectors, [e["language"] for e in examples], votes), labels)
    coded = [i for i, codes in enumerate(bank.codes) if codes]
    missed = [i for i, e in enumerate(examples) if e["codes"]]
    code = LogisticRegression(C=4.0, max_iter=3000)
    code.fit(np.vstack([_unit(bank.vectors[coded]), vectors[missed], vectors[missed]]),
             [bank.codes[i][0] for i in coded] + [examples[i]["codes"][0] for i in missed] * 2)
    np.savez_compressed(HEADS_PATH, act_w=act.coef_[0].astype(np.float32), act_b=act.intercept_.astype(np.float32),
                        code_w=code.coef_.astype(np.float32), code_b=code.intercept_.astype(np.float32),
                        codes=np.array(code.classes_))
    _heads.cache_clear()
    return {"examples": len(examples), "acts": len(missed), "codes": len(code.classes_)}


if semantic.available():
    register(Method("rules+booster", "the rules, plus violations for clauses where they propose none, by two heads "
                                     "over a sentence encoder trained on what earlier rules missed (extra `semantic`)",
                    extract_boosted))

if __name__ == "__main__":
    if sys.argv[1:] != ["build"]:
        print("usage: python -m redzone.extract.booster build", file=sys.stderr)
        raise SystemExit(2)
    print(build())
