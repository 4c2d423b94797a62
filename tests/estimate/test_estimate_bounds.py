"""Chao's lower bound and Lincoln-Petersen."""

from __future__ import annotations

import math

import pytest

from redzone.estimate import CaptureTable, EstimationError, InvalidSetting, compare, estimate


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
    result = estimate(table, "lincoln-petersen", lists=("a", "b"))
    assert result.details["lists"] == ["a", "b"]
    assert any("Only the lists" in w for w in result.warnings)


def test_lincoln_petersen_gives_no_estimate_without_an_overlap():
    # Chapman's +1 terms turned "nobody on both lists" into a number (1.0, interval [1, 1]) beside a warning.
    apart = CaptureTable.from_records(["shelter", "church"], {"10": 12, "01": 9})
    for chapman in (True, False):
        with pytest.raises(EstimationError, match="'shelter' and 'church' have nobody in common"):
            estimate(apart, "lincoln-petersen", chapman=chapman)
    three = CaptureTable.from_records(["a", "b", "c"], {"100": 30, "010": 20, "001": 25, "011": 4})
    with pytest.raises(EstimationError, match="'a' and 'b' have nobody in common"):
        estimate(three, "lincoln-petersen", lists=("a", "b"))
    comparison = compare(apart, ["lincoln-petersen", "chao"])
    assert [r.method for r in comparison.results] == ["chao"]
    assert "nobody in common" in comparison.failures["lincoln-petersen"]


def test_very_few_people_recorded_is_a_warning():
    few = CaptureTable.from_records(["a", "b"], {"10": 12, "01": 9, "11": 3})
    assert any("Very few people recorded (24" in w for w in estimate(few, "lincoln-petersen").warnings)
    enough = CaptureTable.from_records(["a", "b"], {"10": 70, "01": 40, "11": 30})
    assert not any("Very few people" in w for w in estimate(enough, "lincoln-petersen").warnings)


def test_stepwise_names_the_cause_when_even_main_effects_fail():
    apart = CaptureTable.from_records(["a", "b", "c"], {"100": 30, "010": 20, "001": 25})
    with pytest.raises(EstimationError, match="nobody is recorded on more than one list"):
        estimate(apart, "stepwise")
    everyone_on_a = CaptureTable.from_records(["a", "b", "c"], {"100": 5, "110": 4, "111": 3, "101": 2})
    with pytest.raises(EstimationError, match="list 1 holds everyone seen"):
        estimate(everyone_on_a, "stepwise")
