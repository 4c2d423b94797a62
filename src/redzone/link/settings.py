"""Linkage settings: one typed object, validated once, that says which backend runs the model and
where the match-probability thresholds and the review band lie.

A pair whose match probability is at least `threshold` is linked by the model; a pair whose
probability lies in the review band [`review_low`, `review_high`) waits in the review queue for a
person to accept or reject it. A band that reaches above the threshold flags linked pairs for a
second look as well; pairs below `review_low` are not stored at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, get_args

from redzone.errors import Problem, ValidationError
from redzone.messages import Message

Backend = Literal["duckdb", "spark"]
Role = Literal["victim", "witness", "perpetrator"]

BACKENDS: tuple[str, ...] = get_args(Backend)


@dataclass(frozen=True)
class LinkSettings:
    """How to run one linkage: backend, thresholds, training effort and seed."""

    backend: Backend = "duckdb"
    threshold: float = 0.8
    review_low: float = 0.3
    review_high: float = 0.8
    person_role: Role = "victim"
    # Pairs sampled to estimate the u probabilities (how often non-matches agree by chance).
    u_sample_pairs: float = 2e6
    seed: int = 20240601
    # EM trains on at most this many pairs of each training block (sampled beyond it): a million pairs
    # pin the m probabilities down, and more only slows a large run.
    em_max_pairs: float = 1e6
    # EM stops after this many iterations per training rule if it has not converged (1e-4) before.
    em_max_iterations: int = 30
    # A wide blocking rule (model.WIDE_RULES) is used only if the pairs it admits stay within this.
    wide_pair_budget: float = 5e6

    def validate(self) -> LinkSettings:
        """Return self, or raise ValidationError naming every setting at fault."""
        problems: list[Problem] = []
        if self.backend not in BACKENDS:
            problems.append(Problem("backend", Message("expected one of %(items)s, got %(value)s",
                                                       items=", ".join(BACKENDS), value=repr(self.backend))))
        if self.person_role not in get_args(Role):
            problems.append(Problem("person_role", Message("expected one of %(items)s, got %(value)s",
                                                           items=", ".join(get_args(Role)),
                                                           value=repr(self.person_role))))
        for name in ("threshold", "review_low", "review_high"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 < float(value) < 1.0:
                problems.append(Problem(name, Message("must be a probability strictly between 0 and 1, got %(value)s",
                                                      value=repr(value))))
        if not problems and self.review_low >= self.review_high:
            problems.append(Problem("review_low", Message("must be below review_high (%(high)s), got %(low)s",
                                                          high=self.review_high, low=self.review_low)))
        if not problems and self.review_low > self.threshold:
            problems.append(Problem("review_low", Message("must not exceed the threshold (%(threshold)s): pairs "
                                                          "between them would be neither linked nor reviewed",
                                                          threshold=self.threshold)))
        if self.u_sample_pairs < 1e3:
            problems.append(Problem("u_sample_pairs", Message("must be at least 1,000, got %(value)s",
                                                              value=f"{self.u_sample_pairs:g}")))
        if self.em_max_pairs < 1e3:
            problems.append(Problem("em_max_pairs", Message("must be at least 1,000, got %(value)s",
                                                            value=f"{self.em_max_pairs:g}")))
        if not isinstance(self.em_max_iterations, int) or isinstance(self.em_max_iterations, bool) \
                or not 1 <= self.em_max_iterations <= 1000:
            problems.append(Problem("em_max_iterations", Message("must be a whole number from 1 to 1000, got %(value)s",
                                                                 value=repr(self.em_max_iterations))))
        if not isinstance(self.wide_pair_budget, (int, float)) or self.wide_pair_budget < 0:
            problems.append(Problem("wide_pair_budget", Message("must be 0 or more, got %(value)s",
                                                                value=repr(self.wide_pair_budget))))
        if problems:
            raise ValidationError(problems)
        return self

    def with_changes(self, **changes: object) -> LinkSettings:
        return replace(self, **changes).validate()

    def stored_low(self) -> float:
        """The lowest probability a pair needs to be kept: the review band's floor (or the threshold)."""
        return min(self.review_low, self.threshold)

    def to_dict(self) -> dict[str, object]:
        return {"backend": self.backend, "threshold": self.threshold, "review_band": [self.review_low, self.review_high],
                "person_role": self.person_role, "u_sample_pairs": self.u_sample_pairs, "seed": self.seed,
                "em_max_pairs": self.em_max_pairs, "em_max_iterations": self.em_max_iterations, "wide_pair_budget": self.wide_pair_budget}
