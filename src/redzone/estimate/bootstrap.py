"""Bias-corrected and accelerated (BCa) bootstrap intervals that allow for the choice of model.

Each replicate redraws the n observed people from the observed cells (multinomial, as SparseMSE
and MultipleSystemsEstimation do) and repeats the whole model selection on it. The acceleration
comes from the delete-one jackknife, where deleting any of the people in one cell gives the same
table, so each non-empty cell is refitted once and weighted by its count. (Chan, Silverman &
Vincent 2021, section 3.3; Silverman, Chan & Vincent 2024; DiCiccio & Efron 1996.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import gammaln
from scipy.stats import norm

from redzone.estimate.existence import check_face
from redzone.estimate.loglinear import Face, cells_containing, design_matrix, fit_face, superset_sums
from redzone.estimate.models import HierarchicalModel
from redzone.estimate.selection import Criterion, ModelFit, stepwise
from redzone.estimate.errors import EstimationError
from redzone.estimate.rcompat import RRandom, r_tidy_order


@dataclass(frozen=True)
class BootstrapOutcome:
    """Replicate and jackknife estimates, and the BCa interval drawn from them."""

    replicates: np.ndarray  # total-population estimate per replicate (NaN where no model was usable)
    jackknife: np.ndarray  # estimate with one person removed from each non-empty cell
    interval: tuple[float, float]
    acceleration: float
    bias_correction: float
    failed: int  # replicates with no usable model, left out of the interval
    monte_carlo_error: tuple[float, float]  # jackknife-after-bootstrap standard error of each endpoint

    def summary(self) -> dict:
        usable = self.replicates[np.isfinite(self.replicates)]
        return {
            "replicates": int(self.replicates.size),
            "failed_replicates": self.failed,
            "acceleration": self.acceleration,
            "bias_correction": self.bias_correction,
            "monte_carlo_error": list(self.monte_carlo_error),
            "replicate_quantiles": {
                str(q): float(np.quantile(usable, q)) for q in (0.025, 0.25, 0.5, 0.75, 0.975)
            } if usable.size else {},
        }


Resampler = Literal["numpy", "r"]
R_DEFAULT_SEED = 1234  # the default `iseed` of SparseMSE and MultipleSystemsEstimation


def resample(
    counts: np.ndarray, n_boot: int, seed: int | None, resampler: Resampler = "numpy",
    order: Sequence[int] | None = None,
) -> np.ndarray:
    """n_boot tables of the same size n, drawn from the observed cell proportions.

    With resampler="r" the draws are those of R's set.seed(seed); rmultinom(...) over the cells
    in `order` (the row order the R package used), so published intervals can be matched exactly.
    """
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    draws = np.zeros((n_boot, counts.size), dtype=np.int64)
    if resampler == "numpy":
        draws[:, 1:] = np.random.default_rng(seed).multinomial(total, counts[1:] / total, size=n_boot)
        return draws
    cells = np.asarray([c for c in (order or range(1, counts.size)) if c != 0])
    generator = RRandom(R_DEFAULT_SEED if seed is None else seed)
    for row in range(n_boot):
        draws[row, cells] = generator.multinomial(total, counts[cells])
    return draws


def jackknife_tables(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One table per non-empty cell with one person removed from it, and those cells' counts."""
    counts = np.asarray(counts, dtype=np.int64)
    cells = np.flatnonzero(counts)
    tables = np.repeat(counts[None, :], cells.size, axis=0)
    tables[np.arange(cells.size), cells] -= 1
    return tables, counts[cells]


def acceleration(jackknife: np.ndarray, weights: np.ndarray) -> float:
    """a = sum w d^3 / (6 (sum w d^2)^1.5), d = weighted jackknife mean - estimate."""
    mean = np.sum(weights * jackknife) / np.sum(weights)
    deviation = mean - jackknife
    spread = np.sum(weights * deviation**2)
    if not np.isfinite(spread) or spread <= 0:
        return 0.0
    return float(np.sum(weights * deviation**3) / (6.0 * spread**1.5))


def bca_interval(
    replicates: np.ndarray, estimate: float, accel: float, level: float
) -> tuple[tuple[float, float], float]:
    """The BCa interval and the bias correction z0 (R quantile type 8, as the R packages use)."""
    usable = np.sort(replicates[np.isfinite(replicates)])
    if usable.size < 2:
        raise EstimationError("too few bootstrap replicates gave an estimate to form an interval")
    below = np.mean(usable < estimate)
    # Keep z0 finite when every replicate falls on one side of the estimate.
    below = min(max(below, 0.5 / usable.size), 1.0 - 0.5 / usable.size)
    z0 = float(norm.ppf(below))
    tails = norm.ppf(np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0]))
    shifted = z0 + tails
    probabilities = norm.cdf(z0 + shifted / (1.0 - accel * shifted))
    low, high = np.quantile(usable, probabilities, method="median_unbiased")
    return (float(low), float(high)), z0


MONTE_CARLO_GROUPS = 20


