"""Reading and checking capture-history tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redzone.estimate import CaptureTable, InvalidCaptureTable


def write(tmp_path, text: str):
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_any_list_names_and_zero_rows(tmp_path):
    table = CaptureTable.from_csv(write(tmp_path, "NGO,police,shelter,count\n1,0,0,5\n0,1,0,3\n1,1,0,0\n0,1,1,2\n"))
    assert table.list_names == ("NGO", "police", "shelter")
    assert table.observed == 10
    assert table.count("110") == 0 and table.count([0, 1, 1]) == 2
    assert table.list_sizes() == {"NGO": 5, "police": 5, "shelter": 2}
    assert table.overlap(1, 2) == 2
    assert list(table.times_seen()) == [0, 8, 2, 0]
    assert table.source_order == (1, 2, 3, 6)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a,b,n\n1,0,3\n", "followed by 'count'"),
        ("a,b,count\n1,2,3\n", "must be 0 or 1"),
        ("a,b,count\n1,0,-1\n", "whole number"),
        ("a,b,count\n1,0,2.5\n", "whole number"),
        ("a,b,count\n1,0,1\n1,0,2\n", "appears twice"),
        ("a,b,count\n0,0,4\n1,0,1\n", "on no list"),
        ("a,b,count\n1,0\n", "expected 3 values"),
        ("a,a,count\n1,0,1\n", "repeated: a"),
        ("a,count\n1,4\n", "at least 2 lists"),
        ("a,b,count\n1,0,0\n", "nobody is recorded"),
    ],
)
def test_malformed_tables_are_refused_with_the_reason(tmp_path, text, fragment):
    with pytest.raises(InvalidCaptureTable, match=fragment):
        CaptureTable.from_csv(write(tmp_path, text))


def test_every_problem_is_reported_at_once(tmp_path):
    with pytest.raises(InvalidCaptureTable) as caught:
        CaptureTable.from_csv(write(tmp_path, "a,b,count\n1,2,3\n0,1,x\n"))
    assert len(caught.value.problems) == 2
    assert isinstance(caught.value, ValueError)


def test_records_accept_strings_and_sequences():
    table = CaptureTable.from_records(["a", "b"], [("10", 4), ((0, 1), 2), ([1, 1], 1)])
    assert table.observed == 7
    assert table.n_lists == 2


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidCaptureTable, match="cannot read"):
        CaptureTable.from_csv(tmp_path / "absent.csv")


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5).flatmap(lambda k: st.tuples(st.just(k), st.lists(st.integers(0, 50), min_size=(1 << k) - 1,
                                                                            max_size=(1 << k) - 1))))
def test_csv_round_trip(tmp_path_factory, drawn):
    n_lists, cells = drawn
    if sum(cells) == 0:
        cells[0] = 1
    table = CaptureTable.from_counts([f"L{i}" for i in range(n_lists)], np.r_[0, cells])
    path = tmp_path_factory.mktemp("round") / "t.csv"
    table.to_csv(path)
    assert CaptureTable.from_csv(path) == table


def test_selecting_lists_drops_people_only_on_others():
    table = CaptureTable.from_records(["a", "b", "c"], {"100": 5, "010": 4, "001": 9, "110": 2, "101": 1})
    two = table.select_lists([0, 1])
    assert two.list_names == ("a", "b")
    assert two.observed == 12  # the 9 seen only on c are now unobserved
    assert two.overlap(0, 1) == 2
