"""Chao's lower bound and Lincoln-Petersen."""

from __future__ import annotations

import math

import pytest

from redzone.estimate import CaptureTable, InvalidSetting, estimate


def test_chao_by_hand():
    table = CaptureTable.from_records(["a", "b", "c"], {"100": 30, "010": 20, "001": 10, "110": 8, "011": 4, "111": 2})
    result = estimate(table, "chao")
    f1, f2 = 60, 12
    assert result.estimate == pytest.approx(74 + f1**2 / (2 * f2))
    assert result.interval[0] > 74 and result.interval[1] > result.estimate
    assert any("lower bound" in w for w in result.warnings)


def test_chao_bias_corrected_when_nobody_is_on_two_lists():
    table = CaptureTable.from_records(["a", "b", "c"], {"100": 5, "010": 4, "111": 3})
    assert estimate(table, "chao").estimate == pytest.approx(12 + 9 * 8 / 2)


def test_chapman_and_lincoln_petersen():
    table = CaptureTable.from_records(["a", "b"], {"10": 70, "01": 40, "11": 30})
    chapman = estimate(table, "lincoln-petersen")
    assert chapman.estimate == pytest.approx(101 * 71 / 31 - 1)
    variance = 101 * 71 * 70 * 40 / (31**2 * 32)
    assert chapman.interval[1] == pytest.approx(chapman.estimate + 1.959964 * math.sqrt(variance), rel=1e-5)
    classic = estimate(table, "lincoln-petersen", chapman=False)
    assert classic.estimate == pytest.approx(100 * 70 / 30)
    assert any("two lists" in w for w in classic.warnings)


def test_lincoln_petersen_with_more_lists_needs_two_named():
    table = CaptureTable.from_records(["a", "b", "c"], {"100": 5, "110": 4, "011": 3, "001": 8})
    with pytest.raises(InvalidSetting, match="lists"):
        estimate(table, "lincoln-petersen")
    result = estimate(table, "lincoln-petersen", lists=("a", "c"))
    assert result.details["lists"] == ["a", "c"]
    assert any("Only the lists" in w for w in result.warnings)