def monte_carlo_error(
    replicates: np.ndarray, estimate: float, accel: float, level: float
) -> tuple[float, float]:
    """How far each BCa endpoint would move with another set of replicates: its standard error by a
    grouped jackknife over the replicates (leave out one block, recompute the bias correction and
    the percentiles; Efron 1992, jackknife-after-bootstrap). Blocks hold at least sqrt(n) replicates
    (20 blocks of 50 for 1,000): deleting single replicates would understate a percentile's error."""
    usable = replicates[np.isfinite(replicates)]
    groups = min(MONTE_CARLO_GROUPS, int(np.sqrt(usable.size)))
    if groups < 2:
        return (float("nan"), float("nan"))
    blocks = np.array_split(np.arange(usable.size), groups)
    endpoints = np.array([
        bca_interval(np.delete(usable, block), estimate, accel, level)[0] for block in blocks
    ])
    spread = ((groups - 1) / groups * ((endpoints - endpoints.mean(axis=0)) ** 2).sum(axis=0)) ** 0.5
    return (float(spread[0]), float(spread[1]))


def _outcome(estimate: float, values: np.ndarray, n_boot: int, weights: np.ndarray, level: float) -> BootstrapOutcome:
    replicates, jack = values[:n_boot], values[n_boot:]
    if np.all(np.isfinite(jack)):
        accel = acceleration(jack, weights)
    else:
        accel = acceleration(jack[np.isfinite(jack)], weights[np.isfinite(jack)])
    interval, z0 = bca_interval(replicates, estimate, accel, level)
    failed = int(np.sum(~np.isfinite(replicates)))
    error = monte_carlo_error(replicates, estimate, accel, level)
    return BootstrapOutcome(replicates, jack, interval, accel, z0, failed, error)


def bootstrap_search(
    counts: np.ndarray,
    n_lists: int,
    ranked: tuple[ModelFit, ...],
    criterion: Criterion,
    *,
    n_boot: int,
    seed: int | None,
    level: float,
    resampler: Resampler = "numpy",
) -> BootstrapOutcome:
    """Re-run the AIC/BIC choice among `ranked` (usable on the data) in every replicate.

    Models are fitted to all replicates at once. Rows are grouped by which of the model's terms
    have nobody in them (that fixes the cells fitted), and the existence check runs once per
    distinct pattern of empty cells. A model is fitted only to the rows it could still win: no
    model fits a table better than the smallest model holding all the candidates (or, where that
    one has no estimate, the table itself), so a criterion is at least the model's penalty minus
    twice that log-likelihood; where this bound already reaches the best score so far, the fit
    cannot change the choice and is skipped. Models come best-on-the-data first, so the bound
    bites early. The interval is the same as fitting every model to every row.
    """
    counts = np.asarray(counts, dtype=np.int64)
    jack_tables, weights = jackknife_tables(counts)
    # MultipleSystemsEstimation draws over every observable cell in tidy_lists() order.
    drawn = resample(counts, n_boot, seed, resampler, r_tidy_order(n_lists))
    replicates = _Replicates(np.vstack([drawn, jack_tables]).astype(float), n_lists)
    all_rows = np.arange(replicates.tables.shape[0])
    best_loglik = saturated_loglik(replicates.tables)
    union = HierarchicalModel.of(n_lists, {t for fit in ranked for t in fit.model.interactions})
    rows, loglik, _, converged = replicates.fit(union.parameters, all_rows, None, None)
    best_loglik[rows[converged]] = np.minimum(best_loglik[rows[converged]], loglik[converged])
    floor = -2.0 * best_loglik
    best_score = np.full(all_rows.size, np.inf)
    best_estimate = np.full(all_rows.size, np.nan)
    log_sizes = np.log(replicates.sizes)
    for fit in ranked:
        n_params = len(fit.model.parameters)
        penalty = n_params * log_sizes if criterion == "bic" else np.full(all_rows.size, 2.0 * n_params)
        bound = penalty + floor
        # The slack keeps rows whose bound ties the best within rounding: only a sure loss is skipped.
        open_rows = np.flatnonzero(bound - 1e-7 * (1.0 + np.abs(bound)) < best_score)
        if open_rows.size == 0:
            continue
        rows, loglik, dark, converged = replicates.fit(fit.model.parameters, open_rows, fit.minus_infinity, fit.beta)
        score = penalty[rows] - 2.0 * loglik
        score = np.where(converged, score, np.inf)
        better = score < best_score[rows]
        best_score[rows[better]] = score[better]
        best_estimate[rows[better]] = replicates.sizes[rows[better]] + dark[better]
    return _outcome(ranked[0].estimate, best_estimate, n_boot, weights.astype(float), level)


