"""Core benchmarks: demo generation + loading rate, and `stats` latency, on both backends."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import discard_workspace
from redzone.demo import generate_world
from redzone.demo.persist import load_world
from redzone.stats import statistics as stats_table
from redzone.workspace import Workspace

POSTGRES_URL = os.environ.get("REDZONE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSPHRASE = "benchmark passphrase (synthetic data)"


def _stats_latency(ws: Workspace, repeats: int = 5) -> dict[str, tuple[float, float]]:
    """(first call, median of the next `repeats`) seconds of `stats --by D` for each dimension, each
    call in its own session as the command makes it."""
    threshold = ws.config.settings.suppression_threshold
    timings = {}
    for dimension in ("violation", "province", "year", "role"):
        samples = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            with ws.store.session() as session:
                stats_table(session, (dimension,), threshold=threshold)
            samples.append(time.perf_counter() - started)
        timings[dimension] = (samples[0], statistics.median(samples[1:]))
    return timings


def run(acts: int = 1_000_000) -> list[dict]:
    rows: list[dict] = []
    started = time.perf_counter()
    world = generate_world(seed=1, acts=acts)
    generated = sum(len(batch.acts) for batch in world.batches())
    seconds = time.perf_counter() - started
    rows.append({"name": "demo world generation (no database)", "value": generated / seconds, "unit": "acts/s",
                 "note": f"{generated:,} acts in {seconds:.1f} s"})
    for backend in ("sqlite", "postgresql"):
        folder = Path(tempfile.mkdtemp(prefix=f"redzone-bench-{backend}-"))
        url = POSTGRES_URL if backend == "postgresql" else None
        ws = Workspace.create(folder / "ws", PASSPHRASE, database_url=url, demo=True)
        try:
            report = load_world(ws, generate_world(seed=1, acts=acts))
            rows.append({"name": f"demo generate + load, {backend}", "value": report.counts["acts"] / report.seconds,
                         "unit": "acts/s", "note": f"{report.counts['acts']:,} acts, "
                                                   f"{sum(report.counts.values()):,} rows in {report.seconds:.1f} s, "
                                                   "one transaction, search index included"})
            for dimension, (first, median) in _stats_latency(ws).items():
                rows.append({"name": f"stats --by {dimension}, {backend}", "value": median * 1000, "unit": "ms",
                             "note": f"median of 5 after a first call of {first * 1000:,.0f} ms, on "
                                     f"{report.counts['acts']:,} acts; target ≤ 1000 ms"})
        finally:
            discard_workspace(ws, folder)
    return rows
