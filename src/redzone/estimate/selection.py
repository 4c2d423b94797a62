"""Choosing a log-linear model: exhaustive search by AIC or BIC, or the stepwise method.

* Search (Silverman, Chan & Vincent 2024; Rcapture's closedpMS.t): fit every hierarchical model up
  to `max_order`, drop those whose estimate does not exist or is not identifiable, rank by
  BIC = p log(n) - 2 log L or AIC = 2p - 2 log L (p counts every term of the model, including
  those fixed at minus infinity; n is the number of people observed).
* Stepwise (Chan, Silverman & Vincent 2021; SparseMSE `stepwisefit`): start from main effects;
  for every two-list interaction not yet in, compare the number of people on both lists with
  its Poisson mean under the current model, two-sided: p = min(P(X <= observed), P(X >= observed));
  add the one with the smallest p-value if it is below the threshold and the enlarged model's
  estimate exists and is identifiable; repeat. When a list holds nobody, no interaction is added:
  SparseMSE's existence check keeps that list's main effect, so its linear programme finds no
  positive table for any model and every candidate fails. This matters in bootstrap replicates
  where a small list comes out empty, and the published intervals were computed this way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.special import pdtr, pdtrc

from redzone.estimate.errors import EstimationError
from redzone.estimate.existence import ModelCheck, check_face
from redzone.estimate.loglinear import design_matrix, face_of, fit_face, superset_sums
from redzone.estimate.models import HierarchicalModel, hierarchical_models, main_effects_model, term_label
from redzone.messages import Message

Criterion = Literal["aic", "bic"]


@dataclass(frozen=True)
class ModelFit:
    """One model fitted to one table."""

    model: HierarchicalModel
    observed: int
    dark_figure: float
    loglik: float
    intercept_variance: float
    minus_infinity: tuple[int, ...]
    fitted: np.ndarray = field(repr=False)
    beta: np.ndarray = field(repr=False)

    @property
    def estimate(self) -> float:
        return self.observed + self.dark_figure

    @property
    def n_parameters(self) -> int:
        return len(self.model.parameters)

    @property
    def aic(self) -> float:
        return 2.0 * self.n_parameters - 2.0 * self.loglik

    @property
    def bic(self) -> float:
        return self.n_parameters * float(np.log(self.observed)) - 2.0 * self.loglik

    def criterion(self, name: Criterion) -> float:
        return self.aic if name == "aic" else self.bic

    def conditional_interval(self, level: float) -> tuple[float, float]:
        """Interval given this model (ignores the choice of model): normal on the log dark figure."""
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + level / 2.0))
        spread = z * float(np.sqrt(max(self.intercept_variance, 0.0)))
        log_dark = float(np.log(self.dark_figure)) if self.dark_figure > 0 else -np.inf
        return self.observed + float(np.exp(log_dark - spread)), self.observed + float(np.exp(log_dark + spread))


def try_fit(
    counts: np.ndarray, model: HierarchicalModel, margins: np.ndarray | None = None
) -> tuple[ModelCheck, ModelFit | None]:
    """Check the model for these counts and, when usable, fit it."""
    counts = np.asarray(counts, dtype=float)
    if margins is None:
        margins = superset_sums(counts, model.n_lists)
    face = face_of(model, margins)
    design = design_matrix(model.n_lists, face.estimated, np.flatnonzero(face.keep))
    check = check_face(counts, model.n_lists, face, design)
    if not check.usable:
        return check, None
    fit = fit_face(counts, model.n_lists, face, design=design)
    result = ModelFit(
        model=model,
        observed=int(round(counts.sum())),
        dark_figure=float(fit.dark_figure[0]),
        loglik=float(fit.loglik[0]),
        intercept_variance=float(fit.intercept_variance[0]),
        minus_infinity=face.minus_infinity,
        fitted=fit.fitted[0],
        beta=fit.beta[0],
    )
    return check, result


@dataclass(frozen=True)
class SearchResult:
    """Every usable model, best first, and how many were dropped and why."""

    criterion: Criterion
    max_order: int
    ranked: tuple[ModelFit, ...]
    considered: int
    not_existing: int
    not_identifiable: int

    @property
    def best(self) -> ModelFit:
        return self.ranked[0]


def search(counts: np.ndarray, n_lists: int, criterion: Criterion, max_order: int) -> SearchResult:
    counts = np.asarray(counts, dtype=float)
    margins = superset_sums(counts, n_lists)
    models = hierarchical_models(n_lists, max_order)
    fits: list[ModelFit] = []
    not_existing = not_identifiable = 0
    for model in models:
        check, fit = try_fit(counts, model, margins)
        if fit is None:
            not_existing += not check.exists
            not_identifiable += check.exists and not check.identifiable
            continue
        fits.append(fit)
    if not fits:
        raise EstimationError(
            Message("none of the %(count)s models has an estimate these data can support (the estimate does not "
                    "exist for %(not_existing)s, is not identifiable for %(not_identifiable)s)",
                    count=f"{len(models):,}", not_existing=f"{not_existing:,}",
                    not_identifiable=f"{not_identifiable:,}")
        )
    # Stable sort: among equal criteria the earlier (simpler) model in enumeration order wins.
    fits.sort(key=lambda fit: fit.criterion(criterion))
    return SearchResult(criterion, max_order, tuple(fits), len(models), not_existing, not_identifiable)


@dataclass(frozen=True)
class StepwiseResult:
    fit: ModelFit
    steps: tuple[dict, ...]  # one per interaction added: term, p-value, estimate after adding


def pairs(n_lists: int) -> list[int]:
    return [(1 << i) | (1 << j) for i in range(n_lists) for j in range(i + 1, n_lists)]


def stepwise(counts: np.ndarray, n_lists: int, p_threshold: float) -> StepwiseResult:
    counts = np.asarray(counts, dtype=float)
    margins = superset_sums(counts, n_lists)
    model = main_effects_model(n_lists)
    check, fit = try_fit(counts, model, margins)
    if fit is None:
        raise EstimationError(_no_simplest_model(counts, margins, n_lists))
    steps: list[dict] = []
    if p_threshold <= 0.0 or np.any(margins[1 << np.arange(n_lists)] == 0):
        return StepwiseResult(fit, ())
    candidates = pairs(n_lists)
    if p_threshold >= 1.0:
        full_check, full_fit = try_fit(counts, HierarchicalModel.of(n_lists, candidates), margins)
        if full_fit is not None:
            return StepwiseResult(full_fit, ({"term": "all two-list interactions", "p_value": None,
                                              "estimate": full_fit.estimate},))
    pair_array = np.asarray(candidates)
    while True:
        included = np.isin(pair_array, fit.model.interactions)
        p_values = poisson_p_values(margins[pair_array], superset_sums(fit.fitted, n_lists)[pair_array])
        p_values[included] = np.inf
        chosen = None
        # Smallest p-value first, earlier pair first among ties (as SparseMSE does).
        for index in np.lexsort((np.arange(pair_array.size), p_values)):
            p_value = float(p_values[index])
            if p_value >= p_threshold:
                break
            pair = int(pair_array[index])
            candidate_check, candidate_fit = try_fit(counts, fit.model.with_term(pair), margins)
            if candidate_fit is not None:
                chosen = (p_value, pair, candidate_fit)
                break
        if chosen is None:
            return StepwiseResult(fit, tuple(steps))
        p_value, pair, fit = chosen
        steps.append({"term": term_label(pair, n_lists), "p_value": p_value, "estimate": fit.estimate})


def poisson_p_values(seen: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Two-sided Poisson p-value min(P(X <= seen), P(X >= seen)) for X ~ Poisson(expected)."""
    seen = np.asarray(seen, dtype=float)
    expected = np.asarray(expected, dtype=float)
    with np.errstate(invalid="ignore"):
        lower = pdtr(seen, expected)
        upper = np.where(seen > 0, pdtrc(seen - 1.0, expected), 1.0)
    p_values = np.minimum(lower, upper)
    # No expected overlap at all: an observed overlap is impossible under the model.
    return np.where(expected > 0, p_values, np.where(seen > 0, 0.0, 1.0))


def _no_simplest_model(counts: np.ndarray, margins: np.ndarray, n_lists: int) -> str:
    """Why even the main-effects model has no estimate, in the terms of the data."""
    cells = np.arange(counts.size)
    on_several = np.array([bin(int(c)).count("1") >= 2 for c in cells])
    if counts[on_several].sum() == 0:
        return ("nobody is recorded on more than one list, so there is no overlap between the lists to estimate "
                "from (the number never recorded could be anything)")
    total = counts.sum()
    full = [i + 1 for i in range(n_lists) if margins[1 << i] == total]
    if full:
        return Message("list %(list)s holds everyone seen, so by its record nobody can have been missed and the "
                       "models have no finite estimate; leave that list out", list=full[0])
    return "even the simplest model (lists independent) has no finite estimate for these data"
