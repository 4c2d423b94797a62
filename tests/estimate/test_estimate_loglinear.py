"""The Poisson log-linear fit agrees with statsmodels' GLM, one table or a batch at a time."""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from redzone.estimate import HierarchicalModel, hierarchical_models
from redzone.estimate.loglinear import design_matrix, face_of, fit_face, subset_sums, superset_sums
from redzone.estimate.selection import try_fit


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=16, max_size=16))
def test_transforms_match_the_design_matrix(values):
    vector = np.array(values)
    design = design_matrix(4, list(range(16)), np.arange(16))
    assert np.allclose(superset_sums(vector, 4), design.T @ vector)
    assert np.allclose(subset_sums(vector, 4), design @ vector)


def test_fit_matches_statsmodels_glm():
    rng = np.random.default_rng(3)
    counts = np.r_[0, rng.integers(1, 60, size=15)].astype(float)
    for model in hierarchical_models(4, 3)[::9]:
        _, fit = try_fit(counts, model)
        design = design_matrix(4, model.parameters)
        reference = sm.GLM(counts[1:], design, family=sm.families.Poisson()).fit()
        assert np.isclose(fit.dark_figure, np.exp(reference.params[0]), rtol=1e-7)
        assert np.isclose(fit.loglik, reference.llf, rtol=1e-9)
        assert np.isclose(fit.intercept_variance, reference.cov_params()[0, 0], rtol=1e-5)


def test_batch_fit_equals_single_fits():
    rng = np.random.default_rng(4)
    tables = np.c_[np.zeros(6), rng.integers(3, 40, size=(6, 31))]
    model = HierarchicalModel.parse(5, ["12", "34", "25"])
    face = face_of(model, superset_sums(tables[0], 5))
    batch = fit_face(tables, 5, face)
    for row, table in enumerate(tables):
        _, single = try_fit(table, model)
        assert np.isclose(batch.dark_figure[row], single.dark_figure, rtol=1e-8)
        assert np.isclose(batch.loglik[row], single.loglik, rtol=1e-10)
    warm = fit_face(tables, 5, face, start=batch.beta[0])
    assert np.allclose(warm.dark_figure, batch.dark_figure, rtol=1e-8)


def test_zero_margin_terms_are_fixed_at_minus_infinity():
    counts = np.zeros(8)
    counts[[1, 2, 4, 3]] = [40, 30, 20, 6]  # lists 1 and 3, 2 and 3 never overlap
    check, fit = try_fit(counts, HierarchicalModel.parse(3, ["13", "23"]))
    assert fit is not None and set(fit.minus_infinity) == {0b101, 0b110}
    assert fit.fitted[0b101] == 0 and fit.fitted[0b111] == 0
