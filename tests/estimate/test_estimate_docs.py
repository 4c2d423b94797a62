"""docs/estimation.md keeps up with the code: every method, option and warning threshold is there."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from redzone.estimate import METHODS
from redzone.estimate import caveats
from redzone.estimate.lcmcr import LatentClassSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "estimation.md"


def test_every_method_and_option_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for method in METHODS:
        assert f"`{method}`" in text, method
    for option in [f.name for f in fields(LatentClassSettings)] + ["max_order", "p_threshold", "n_boot", "seed",
                                                                   "level", "top_models", "resampler", "chapman"]:
        assert f"`{option}`" in text, option


def test_warning_thresholds_are_documented():
    text = DOC.read_text(encoding="utf-8")
    for name in ("EXTRAPOLATION_RATIO", "INFLUENCE_SHARE", "SMALL_CELL_SHARE", "SPARSE_SHARE", "WIDE_INTERVAL_RATIO",
                 "FEW_PEOPLE", "MONTE_CARLO_SHARE"):
        assert f"`{name}`" in text and str(getattr(caveats, name)) in text, name


def test_performance_figures_are_the_benchmarks_of_record():
    """Each timing quoted in docs/estimation.md is the latest in docs/benchmarks.md, to one decimal."""
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    benchmarks = (DOC.parent / "benchmarks.md").read_text(encoding="utf-8").split("## estimate", 1)[1]
    measured = {}
    for line in benchmarks.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) >= 3 and cells[2] == "s":
            measured[cells[0]] = float(cells[1])
    quoted = {
        "bic_search_uk_6_lists": "32,768 two-way models of the six-list UK data {} s",
        "bic_search_uk_5_lists_all_orders": "6,893 models of the five-list UK data {} s",
        "bca_1000_uk_5_lists_order_2": "five-list UK data, {} s",
        "bca_1000_kosovo_order_3": "1,000 Kosovo replicates {} s",
        "stepwise_bca_1000_new_orleans_8_lists": "eight-list New Orleans data {} s",
        "lcmcr_kosovo_default": "LCMCR on Kosovo with the defaults {} s",
    }
    for name, phrase in quoted.items():
        assert phrase.format(f"{measured[name]:.1f}") in text, name
    assert f"70 — {measured['lcmcr_kosovo_default']:.1f} s for Kosovo" in text
