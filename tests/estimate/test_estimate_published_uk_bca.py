"""UK 2013, five lists: BCa interval of BIC over all two-way models (Silverman, Chan & Vincent 2024, Table 6).

A published figure of its own, in its own file: a thousand replicates each repeating a search over
1,024 models take most of a minute, and `pytest -n 2 --dist loadfile` runs files side by side.
"""

from __future__ import annotations

import pytest
from test_estimate_published import assert_interval, close

from redzone.estimate import estimate


@pytest.mark.slow
def test_uk_five_lists_bca_two_way_exhaustive(published):
    result = estimate(published("uk_2013_5lists.csv"), "bic", max_order=2, n_boot=1000, seed=1234, resampler="r")
    assert_interval(result.interval, (11_456, 43_894))
