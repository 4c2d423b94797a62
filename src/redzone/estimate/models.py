"""Hierarchical log-linear models: their terms, their names, and the enumeration of all of them.

A term is a bit mask of lists (0 = intercept, one bit = main effect, more = interaction).
A model always holds the intercept and every main effect; it is hierarchical: with an
interaction it holds every lower-order interaction inside it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from redzone.estimate.errors import InvalidSetting

# Exhaustive searches beyond this many models would take minutes or hours.
MAX_SEARCH_MODELS = 100_000


def term_order(term: int) -> int:
    return bin(term).count("1")


def term_label(term: int, n_lists: int) -> str:
    """'12' for lists 1 and 2; with ten or more lists the numbers are dot-separated ('1.10')."""
    members = [str(i + 1) for i in range(n_lists) if (term >> i) & 1]
    return ("." if n_lists >= 10 else "").join(members)


def parse_term(label: str, n_lists: int) -> int:
    parts = label.split(".") if "." in label or n_lists >= 10 else list(label)
    try:
        members = [int(part) for part in parts]
    except ValueError:
        raise InvalidSetting(f"model: cannot read the term {label!r}") from None
    if not members or any(m < 1 or m > n_lists for m in members) or len(set(members)) != len(members):
        raise InvalidSetting(f"model: the term {label!r} must name distinct lists 1..{n_lists}")
    return sum(1 << (m - 1) for m in members)


def _sort_key(term: int) -> tuple[int, tuple[int, ...]]:
    return term_order(term), tuple(i for i in range(term.bit_length()) if (term >> i) & 1)


@dataclass(frozen=True)
class HierarchicalModel:
    """Intercept, all main effects, and the interaction terms `interactions` (closed downwards)."""

    n_lists: int
    interactions: tuple[int, ...] = ()

    @classmethod
    def of(cls, n_lists: int, terms: list[int] | tuple[int, ...] | set[int] | frozenset[int]) -> HierarchicalModel:
        """The smallest hierarchical model holding `terms` (their sub-interactions are added)."""
        closed: set[int] = set()
        for term in terms:
            if term_order(term) < 2:
                continue
            members = [1 << i for i in range(n_lists) if (term >> i) & 1]
            for size in range(2, len(members) + 1):
                closed.update(sum(c) for c in itertools.combinations(members, size))
        return cls(n_lists, tuple(sorted(closed, key=_sort_key)))

    @classmethod
    def parse(cls, n_lists: int, labels: list[str] | tuple[str, ...] | str) -> HierarchicalModel:
        """From term labels such as ["12", "34"] or the R-style string "[12,34,5]"."""
        if isinstance(labels, str):
            labels = [part for part in labels.strip().strip("[]").split(",") if part.strip()]
        return cls.of(n_lists, [parse_term(label.strip(), n_lists) for label in labels])

    @property
    def parameters(self) -> tuple[int, ...]:
        """Every term of the model: intercept, main effects, then interactions."""
        return (0, *(1 << i for i in range(self.n_lists)), *self.interactions)

    @property
    def max_order(self) -> int:
        return max((term_order(t) for t in self.interactions), default=1)

    @property
    def labels(self) -> list[str]:
        """Interaction terms as list-number strings, e.g. ['12', '34']; main effects are implied."""
        return [term_label(t, self.n_lists) for t in self.interactions]

    @property
    def generators(self) -> tuple[int, ...]:
        """The maximal terms (main effects included when no interaction holds them)."""
        terms = [1 << i for i in range(self.n_lists)] + list(self.interactions)
        maximal = [t for t in terms if not any(o != t and (o & t) == t for o in terms)]
        return tuple(sorted(maximal, key=lambda t: (-term_order(t), _sort_key(t)[1])))

    @property
    def hierarchy(self) -> str:
        """Compact notation by generators, as in the R packages: '[12,23,4]'."""
        return "[" + ",".join(term_label(t, self.n_lists) for t in self.generators) + "]"

    def with_term(self, term: int) -> HierarchicalModel:
        return HierarchicalModel.of(self.n_lists, (*self.interactions, term))

    def __str__(self) -> str:
        return self.hierarchy


def main_effects_model(n_lists: int) -> HierarchicalModel:
    return HierarchicalModel(n_lists, ())


def default_max_order(n_lists: int) -> int:
    """All hierarchical models up to five lists; two-way interactions only from six lists on.

    The K-way interaction is never identifiable (the unobserved cell would need it), so K-1
    is the most there is. With six lists, order 3 already means 3.7 million models.
    """
    return n_lists - 1 if n_lists <= 5 else 2


def hierarchical_models(n_lists: int, max_order: int, *, limit: int = MAX_SEARCH_MODELS) -> list[HierarchicalModel]:
    """Every hierarchical model with all main effects and interactions of order <= max_order.

    Built level by level: a term of order r may join only when all its order r-1 sub-terms
    are in, so each model is produced once (downsets of the interaction lattice).
    Counts: K=3: 8 (order 2); K=4: 113 (order 3); K=5: 1,024 (order 2), 6,212 (3), 6,893 (4);
    K=6: 32,768 (order 2).
    """
    max_order = min(max_order, n_lists - 1)
    by_order = {
        r: [sum(1 << i for i in combo) for combo in itertools.combinations(range(n_lists), r)]
        for r in range(2, max_order + 1)
    }
    models: list[HierarchicalModel] = []

    def extend(order: int, chosen: tuple[int, ...], previous: frozenset[int]) -> None:
        if order > max_order:
            models.append(HierarchicalModel(n_lists, chosen))
            return
        if order == 2:
            allowed = by_order[2]
        else:
            allowed = [
                t for t in by_order[order]
                if all((t & ~(1 << i)) in previous for i in range(n_lists) if (t >> i) & 1)
            ]
        for size in range(len(allowed) + 1):
            for subset in itertools.combinations(allowed, size):
                if len(models) > limit:
                    raise InvalidSetting(
                        f"max_order: a search over all models of order {max_order} for {n_lists} lists "
                        f"means more than {limit:,} models; lower max_order or use method='stepwise'"
                    )
                if not subset and order < max_order:
                    models.append(HierarchicalModel(n_lists, chosen))
                    continue
                extend(order + 1, chosen + subset, frozenset(subset))

    if max_order < 2:
        return [main_effects_model(n_lists)]
    extend(2, (), frozenset())
    return models
