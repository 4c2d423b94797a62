"""Does a model's estimate exist, and is it identifiable, for these counts?

Two checks, as in Chan, Silverman & Vincent (2021) and the R packages SparseMSE (`checkident`)
and MultipleSystemsEstimation (`check_extended_MLE`), after fixing zero-margin terms at minus
infinity and dropping their cells (see loglinear.py):

* identifiable: the design on the kept cells has full column rank;
* exists: the extended maximum likelihood estimate is finite (Fienberg & Rinaldo 2012). The
  packages solve a linear programme: is there a strictly positive table with the same
  margins as the data? Equivalently, there is no direction d with X d <= 0 on every kept
  cell, X d = 0 on the cells with people in them, and X d != 0. Any such d lies in the null
  space of the design restricted to the non-empty cells, so when that restricted design has
  full rank (the usual case) the estimate exists at once; otherwise a tiny linear programme
  over the null-space coordinates settles it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from redzone.estimate.loglinear import Face, design_matrix, face_of, superset_sums
from redzone.estimate.models import HierarchicalModel

_RANK_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ModelCheck:
    """Outcome of the two checks for one model and one table."""

    exists: bool
    identifiable: bool
    face: Face

    @property
    def usable(self) -> bool:
        return self.exists and self.identifiable

    @property
    def status(self) -> int:
        """The R packages' code: 0 fine, 1 estimate does not exist, 2 not identifiable, 3 both."""
        return (0 if self.exists else 1) + (0 if self.identifiable else 2)


def check_model(counts: np.ndarray, model: HierarchicalModel, margins: np.ndarray | None = None) -> ModelCheck:
    """Check `model` against the full vector of 2**K cell counts (cell 0 ignored)."""
    counts = np.asarray(counts, dtype=float)
    if margins is None:
        margins = superset_sums(counts, model.n_lists)
    face = face_of(model, margins)
    return check_face(counts, model.n_lists, face)


def check_face(counts: np.ndarray, n_lists: int, face: Face, design: np.ndarray | None = None) -> ModelCheck:
    kept = np.flatnonzero(face.keep)
    if design is None:
        design = design_matrix(n_lists, face.estimated, kept)
    occupied = counts[kept] > 0
    # Full rank on the non-empty cells settles both questions (it implies full rank on all).
    null_basis = _null_space(design[occupied])
    if null_basis.shape[1] == 0:
        return ModelCheck(True, True, face)
    if _rank(design) < design.shape[1]:
        # Not identifiable: the model is set aside whatever the existence question says.
        return ModelCheck(True, False, face)
    directions = design[~occupied] @ null_basis
    directions[np.abs(directions) < _RANK_TOLERANCE] = 0.0
    return ModelCheck(not _has_nonpositive_direction(directions), True, face)


def _rank(matrix: np.ndarray) -> int:
    if matrix.size == 0:
        return 0
    singular = np.linalg.svd(matrix, compute_uv=False)
    return int(np.sum(singular > _RANK_TOLERANCE * max(1.0, singular[0])))


def _null_space(matrix: np.ndarray) -> np.ndarray:
    columns = matrix.shape[1]
    if matrix.shape[0] == 0:
        return np.eye(columns)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int(np.sum(singular > _RANK_TOLERANCE * max(1.0, singular[0] if singular.size else 1.0)))
    return vt[rank:].T


def _has_nonpositive_direction(directions: np.ndarray) -> bool:
    """Is there c with M c <= 0 and M c != 0? (M = design on the empty cells x null basis.)

    M has full column rank here. Cheap certificates settle most cases: a column of one sign
    gives such a c; a least-squares c with M c <= 0 gives one; a strictly positive y with M'y = 0
    (the ones vector projected off the columns of M) proves there is none (Stiemke's lemma).
    Otherwise a small linear programme decides.
    """
    if not np.any(directions):
        return False
    signs_low, signs_high = directions.min(axis=0), directions.max(axis=0)
    if np.any((signs_high <= 0) & (signs_low < 0)) or np.any((signs_low >= 0) & (signs_high > 0)):
        return True
    ones = np.ones(directions.shape[0])
    coefficients, *_ = np.linalg.lstsq(directions, -ones, rcond=None)
    image = directions @ coefficients
    if image.max() <= _RANK_TOLERANCE and image.min() < -_RANK_TOLERANCE:
        return True
    if (ones + image).min() > 1e-7:  # ones - projection of ones onto col(M) is positive, M'y = 0
        return False
    # Scale so that the sum of M c is -1; feasibility of this LP is the answer.
    result = linprog(
        c=np.zeros(directions.shape[1]),
        A_ub=directions,
        b_ub=np.zeros(directions.shape[0]),
        A_eq=directions.sum(axis=0, keepdims=True),
        b_eq=np.array([-1.0]),
        bounds=[(None, None)] * directions.shape[1],
        method="highs",
    )
    return bool(result.status == 0)
