"""The one entry point: `estimate(table, method, ...)`, its CSV form, and `compare` across methods.

Settings are checked together before any work starts; every wrong one is named in a single
InvalidSetting (a ValueError).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from redzone.estimate import caveats
from redzone.estimate.bootstrap import BootstrapOutcome, Resampler, bootstrap_search, bootstrap_stepwise
from redzone.estimate.bounds import chao_lower_bound, lincoln_petersen
from redzone.estimate.errors import EstimationError, InvalidSetting
from redzone.estimate.lcmcr import LatentClassSettings, sample
from redzone.estimate.models import MAX_SEARCH_MODELS, default_max_order, term_label
from redzone.estimate.names import METHODS, Method
from redzone.estimate.result import EstimateResult
from redzone.estimate.selection import ModelFit, search, stepwise
from redzone.estimate.table import CaptureTable
from redzone.messages import Message

LOG_LINEAR_MAX_LISTS = 15
STEPWISE_P_THRESHOLD = 0.02  # the threshold Chan, Silverman & Vincent (2021) found best
_LCMCR_OPTIONS = tuple(f.name for f in fields(LatentClassSettings))


def estimate(
    table: CaptureTable,
    method: Method,
    *,
    max_order: int | None = None,
    p_threshold: float | None = None,
    n_boot: int = 0,
    seed: int | None = None,
    level: float = 0.95,
    top_models: int | None = None,
    chapman: bool = True,
    lists: Sequence[int | str] | None = None,
    resampler: Resampler = "numpy",
    **lcmcr_options: Any,
) -> EstimateResult:
    """Estimate the total population (recorded and unrecorded) from a capture-history table.

    method: 'bic' / 'aic' (search over hierarchical log-linear models up to `max_order`),
    'stepwise' (Chan, Silverman & Vincent 2021, threshold `p_threshold`, default 0.02), 'lcmcr' (Bayesian latent
    classes; options max_classes, burn_in, samples, thinning, chains, a_alpha, b_alpha), 'chao'
    (lower bound) or 'lincoln-petersen' (two lists; `chapman`, `lists` to pick two of more).
    n_boot > 0 adds a BCa bootstrap interval that repeats the model choice (`top_models` limits
    the bootstrap to the best models by the criterion on the data); `seed` makes it repeatable.
    resampler="r" draws the bootstrap tables from R's random stream for `seed` (default 1234, as
    the R packages), which reproduces their published intervals replicate for replicate.
    """
    _validate(table, method, max_order, p_threshold, n_boot, seed, level, top_models, lists, resampler, lcmcr_options)
    if method in ("bic", "aic"):
        return _by_criterion(table, method, max_order, n_boot, seed, level, top_models, resampler)
    if method == "stepwise":
        return _by_stepwise(table, STEPWISE_P_THRESHOLD if p_threshold is None else p_threshold, n_boot, seed, level,
                            resampler)
    if method == "lcmcr":
        return _by_latent_classes(table, LatentClassSettings(**lcmcr_options), seed, level)
    if method == "chao":
        bound = chao_lower_bound(table, level)
        notes = [
            Message("This is a lower bound, not an estimate: the true number is likely higher, because it only "
                    "accounts for the people most likely to be missed as seen through those recorded once or twice.")
        ]
        return _result("chao", table, bound.estimate, bound.interval, level, [], notes, bound.details)
    chosen = table if lists is None else table.select_lists([_list_index(table, item) for item in lists])
    closed = lincoln_petersen(chosen, level, chapman=chapman)
    notes = []
    if lists is not None and table.n_lists > 2:
        notes.append(
            Message("Only the lists %(first)s and %(second)s were used; people recorded only on the other lists "
                    "count as unrecorded here.", first=repr(chosen.list_names[0]), second=repr(chosen.list_names[1]))
        )
    details = {**closed.details, "lists": list(chosen.list_names)}
    return _result("lincoln-petersen", chosen, closed.estimate, closed.interval, level, [], notes, details)


def estimate_csv(path: str | Path, method: Method, **settings: Any) -> EstimateResult:
    """`estimate` on a capture-history CSV (columns list1..listK,count)."""
    return estimate(CaptureTable.from_csv(path), method, **settings)


@dataclass(frozen=True)
class Comparison:
    """Several methods on one table, to show how much the choice of method matters."""

    observed: int
    results: tuple[EstimateResult, ...]
    failures: dict[str, str]

    @property
    def spread(self) -> float | None:
        values = [r.estimate for r in self.results if r.method != "chao"]
        return max(values) / min(values) if len(values) > 1 and min(values) > 0 else None

    @property
    def warnings(self) -> list[str]:
        spread = self.spread
        if spread is not None and spread > 1.5:
            return [
                Message("The methods disagree: the largest estimate is %(spread)s times the smallest. The number "
                        "depends on assumptions the data cannot settle; report the range, not one figure.",
                        spread=f"{spread:.1f}")
            ]
        return []

    def to_dict(self, *, details: bool = False) -> dict[str, Any]:
        return {
            "observed": self.observed,
            "results": [r.to_dict(details=details) for r in self.results],
            "failures": dict(self.failures),
            "spread": self.spread,
            "warnings": self.warnings,
        }


def compare(
    table: CaptureTable,
    methods: Sequence[Method] | None = None,
    *,
    n_boot: int = 0,
    seed: int | None = None,
    level: float = 0.95,
    **lcmcr_options: Any,
) -> Comparison:
    """Run several methods side by side; a method the data cannot support is reported, not raised."""
    if methods is None:
        methods = ["bic", "aic", "stepwise", "lcmcr", "chao"] if table.n_lists >= 3 else ["lincoln-petersen", "chao"]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise InvalidSetting(Message("methods: unknown %(unknown)s; choose from %(choices)s",
                                     unknown=", ".join(map(repr, unknown)), choices=", ".join(METHODS)))
    results, failures = [], {}
    for method in methods:
        settings: dict[str, Any] = {"seed": seed, "level": level}
        if method in ("bic", "aic", "stepwise"):
            settings["n_boot"] = n_boot
        if method == "lcmcr":
            settings.update(lcmcr_options)
        try:
            results.append(estimate(table, method, **settings))
        except EstimationError as error:
            failures[method] = error.message
    return Comparison(table.observed, tuple(results), failures)


# ---- methods --------------------------------------------------------------------------------


def _by_criterion(
    table: CaptureTable, criterion: Literal["aic", "bic"], max_order: int | None, n_boot: int,
    seed: int | None, level: float, top_models: int | None, resampler: Resampler,
) -> EstimateResult:
    order = default_max_order(table.n_lists) if max_order is None else max_order
    found = search(table.counts, table.n_lists, criterion, order)
    best = found.best
    notes = caveats.dropped_models_warning(found.not_existing, found.not_identifiable, found.considered)
    candidates = found.ranked if top_models is None else found.ranked[:top_models]
    details: dict[str, Any] = {
        "criterion": criterion,
        "max_order": order,
        "hierarchy": best.model.hierarchy,
        "models_considered": found.considered,
        "models_usable": len(found.ranked),
        "models_not_existing": found.not_existing,
        "models_not_identifiable": found.not_identifiable,
        "candidates": [
            {"model": fit.model.labels, "hierarchy": fit.model.hierarchy, criterion: fit.criterion(criterion),
             "estimate": fit.estimate}
            for fit in found.ranked[:10]
        ],
    }
    interval, boot = _interval(table, best, level, n_boot, notes, details, lambda: bootstrap_search(
        table.counts, table.n_lists, candidates, criterion, n_boot=n_boot, seed=seed, level=level,
        resampler=resampler))
    if boot is not None:
        details["bootstrap"]["models_in_bootstrap"] = len(candidates)
    return _log_linear_result(criterion, table, best, interval, level, notes, details)


def _by_stepwise(
    table: CaptureTable, p_threshold: float, n_boot: int, seed: int | None, level: float, resampler: Resampler
) -> EstimateResult:
    chosen = stepwise(table.counts, table.n_lists, p_threshold)
    best = chosen.fit
    notes: list[str] = []
    empty = [name for name, size in table.list_sizes().items() if size == 0]
    if empty and p_threshold > 0.0:
        notes.append(
            Message("With a list that holds nobody (%(items)s) the stepwise method adds no interaction (as SparseMSE "
                    "does); leave that list out to let it choose among the others.",
                    items=', '.join(map(repr, empty)))
        )
    details: dict[str, Any] = {"p_threshold": p_threshold, "hierarchy": best.model.hierarchy, "steps": list(chosen.steps)}
    interval, _ = _interval(table, best, level, n_boot, notes, details, lambda: bootstrap_stepwise(
        table.counts, table.n_lists, best.estimate, p_threshold, n_boot=n_boot, seed=seed, level=level,
        resampler=resampler, order=table.source_order))
    return _log_linear_result("stepwise", table, best, interval, level, notes, details)


def _interval(table, best, level, n_boot, notes, details, run_bootstrap):  # type: ignore[no-untyped-def]
    if n_boot == 0:
        details["interval_method"] = "model-conditional (normal on the log of the unseen count)"
        notes.append(
            Message("The interval takes the chosen model as known; it leaves out the uncertainty of choosing the "
                    "model, so it is too narrow. Ask for a bootstrap (n_boot=1000) for an interval that includes it.")
        )
        return best.conditional_interval(level), None
    outcome: BootstrapOutcome = run_bootstrap()
    details["interval_method"] = "BCa bootstrap, model choice repeated in every replicate"
    details["bootstrap"] = outcome.summary()
    if outcome.failed:
        notes.append(Message("%(failed)s of %(n_boot)s bootstrap replicates had no usable model and were left out.",
                             failed=outcome.failed, n_boot=n_boot))
    notes += caveats.monte_carlo_warning(outcome.interval, outcome.monte_carlo_error, n_boot)
    return outcome.interval, outcome


def _log_linear_result(method, table, best: ModelFit, interval, level, notes, details) -> EstimateResult:  # type: ignore[no-untyped-def]
    influence, influence_details = caveats.influence_warning(table, best.model, best.estimate)
    details = {
        **details,
        "dark_figure": best.dark_figure,
        "minus_infinity_terms": [term_label(t, table.n_lists) for t in best.minus_infinity],
        "influence": influence_details,
    }
    return _result(method, table, best.estimate, interval, level, best.model.labels, notes + influence, details)


def _by_latent_classes(table: CaptureTable, settings: LatentClassSettings, seed: int | None, level: float) -> EstimateResult:
    outcome = sample(table, settings, seed)
    draws = outcome.population.ravel().astype(float)
    low, high = np.quantile(draws, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    diagnostics = outcome.diagnostics()
    notes = []
    r_hat, ess = diagnostics["split_r_hat"], diagnostics["effective_sample_size"]
    geweke = diagnostics["geweke_z"]
    if (np.isfinite(r_hat) and r_hat > 1.1) or ess < 100 or any(abs(z) > 3 for z in geweke):
        notes.append(
            Message("The sampler may not have settled (split R-hat %(r_hat)s, effective draws %(ess)s, Geweke z "
                    "%(items)s): run it longer (burn_in, samples, thinning) before relying on the interval.",
                    r_hat=f"{r_hat:.2f}", ess=f"{ess:.0f}", items=', '.join(f'{z:+.1f}' for z in geweke))
        )
    details = {
        "posterior_mean": float(draws.mean()),
        "posterior_median": float(np.median(draws)),
        "posterior_sd": float(draws.std(ddof=1)),
        "diagnostics": diagnostics,
        "alpha_mean": float(outcome.alpha.mean()),
        "occupied_classes_mean": float(outcome.occupied_classes.mean()),
        "settings": {f.name: getattr(settings, f.name) for f in fields(settings)},
        "seed": seed,
        "estimate_is": "posterior median",
    }
    return _result("lcmcr", table, float(np.median(draws)), (float(low), float(high)), level, [], notes, details)


def _result(method, table, value, interval, level, model, notes, details) -> EstimateResult:  # type: ignore[no-untyped-def]
    warnings = caveats.table_warnings(table) + list(notes)
    warnings += caveats.extrapolation_warning(table.observed, value)
    warnings += caveats.interval_warning(value, interval, level)
    return EstimateResult(method, table.observed, float(value), interval, level, list(model), warnings, details)


# ---- settings -------------------------------------------------------------------------------


def _validate(table, method, max_order, p_threshold, n_boot, seed, level, top_models, lists, resampler, lcmcr_options) -> None:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    if not isinstance(table, CaptureTable):
        raise InvalidSetting(Message("table: expected a CaptureTable, got %(name)s", name=type(table).__name__))
    if method not in METHODS:
        raise InvalidSetting(Message("method: unknown %(method)s; choose from %(items)s",
                                     method=repr(method), items=', '.join(METHODS)))
    n_lists = table.n_lists
    searching = method in ("bic", "aic")
    if not _is_number(level) or not 0.0 < level < 1.0:
        problems.append(Message("level: must be between 0 and 1 (e.g. 0.95), got %(level)s", level=repr(level)))
    if max_order is not None:
        if not searching:
            problems.append(Message("max_order: applies to the 'aic' and 'bic' searches only"))
        elif not _is_whole(max_order) or not 1 <= max_order <= n_lists - 1:
            problems.append(
                Message("max_order: must be a whole number from 1 to %(highest)s for %(n_lists)s lists (the "
                        "%(n_lists)s-way interaction can never be estimated), got %(max_order)s",
                        highest=n_lists - 1, n_lists=n_lists, max_order=repr(max_order))
            )
    if p_threshold is not None:
        if method != "stepwise":
            problems.append(Message("p_threshold: applies to 'stepwise' only"))
        elif not _is_number(p_threshold) or not 0.0 <= p_threshold <= 1.0:
            problems.append(Message("p_threshold: must be between 0 and 1, got %(p_threshold)s",
                                    p_threshold=repr(p_threshold)))
    if not _is_whole(n_boot) or n_boot < 0:
        problems.append(Message("n_boot: must be a whole number, 0 or more, got %(n_boot)s", n_boot=repr(n_boot)))
    elif n_boot and method not in ("bic", "aic", "stepwise"):
        problems.append(Message("n_boot: the bootstrap applies to 'bic', 'aic' and 'stepwise' only"))
    elif 0 < n_boot < 20:
        problems.append(Message("n_boot: use 0 (no bootstrap) or at least 20 (1,000 for a figure to publish), got "
                                "%(n_boot)s",
                                n_boot=n_boot))
    if seed is not None and (not _is_whole(seed) or seed < 0):
        problems.append(Message("seed: must be a whole number, 0 or more, or None, got %(seed)s", seed=repr(seed)))
    if resampler not in get_args(Resampler):
        problems.append(Message("resampler: %(resampler)s is not one of %(items)s",
                                resampler=repr(resampler), items=', '.join(get_args(Resampler))))
    if top_models is not None and (not searching or not _is_whole(top_models) or top_models < 1):
        problems.append(Message("top_models: a whole number of at least 1, with 'aic' or 'bic' only"))
    if lcmcr_options:
        if method != "lcmcr":
            problems.append(Message("%(items)s: not a setting of method %(method)s",
                                    items=', '.join(sorted(lcmcr_options)), method=repr(method)))
        else:
            unknown = sorted(set(lcmcr_options) - set(_LCMCR_OPTIONS))
            if unknown:
                problems.append(Message("%(items)s: unknown lcmcr option; known: %(items2)s",
                                        items=', '.join(unknown), items2=', '.join(_LCMCR_OPTIONS)))
            else:
                problems += LatentClassSettings(**lcmcr_options).problems()
    if lists is not None:
        if method != "lincoln-petersen":
            problems.append(Message("lists: applies to 'lincoln-petersen' only"))
        else:
            try:
                picked = [_list_index(table, item) for item in lists]
                if len(picked) != 2 or picked[0] == picked[1]:
                    problems.append(Message("lists: name two different lists"))
            except InvalidSetting as error:
                problems += error.problems
    elif method == "lincoln-petersen" and n_lists != 2:
        problems.append(Message("lists: this table has %(n_lists)s lists; name the two to use, e.g. lists=(0, 1)",
                                n_lists=n_lists))
    if method in ("bic", "aic", "stepwise") and n_lists > LOG_LINEAR_MAX_LISTS:
        problems.append(Message("method: log-linear models handle at most %(log_linear_max_lists)s lists, got "
                                "%(n_lists)s",
                                log_linear_max_lists=LOG_LINEAR_MAX_LISTS, n_lists=n_lists))
    if searching and n_lists >= 7 and (max_order is None or max_order >= 2):
        problems.append(
            Message("max_order: with %(n_lists)s lists a search over two-way models means over %(max_search_models)s "
                    "models; use method='stepwise' or max_order=1",
                    n_lists=n_lists, max_search_models=f"{MAX_SEARCH_MODELS:,}")
        )
    if problems:
        raise InvalidSetting(problems)


def _list_index(table: CaptureTable, item: int | str) -> int:
    if isinstance(item, str):
        if item not in table.list_names:
            raise InvalidSetting(Message("lists: no list named %(item)s; the lists are %(items)s",
                                         item=repr(item), items=', '.join(table.list_names)))
        return table.list_names.index(item)
    if not _is_whole(item) or not 0 <= item < table.n_lists:
        raise InvalidSetting(Message("lists: list numbers run from 0 to %(last)s, got %(item)s",
                                     last=table.n_lists - 1, item=repr(item)))
    return int(item)


def _is_whole(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and np.isfinite(value)
