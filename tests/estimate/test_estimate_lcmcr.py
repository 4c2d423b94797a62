"""The latent-class sampler: recovers a known population, is repeatable, reports its convergence."""

from __future__ import annotations

import numpy as np
import pytest

from redzone.estimate import CaptureTable, InvalidSetting, estimate
from redzone.estimate.lcmcr import effective_sample_size, geweke_z, split_r_hat

QUICK = {"burn_in": 1_000, "samples": 300, "thinning": 5, "chains": 2}


def simulated_table(seed: int = 2) -> tuple[CaptureTable, int]:
    """2,000 people in two classes that the lists reach very differently."""
    rng = np.random.default_rng(seed)
    sizes, probabilities = [1_600, 400], [[0.15, 0.2, 0.25, 0.15], [0.6, 0.5, 0.7, 0.6]]
    counts = np.zeros(16, dtype=int)
    for size, p in zip(sizes, probabilities):
        seen = rng.random((size, 4)) < np.array(p)
        cells = seen @ (1 << np.arange(4))
        counts += np.bincount(cells, minlength=16)
    counts[0] = 0
    return CaptureTable.from_counts(["a", "b", "c", "d"], counts), sum(sizes)


def test_recovers_a_heterogeneous_population():
    table, truth = simulated_table()
    result = estimate(table, "lcmcr", seed=5, **QUICK)
    low, high = result.interval
    assert low < truth < high
    assert abs(result.estimate - truth) / truth < 0.15
    assert result.details["estimate_is"] == "posterior median"
    assert set(result.details["diagnostics"]) >= {"split_r_hat", "effective_sample_size", "geweke_z"}


def test_same_seed_same_draws():
    table, _ = simulated_table()
    first = estimate(table, "lcmcr", seed=1, burn_in=200, samples=50, thinning=2, chains=2)
    second = estimate(table, "lcmcr", seed=1, burn_in=200, samples=50, thinning=2, chains=2)
    assert first.to_dict(details=True) == second.to_dict(details=True)


def test_short_chains_are_flagged():
    table, _ = simulated_table()
    result = estimate(table, "lcmcr", seed=3, burn_in=0, samples=40, thinning=1, chains=2)
    assert any("sampler may not have settled" in w for w in result.warnings)


def test_unknown_or_bad_options_are_named():
    table, _ = simulated_table()
    with pytest.raises(InvalidSetting, match="burnin"):
        estimate(table, "lcmcr", burnin=10)
    with pytest.raises(InvalidSetting, match="thinning"):
        estimate(table, "lcmcr", thinning=0)
    with pytest.raises(InvalidSetting, match="not a setting of method 'bic'"):
        estimate(table, "bic", chains=3)


def test_diagnostics_on_known_chains():
    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(4, 2_000))
    assert split_r_hat(mixed) == pytest.approx(1.0, abs=0.01)
    assert effective_sample_size(mixed) > 5_000
    stuck = np.vstack([rng.normal(0, 1, 2_000), rng.normal(5, 1, 2_000)])
    assert split_r_hat(stuck) > 2
    drifting = np.linspace(0, 10, 2_000) + rng.normal(size=2_000)
    assert abs(geweke_z(drifting)) > 3


@pytest.mark.slow
def test_kosovo_with_default_settings(published):
    # Kosovo killings, March-June 1999: the Kosovo Memory Book later counted about 10,400.
    result = estimate(published("kosovo_4lists.csv"), "lcmcr", seed=2024)
    assert 9_500 < result.estimate < 11_500
    assert result.interval[0] < 10_401 < result.interval[1]
    assert result.details["diagnostics"]["split_r_hat"] < 1.1
