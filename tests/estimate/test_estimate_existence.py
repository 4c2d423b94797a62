"""Existence and identifiability of a model's estimate (Chan, Silverman & Vincent 2021, Table 3)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from redzone.estimate import CaptureTable, HierarchicalModel, check_model, hierarchical_models
from redzone.estimate.loglinear import design_matrix, face_of, superset_sums


def artificial() -> CaptureTable:
    return CaptureTable.from_records(["A", "B", "C"], {"100": 40, "010": 30, "001": 20, "110": 6})


def test_published_artificial_cases():
    table = artificial()
    # All three two-list interactions: exists, but not identifiable (status 2).
    assert check_model(table.counts, HierarchicalModel.parse(3, "[12,13,23]")).status == 2
    # AB only: the estimate does not exist (status 1).
    assert check_model(table.counts, HierarchicalModel.parse(3, "[12,3]")).status == 1
    # AC and BC: both fine (status 0); the empty AC and BC margins are fixed at minus infinity.
    check = check_model(table.counts, HierarchicalModel.parse(3, "[13,23]"))
    assert check.status == 0
    assert set(check.face.minus_infinity) == {0b101, 0b110}


def linear_programme_exists(counts: np.ndarray, model: HierarchicalModel) -> bool:
    """The packages' test: is there a strictly positive table with the data's margins?"""
    face = face_of(model, superset_sums(counts, model.n_lists))
    kept = np.flatnonzero(face.keep)
    design = design_matrix(model.n_lists, face.estimated, kept)
    margins = design.T @ counts[kept]
    cells = kept.size
    # maximise s subject to A x = t, x_i >= s, x >= 0
    result = linprog(
        c=np.r_[np.zeros(cells), -1.0],
        A_ub=np.c_[-np.eye(cells), np.ones(cells)],
        b_ub=np.zeros(cells),
        A_eq=np.c_[design.T, np.zeros(design.shape[1])],
        b_eq=margins,
        bounds=[(0, None)] * (cells + 1),
        method="highs",
    )
    return result.status == 0 and -result.fun > 1e-7


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0, 0, 0, 1, 2, 7]), min_size=15, max_size=15).filter(lambda c: sum(c) > 0),
    st.integers(0, 112),
)
def test_existence_agrees_with_the_linear_programme(cells, model_index):
    counts = np.array([0, *cells], dtype=float)
    model = hierarchical_models(4, 3)[model_index]
    check = check_model(counts, model)
    if check.identifiable:
        assert check.exists == linear_programme_exists(counts, model)


def test_both_outcomes_are_exercised_on_sparse_five_list_tables():
    rng = np.random.default_rng(7)
    models = hierarchical_models(5, 2)
    outcomes = set()
    for _ in range(150):
        counts = np.r_[0, rng.choice([0, 0, 0, 1, 3, 9], size=31)].astype(float)
        model = models[rng.integers(len(models))]
        check = check_model(counts, model)
        if check.identifiable:
            assert check.exists == linear_programme_exists(counts, model)
            outcomes.add(check.exists)
    assert outcomes == {True, False}


def test_full_rank_on_occupied_cells_means_usable():
    counts = np.array([0, 5, 4, 3, 6, 2, 2, 1], dtype=float)
    for model in hierarchical_models(3, 2):
        assert check_model(counts, model).usable
