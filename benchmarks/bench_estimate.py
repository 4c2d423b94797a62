"""Timings of the estimation library on the published tables (`make bench` calls `run()`).

Each row: {"name", "value", "unit", "note"}. The tables are read from shared/mse_validation
beside the repository; rows are skipped (with a note) when that folder is absent.
"""

from __future__ import annotations

import time
from pathlib import Path

from redzone.estimate import CaptureTable, estimate

VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "mse_validation"


def _timed(name: str, note: str, call) -> tuple[dict, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = call()
    return {"name": name, "value": round(time.perf_counter() - started, 2), "unit": "s", "note": note}, result


def run() -> list[dict]:
    if not VALIDATION.is_dir():
        return [{"name": "estimate", "value": None, "unit": "s", "note": f"skipped: {VALIDATION} not found"}]
    load = lambda name: CaptureTable.from_csv(VALIDATION / name)  # noqa: E731
    rows: list[dict] = []

    row, result = _timed("bic_search_uk_6_lists", "32,768 hierarchical models (max order 2), one core",
                         lambda: estimate(load("uk_2013_6lists.csv"), "bic"))
    rows.append({**row, "note": row["note"] + f"; estimate {result.estimate:,.0f}"})

    row, result = _timed("bic_search_uk_5_lists_all_orders", "6,893 hierarchical models (max order 4)",
                         lambda: estimate(load("uk_2013_5lists.csv"), "bic"))
    rows.append({**row, "note": row["note"] + f"; estimate {result.estimate:,.0f} (published 25,311)"})

    row, result = _timed("bca_1000_uk_5_lists_order_2", "1,000 BCa replicates, BIC over all 1,024 two-way models "
                         "in each (Silverman, Chan & Vincent 2024, Table 6)",
                         lambda: estimate(load("uk_2013_5lists.csv"), "bic", max_order=2, n_boot=1000, seed=1234,
                                          resampler="r"))
    low, high = result.interval
    rows.append({**row, "note": row["note"] + f"; interval {low:,.0f}-{high:,.0f} (published 11,456-43,894)"})

    row, result = _timed("bca_1000_kosovo_order_3", "1,000 BCa replicates, BIC over 113 models",
                         lambda: estimate(load("kosovo_4lists.csv"), "bic", n_boot=1000, seed=1234, resampler="r"))
    low, high = result.interval
    rows.append({**row, "note": row["note"] + f"; interval {low:,.0f}-{high:,.0f} (published 6,947-18,010)"})

    row, result = _timed("stepwise_bca_1000_new_orleans_8_lists", "stepwise p=0.02 repeated in 1,000 replicates",
                         lambda: estimate(load("new_orleans_8lists_v2019_n185.csv"), "stepwise", n_boot=1000,
                                          seed=1234, resampler="r"))
    low, high = result.interval
    rows.append({**row, "note": row["note"] + f"; interval {low:,.0f}-{high:,.0f} (published 717-1,657)"})

    row, result = _timed("lcmcr_kosovo_default", "6 chains x 40,000 sweeps side by side (default settings)",
                         lambda: estimate(load("kosovo_4lists.csv"), "lcmcr", seed=2024))
    diagnostics = result.details["diagnostics"]
    low, high = result.interval
    rows.append({**row, "note": row["note"] + f"; median {result.estimate:,.0f}, 95% {low:,.0f}-{high:,.0f}, "
                 f"R-hat {diagnostics['split_r_hat']:.3f}, ESS {diagnostics['effective_sample_size']:.0f}"})
    return rows


if __name__ == "__main__":
    for line in run():
        print(line)
