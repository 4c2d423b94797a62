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
    for name in ("EXTRAPOLATION_RATIO", "INFLUENCE_SHARE", "SMALL_CELL_SHARE", "SPARSE_SHARE", "WIDE_INTERVAL_RATIO"):
        assert f"`{name}`" in text and str(getattr(caveats, name)) in text, name
