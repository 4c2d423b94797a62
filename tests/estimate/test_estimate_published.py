"""The published figures this implementation must reproduce (docs/estimation.md has the table).

Point estimates must agree within 0.5%, bootstrap intervals within 3%. Intervals are drawn with
resampler="r": R's own random stream for the same seed, so the replicates are those of the
published runs (SparseMSE / MultipleSystemsEstimation, set.seed(1234), 1,000 replicates).
"""

from __future__ import annotations

import pytest

from redzone.estimate import estimate


def close(value: float, published: float, tolerance: float) -> bool:
    return abs(value - published) <= tolerance * abs(published)


def assert_interval(interval, published, tolerance=0.03):
    assert interval is not None
    low, high = interval
    assert close(low, published[0], tolerance), (interval, published)
    assert close(high, published[1], tolerance), (interval, published)


# ---- Silverman, Chan & Vincent (2024) and MultipleSystemsEstimation: BIC search ------------


def test_uk_five_lists_bic_over_all_hierarchical_models(published):
    result = estimate(published("uk_2013_5lists.csv"), "bic")
    assert result.details["max_order"] == 4
    assert result.details["models_considered"] == 6_893
    assert close(result.estimate, 25_311, 0.005)
    assert result.details["hierarchy"] == "[123,25,34]"


def test_uk_five_lists_bic_two_way(published):
    result = estimate(published("uk_2013_5lists.csv"), "bic", max_order=2)
    assert close(result.estimate, 22_991, 0.005)
    assert set(result.model) == {"12", "13", "23", "25", "34"}


def test_kosovo_bic_and_bca_interval(published):
    result = estimate(published("kosovo_4lists.csv"), "bic", n_boot=1000, seed=1234, resampler="r")
    assert result.details["models_usable"] == 113
    assert close(result.estimate, 10_357, 0.005)
    assert_interval(result.interval, (6_947, 18_010))


def test_korea_bic_and_bca_interval(published):
    result = estimate(published("korea_palembang_3lists.csv"), "bic", max_order=2, n_boot=1000, seed=1234, resampler="r")
    assert close(result.estimate, 157.1667, 0.005)
    assert result.model == ["12", "23"]
    assert result.details["candidates"][0]["bic"] == pytest.approx(57.14081, abs=1e-4)
    assert result.details["models_usable"] == 6
    assert_interval(result.interval, (128, 349))


# ---- Chan, Silverman & Vincent (2021): stepwise with p = 0.02 and BCa ------------------------


def test_new_orleans_stepwise_one_interaction_and_bca(published):
    result = estimate(published("new_orleans_8lists_v2019_n185.csv"), "stepwise", n_boot=1000, seed=1234, resampler="r")
    assert result.model == ["45"]  # lists D and E
    assert close(result.estimate, 1_184, 0.005)
    assert_interval(result.interval, (717, 1_657))
    # Three replicates leave list B empty; stepwise then stays at main effects, as SparseMSE does, and
    # the upper limit is the published one to the unit (1,643 when they took an interaction).
    assert close(result.interval[1], 1_657, 0.001)


def test_new_orleans_main_effects_and_its_interval(published):
    # The published interval of the main-effects model is the model-conditional one of
    # SparseMSE's estimatepopulation.0 (normal on the log of the dark figure), not a BCa bootstrap.
    result = estimate(published("new_orleans_8lists_v2019_n185.csv"), "stepwise", p_threshold=0.0)
    assert result.model == []
    assert close(result.estimate, 997, 0.005)
    assert result.details["interval_method"].startswith("model-conditional")
    assert_interval(result.interval, (644, 1_618), tolerance=0.005)


def test_new_orleans_five_lists_stepwise_and_bca(published):
    result = estimate(published("new_orleans_5lists_v2019_n185.csv"), "stepwise", n_boot=1000, seed=1234, resampler="r")
    assert result.model == []
    assert close(result.estimate, 1_034, 0.005)
    assert_interval(result.interval, (589, 1_703))


def test_western_stepwise_and_bca(published):
    result = estimate(published("western_us_5lists.csv"), "stepwise", n_boot=1000, seed=1234, resampler="r")
    assert result.model == ["15"]  # lists A and E
    assert close(result.estimate, 2_483, 0.005)
    assert_interval(result.interval, (1_293, 3_670))


# ---- MultipleSystemsEstimation vignettes (current data releases) ----------------------------


def test_current_new_orleans_releases(published):
    eight = estimate(published("new_orleans_8lists_v2026_n186.csv"), "stepwise")
    assert eight.model == ["45"]
    assert eight.estimate == pytest.approx(1110.488, rel=1e-5)
    five = estimate(published("new_orleans_5lists_v2026_n186.csv"), "stepwise")
    assert five.estimate == pytest.approx(981.4314, rel=1e-5)


def test_korea_stepwise(published):
    result = estimate(published("korea_palembang_3lists.csv"), "stepwise")
    assert result.model == ["12"]
    assert result.estimate == pytest.approx(268.7778, rel=1e-5)


def test_western_bic_agrees_with_stepwise(published):
    result = estimate(published("western_us_5lists.csv"), "bic")
    assert result.model == ["15"]
    assert close(result.estimate, 2_483, 0.005)


def test_uk_five_lists_stepwise_matches_home_office_central_estimate(published):
    # Home Office (2014): "between 10,000 and 13,000" potential victims in 2013, central 11,313.
    result = estimate(published("uk_2013_5lists.csv"), "stepwise")
    assert close(result.estimate, 11_313, 0.005)
