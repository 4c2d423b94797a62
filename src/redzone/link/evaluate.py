"""Scoring a linkage against the truth: pairwise precision, recall and F1 of linked pairs and of the
clusters they form, where the truth is known — the demo world's `demo_truth` table, the synthetic
scale records, or a labelled data set such as FEBRL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.records.models import DemoTruth


@dataclass(frozen=True)
class Scores:
    """Pairwise scores: a pair counts as found when both records are linked (or clustered) together."""

    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "true_positives": self.true_positives, "predicted_pairs": self.predicted, "true_pairs": self.actual}


def _pairs_within(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def pair_scores(pairs: Iterable[tuple[int, int]], truth: Mapping[int, object]) -> Scores:
    """Scores of a set of linked pairs; records missing from `truth` are their own individual."""
    found = {(min(a, b), max(a, b)) for a, b in pairs if a != b}
    hits = sum(1 for a, b in found if a in truth and truth[a] == truth.get(b, object()))
    return Scores(hits, len(found), _pairs_within(Counter(truth.values()).values()))


def cluster_scores(clusters: Mapping[int, object], truth: Mapping[int, object]) -> Scores:
    """Scores of a clustering (record → cluster) against the truth (record → individual), over the
    records present in both: every pair placed in one cluster is a predicted link."""
    common = [record for record in clusters if record in truth]
    predicted = _pairs_within(Counter(clusters[r] for r in common).values())
    actual = _pairs_within(Counter(truth[r] for r in common).values())
    hits = _pairs_within(Counter((clusters[r], truth[r]) for r in common).values())
    return Scores(hits, predicted, actual)


def demo_truth(session: Session) -> dict[int, int]:
    """person id → simulated individual, for a workspace filled by `redzone demo` (empty otherwise)."""
    return dict(session.execute(sa.select(DemoTruth.person_id, DemoTruth.true_id)).all())
