"""Closed-form estimators: Chao's lower bound (any number of lists) and Lincoln-Petersen (two lists)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from redzone.estimate.errors import EstimationError
from redzone.estimate.table import CaptureTable
from redzone.messages import Message


@dataclass(frozen=True)
class ClosedForm:
    estimate: float
    interval: tuple[float, float] | None
    details: dict


def chao_lower_bound(table: CaptureTable, level: float) -> ClosedForm:
    """Chao (1987): n + f1^2 / (2 f2), where f_k = people seen on exactly k lists.

    When nobody is on exactly two lists the bias-corrected form n + f1 (f1 - 1) / 2 is used.
    The interval is Chao's log-normal one for the unseen count, so it never goes below n.
    """
    seen = table.times_seen()
    n = table.observed
    f1, f2 = int(seen[1]), int(seen[2]) if seen.size > 2 else 0
    if f2 > 0:
        unseen = f1 * f1 / (2.0 * f2)
        ratio = f1 / f2
        variance = f2 * (ratio**4 / 4.0 + ratio**3 + ratio**2 / 2.0)
        form = "f1^2 / (2 f2)"
    else:
        unseen = f1 * (f1 - 1) / 2.0
        total = n + unseen
        variance = f1 * (f1 - 1) / 2.0 + f1 * (2 * f1 - 1) ** 2 / 4.0 - f1**4 / (4.0 * total) if total > 0 else 0.0
        form = "f1 (f1 - 1) / 2 (bias-corrected, nobody on exactly two lists)"
    interval = None
    if unseen > 0 and variance > 0:
        z = float(norm.ppf(0.5 + level / 2.0))
        factor = math.exp(z * math.sqrt(math.log(1.0 + variance / unseen**2)))
        interval = (n + unseen / factor, n + unseen * factor)
    elif unseen == 0:
        interval = (float(n), float(n))
    details = {
        "seen_on_exactly": {str(k): int(v) for k, v in enumerate(seen) if k > 0},
        "formula": form,
        "unseen": unseen,
        "variance": variance,
    }
    return ClosedForm(n + unseen, interval, details)


def lincoln_petersen(table: CaptureTable, level: float, *, chapman: bool = True) -> ClosedForm:
    """Two lists: n1 n2 / m, or Chapman's (n1 + 1)(n2 + 1) / (m + 1) - 1, with a normal interval.

    Chapman's estimator is nearly unbiased; its variance is Seber's (n1+1)(n2+1)(n1-m)(n2-m) / ((m+1)^2 (m+2)). The interval is not allowed below n.
    With nobody on both lists there is no estimate: Chapman's formula still gives a number, but
    it is an artefact of its +1 terms, not something the data support.
    """
    if table.n_lists != 2:
        raise EstimationError(
            Message("Lincoln-Petersen needs exactly two lists, this table has %(n_lists)s; choose two with "
                    "lists=(first, second) or use a method for three or more lists",
                    n_lists=table.n_lists)
        )
    n1, n2 = table.list_sizes().values()
    m = table.overlap(0, 1)
    n = table.observed
    if m == 0:
        first, second = table.list_names
        raise EstimationError(
            Message("the lists %(first)s and %(second)s have nobody in common, so two lists cannot tell how many "
                    "people both missed (any number fits); there is no estimate without people recorded on both",
                    first=repr(first), second=repr(second))
        )
    z = float(norm.ppf(0.5 + level / 2.0))
    if chapman:
        estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1.0
        variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    else:
        estimate = n1 * n2 / m
        variance = n1 * n2 * (n1 - m) * (n2 - m) / m**3
    spread = z * math.sqrt(variance)
    interval = (max(float(n), estimate - spread), estimate + spread)
    details = {"list_sizes": [int(n1), int(n2)], "overlap": int(m), "chapman": chapman, "variance": variance}
    return ClosedForm(estimate, interval, details)
