"""New Orleans, five lists (2026 release): BCa upper limit of BIC over all two-way models.

A published figure of its own, in its own file: a thousand replicates each repeating a search over
1,024 models take most of a minute, and `pytest -n 2 --dist loadfile` runs files side by side.
"""

from __future__ import annotations

import pytest
from test_estimate_published import close

from redzone.estimate import estimate


@pytest.mark.slow
def test_new_orleans_five_lists_bic_upper_limit(published):
    # Silverman, Chan & Vincent (2024): upper 97.5% limit 1544 for maximum order 2, all models.
    result = estimate(published("new_orleans_5lists_v2026_n186.csv"), "bic", max_order=2, n_boot=1000,
                      seed=1234, resampler="r")
    assert close(result.interval[1], 1_544, 0.03)
