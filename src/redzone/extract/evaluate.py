"""Scoring extraction methods against the evaluation corpus (`tests/corpus/<lang>/<NNN>.txt` with gold
`<NNN>.json`): precision, recall and F1 per fact type, language and split, the one measure by which
competing methods are compared and the default is chosen.

A proposed fact matches a gold fact when both have the same type and key (the violation code, the
role, the gazetteer id, the date value and precision, the age range, the amount and currency, the
quantity's value and qualifier; persons have no key) and their spans overlap. Each gold fact is
matched at most once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from redzone.extract.facts import FACT_TYPES, Fact


@dataclass(frozen=True)
class Document:
    path: Path
    language: str
    split: str
    kind: str
    text: str
    gold: tuple[Fact, ...]


def load_corpus(directory: Path, split: str | None = None) -> list[Document]:
    """The corpus's documents, all or one split ('tuning' or 'heldout')."""
    documents = []
    for gold_path in sorted(directory.glob("*/*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        meta = gold.get("corpus", {})
        if split and meta.get("split") != split:
            continue
        text = gold_path.with_suffix(".txt").read_text(encoding="utf-8")
        documents.append(Document(gold_path, gold["language"], meta.get("split", ""), meta.get("kind", ""), text,
                                  tuple(Fact.from_dict(f) for f in gold["facts"])))
    return documents


@dataclass
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.true_positive += other.true_positive
        self.false_positive += other.false_positive
        self.false_negative += other.false_negative


@dataclass
class Comparison:
    """One document's facts, paired: matched, proposed only, gold only."""

    matched: list[tuple[Fact, Fact]] = field(default_factory=list)
    spurious: list[Fact] = field(default_factory=list)
    missed: list[Fact] = field(default_factory=list)


def compare(proposed: list[Fact], gold: tuple[Fact, ...] | list[Fact]) -> Comparison:
    result = Comparison()
    unmatched = list(gold)
    for fact in sorted(proposed, key=lambda f: -f.confidence):
        partner = next((g for g in unmatched if g.type == fact.type and g.start < fact.end and fact.start < g.end
                        and g.key() == fact.key()), None)
        if partner is None:
            result.spurious.append(fact)
        else:
            unmatched.remove(partner)
            result.matched.append((partner, fact))
    result.missed = unmatched
    return result


@dataclass
class Score:
    """Counts by (language, fact type); `total(...)` adds them up across languages or types."""

    counts: dict[tuple[str, str], Counts] = field(default_factory=dict)
    documents: int = 0

    def add(self, language: str, comparison: Comparison) -> None:
        self.documents += 1
        for type_ in FACT_TYPES:
            counts = self.counts.setdefault((language, type_), Counts())
            counts.true_positive += sum(1 for g, _ in comparison.matched if g.type == type_)
            counts.false_positive += sum(1 for f in comparison.spurious if f.type == type_)
            counts.false_negative += sum(1 for f in comparison.missed if f.type == type_)

    def total(self, language: str | None = None, type_: str | None = None) -> Counts:
        total = Counts()
        for (lang, kind), counts in self.counts.items():
            if (language is None or lang == language) and (type_ is None or kind == type_):
                total.add(counts)
        return total

    def rows(self) -> Iterator[dict]:
        for (lang, type_), counts in sorted(self.counts.items()):
            if counts.true_positive + counts.false_negative + counts.false_positive:
                yield {"language": lang, "type": type_, "precision": counts.precision, "recall": counts.recall,
                       "f1": counts.f1, "gold": counts.true_positive + counts.false_negative,
                       "proposed": counts.true_positive + counts.false_positive}


def score(extract: Callable[[str, str], list[Fact]], documents: list[Document],
          on_document: Callable[[Document, Comparison], None] | None = None) -> Score:
    """Run `extract(text, language)` on each document and count matches against the gold facts."""
    result = Score()
    for document in documents:
        comparison = compare(extract(document.text, document.language), document.gold)
        result.add(document.language, comparison)
        if on_document is not None:
            on_document(document, comparison)
    return result