class _Replicates:
    """The bootstrap and jackknife tables, fitted model by model on chosen rows."""

    def __init__(self, tables: np.ndarray, n_lists: int) -> None:
        self.tables = tables
        self.n_lists = n_lists
        self.sizes = tables.sum(axis=1)
        self.margins = superset_sums(tables, n_lists)
        self.supports = _SupportIndex(tables > 0)

    def fit(
        self, parameters: tuple[int, ...], rows: np.ndarray, data_minus_infinity: tuple[int, ...] | None,
        start: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Fit one model to `rows` where its estimate exists: those rows, log-likelihoods, dark figures, converged.

        `start` (the fit on the data) seeds the rows whose empty terms are the data's own.
        """
        params = np.asarray(parameters)
        n_lists = self.n_lists
        empty_keys = _pack(self.margins[rows][:, params] == 0)
        done_rows, logliks, darks, converged = [], [], [], []
        for key in np.unique(empty_keys):
            group = rows[empty_keys == key]
            pattern = (int(key) >> np.arange(params.size)) & 1 == 1
            minus_infinity = tuple(int(t) for t in params[pattern])
            keep = ~cells_containing(n_lists, minus_infinity) if minus_infinity else np.ones(1 << n_lists, bool)
            keep[0] = False
            face = Face(minus_infinity, tuple(int(t) for t in params[~pattern]), keep)
            kept = np.flatnonzero(keep)
            design = design_matrix(n_lists, face.estimated, kept)
            group = group[self.supports.usable(group, n_lists, face, design, kept)]
            if group.size == 0:
                continue
            seed_beta = start if minus_infinity == data_minus_infinity else None
            fits = fit_face(self.tables[group], n_lists, face, design=design, start=seed_beta, variance=False,
                            tolerance=1e-7)
            done_rows.append(group)
            logliks.append(fits.loglik)
            darks.append(fits.dark_figure)
            converged.append(fits.converged)
        if not done_rows:
            empty = np.zeros(0)
            return np.zeros(0, dtype=np.int64), empty, empty, np.zeros(0, dtype=bool)
        return np.concatenate(done_rows), np.concatenate(logliks), np.concatenate(darks), np.concatenate(converged)


def saturated_loglik(tables: np.ndarray) -> np.ndarray:
    """The largest Poisson log-likelihood any model can reach on each table: means equal to the counts."""
    tables = np.asarray(tables, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(tables > 0, tables * np.log(tables) - tables, 0.0)
    return terms.sum(axis=1) - gammaln(tables + 1.0).sum(axis=1)


def _pack(flags: np.ndarray) -> np.ndarray:
    """Each row of booleans (at most 64 columns) as one unsigned integer key."""
    weights = np.left_shift(np.uint64(1), np.arange(flags.shape[1], dtype=np.uint64))
    return (flags.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)


class _SupportIndex:
    """Which cells hold anyone, per table; existence is checked once per distinct pattern."""

    def __init__(self, occupied: np.ndarray) -> None:
        self.occupied = occupied
        self._keys: dict[bytes, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def usable(self, rows: np.ndarray, n_lists: int, face: Face, design: np.ndarray, kept: np.ndarray) -> np.ndarray:
        cache = kept.tobytes()
        if cache not in self._keys:
            keys = _pack(self.occupied[:, kept]) if kept.size <= 64 else _pack_wide(self.occupied[:, kept])
            distinct, inverse = np.unique(keys, return_inverse=True)
            examples = np.array([np.flatnonzero(inverse == i)[0] for i in range(distinct.size)])
            self._keys[cache] = (inverse.ravel(), examples, self.occupied[examples][:, kept])
        inverse, examples, patterns = self._keys[cache]
        wanted = np.unique(inverse[rows])
        # One batched SVD: full rank on the occupied cells settles most patterns at once.
        masked = patterns[wanted][:, :, None] * design[None, :, :]
        singular = np.linalg.svd(masked, compute_uv=False)
        full = (singular > 1e-9 * np.maximum(singular[:, :1], 1.0)).sum(axis=1) == design.shape[1]
        verdict = np.zeros(patterns.shape[0], dtype=bool)
        verdict[wanted[full]] = True
        for index in wanted[~full]:
            probe = np.zeros(1 << n_lists)
            probe[kept] = patterns[index].astype(float)
            verdict[index] = check_face(probe, n_lists, face, design).usable
        return verdict[inverse[rows]]


def _pack_wide(flags: np.ndarray) -> np.ndarray:
    return np.array([hash(row.tobytes()) for row in flags], dtype=np.int64)


def bootstrap_stepwise(
    counts: np.ndarray,
    n_lists: int,
    estimate: float,
    p_threshold: float,
    *,
    n_boot: int,
    seed: int | None,
    level: float,
    resampler: Resampler = "numpy",
    order: Sequence[int] | None = None,
) -> BootstrapOutcome:
    """Re-run the stepwise selection in every replicate and every jackknife table."""
    counts = np.asarray(counts, dtype=np.int64)
    jack_tables, weights = jackknife_tables(counts)
    # SparseMSE draws over the data rows in the order given (`order`).
    tables = np.vstack([resample(counts, n_boot, seed, resampler, order), jack_tables])
    values = np.full(tables.shape[0], np.nan)
    memo: dict[bytes, float] = {}
    for row, table in enumerate(tables):
        key = table.tobytes()
        if key not in memo:
            try:
                memo[key] = stepwise(table, n_lists, p_threshold).fit.estimate
            except EstimationError:
                memo[key] = np.nan
        values[row] = memo[key]
    return _outcome(estimate, values, n_boot, weights.astype(float), level)
