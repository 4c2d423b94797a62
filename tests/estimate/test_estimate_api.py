"""The public entry points: settings checked up front, one result shape, plain warnings."""

from __future__ import annotations

import json

import pytest

from redzone.estimate import METHODS, CaptureTable, InvalidSetting, compare, estimate, estimate_csv
from redzone.errors import RedzoneError

MADIGAN_YORK = {"100": 60, "010": 49, "110": 4, "001": 247, "101": 112, "011": 142, "111": 12}


@pytest.fixture
def table() -> CaptureTable:
    return CaptureTable.from_records(["hospital", "ngo", "police"], MADIGAN_YORK)


def test_result_dictionary_has_exactly_the_agreed_keys(table):
    result = estimate(table, "bic")
    assert set(result.to_dict()) == {"method", "observed", "estimate", "interval", "model", "warnings"}
    full = result.to_dict(details=True)
    assert set(full) - set(result.to_dict()) == {"details"}
    json.dumps(full)  # details are JSON-ready
    assert result.observed == 626 and result.estimate > 626 and result.level == 0.95


@pytest.mark.parametrize(
    ("settings", "names"),
    [
        ({"method": "bayes"}, ["method"]),
        ({"method": "bic", "max_order": 3}, ["max_order"]),
        ({"method": "stepwise", "max_order": 2}, ["max_order"]),
        ({"method": "bic", "p_threshold": 0.05}, ["p_threshold: applies to 'stepwise' only"]),
        ({"method": "stepwise", "p_threshold": 1.5}, ["p_threshold: must be between 0 and 1"]),
        ({"method": "bic", "p_threshold": 2.0, "n_boot": -1, "level": 95}, ["p_threshold", "n_boot", "level"]),
        ({"method": "chao", "n_boot": 100}, ["n_boot"]),
        ({"method": "bic", "n_boot": 5}, ["n_boot"]),
        ({"method": "bic", "seed": -3}, ["seed"]),
        ({"method": "stepwise", "top_models": 5}, ["top_models"]),
        ({"method": "bic", "resampler": "sas"}, ["resampler"]),
        ({"method": "bic", "lists": (0, 1)}, ["lists"]),
    ],
)
def test_bad_settings_name_every_argument_at_fault(table, settings, names):
    method = settings.pop("method")
    with pytest.raises(InvalidSetting) as caught:
        estimate(table, method, **settings)
    message = str(caught.value)
    assert all(name in message for name in names), message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, RedzoneError)


def test_every_method_runs(table):
    for method in METHODS:
        options = {"lists": (0, 1)} if method == "lincoln-petersen" else {}
        if method == "lcmcr":
            options = {"burn_in": 300, "samples": 100, "thinning": 2, "seed": 1}
        result = estimate(table, method, **options)
        assert result.method == method and result.estimate >= result.observed


def test_model_conditional_interval_is_flagged(table):
    result = estimate(table, "aic")
    assert result.details["interval_method"].startswith("model-conditional")
    assert any("leaves out the uncertainty of choosing" in w for w in result.warnings)


def test_data_warnings_in_plain_language():
    sparse = CaptureTable.from_records(
        ["a", "b", "c", "d", "e"], {"10000": 30, "01000": 20, "00100": 25, "00010": 10, "00001": 9, "11000": 2,
                                    "00110": 1, "10100": 3}
    )
    warnings = " ".join(estimate(sparse, "stepwise").warnings)
    assert "nobody in common" in warnings and "sparse" in warnings
    two = CaptureTable.from_records(["a", "b"], {"10": 5, "01": 5, "11": 2})
    assert any("Only two lists" in w for w in estimate(two, "chao").warnings)


def test_dropped_models_are_reported():
    table = CaptureTable.from_records(["A", "B", "C"], {"100": 40, "010": 30, "001": 20, "110": 6})
    result = estimate(table, "bic")
    assert result.details["models_not_existing"] == 3 and result.details["models_not_identifiable"] == 1
    assert any("set aside" in w for w in result.warnings)


def test_compare_side_by_side(table):
    comparison = compare(table, ["bic", "stepwise", "chao"])
    assert [r.method for r in comparison.results] == ["bic", "stepwise", "chao"]
    out = comparison.to_dict()
    assert out["observed"] == 626 and len(out["results"]) == 3
    with pytest.raises(InvalidSetting, match="methods"):
        compare(table, ["nope"])


def test_estimate_csv(tmp_path):
    path = tmp_path / "lists.csv"
    path.write_text("a,b,c,count\n1,0,0,60\n0,1,0,49\n1,1,0,4\n0,0,1,247\n1,0,1,112\n0,1,1,142\n1,1,1,12\n")
    assert estimate_csv(path, "stepwise").observed == 626


def test_stepwise_adds_no_interaction_while_a_list_holds_nobody():
    # SparseMSE's existence check fails every model when a list is empty, so its stepwise stays at main
    # effects; bootstrap replicates in which a small list comes out empty must do the same.
    three = {"100": 60, "010": 49, "110": 4, "001": 247, "101": 112, "011": 142, "111": 12}
    with_lists = estimate(CaptureTable.from_records(["a", "b", "c"], three), "stepwise")
    assert with_lists.model == ["12"]
    four = CaptureTable.from_records(["a", "b", "c", "d"], {cell + "0": count for cell, count in three.items()})
    result = estimate(four, "stepwise")
    assert result.model == []
    main = estimate(CaptureTable.from_records(["a", "b", "c"], three), "stepwise", p_threshold=0.0)
    assert result.estimate == pytest.approx(main.estimate, rel=1e-6)
    assert any("adds no interaction" in w and "'d'" in w for w in result.warnings)
