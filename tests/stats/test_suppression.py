"""Small-cell suppression: nothing small is published, and nothing hidden can be worked back out.

The auditor below plays the attacker. It sees only the published table and solves the equations
its totals make, bounding each hidden count by linear programming (scipy's linprog, minimum and
maximum, every hidden count at least 0, or at least 1 when zeros are published). A hidden count
is recovered when its minimum equals its maximum. For tables with totals the equations form a
network matrix, so the bounds are whole numbers and a width of at least 1 means at least two
whole values remain possible: that is the protection asserted.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from redzone.stats.suppression import Cell, SuppressedTable, _BorderedTable, suppress_1d, suppress_2d

# ---------------------------------------------------------------- the auditor


def hidden_bounds(table: SuppressedTable) -> dict[tuple, tuple[float, float]]:
    """For each hidden count of a published table, the least and greatest value its totals allow."""
    unknowns: list[tuple] = [("cell", *cell.key) for cell in table.cells if cell.suppressed]
    equations: list[tuple[list, tuple | int]] = []  # (terms summed, their total); a term is a name or a number

    def term(name: tuple, value: int | None) -> tuple | int:
        return name if value is None else value

    if len(table.dimensions) == 1:
        if table.total_published:
            parts = [term(("cell", *cell.key), cell.count) for cell in table.cells]
            equations.append((parts, term(("total",), table.total)))
    else:
        counts = {cell.key: cell.count for cell in table.cells}
        for row, row_total in table.row_totals.items():
            parts = [term(("cell", row, column), counts[(row, column)]) for column in table.column_totals]
            equations.append((parts, term(("row", row), row_total)))
        for column, column_total in table.column_totals.items():
            parts = [term(("cell", row, column), counts[(row, column)]) for row in table.row_totals]
            equations.append((parts, term(("column", column), column_total)))
        grand = term(("total",), table.total)
        equations.append(([term(("row", row), value) for row, value in table.row_totals.items()], grand))
        equations.append(([term(("column", c), value) for c, value in table.column_totals.items()], grand))
        unknowns += [("row", row) for row, value in table.row_totals.items() if value is None]
        unknowns += [("column", column) for column, value in table.column_totals.items() if value is None]
    if table.total_published and table.total is None:
        unknowns.append(("total",))

    index = {name: i for i, name in enumerate(unknowns)}
    a_eq, b_eq = [], []
    for parts, total in equations:  # sum(parts) - total = 0, shown numbers moved to the right
        row, constant = [0.0] * len(unknowns), 0.0
        for part, sign in [(p, 1) for p in parts] + [(total, -1)]:
            if isinstance(part, tuple):
                row[index[part]] += sign
            else:
                constant -= sign * part
        if any(row):
            a_eq.append(row)
            b_eq.append(constant)
    lower = 0 if table.zeros_suppressed else 1
    bounds = {}
    for name, i in index.items():
        if not any(row[i] for row in a_eq):  # in no equation: nothing bounds it from above
            bounds[name] = (lower, float("inf"))
            continue
        objective = [0.0] * len(unknowns)
        objective[i] = 1.0
        extremes = []
        for sign in (1, -1):
            result = linprog(
                [sign * c for c in objective],
                A_eq=a_eq or None,
                b_eq=b_eq or None,
                bounds=[(lower, None)] * len(unknowns),
                method="highs",
            )
            assert result.status in (0, 3), result.message  # 3: unbounded, the count can be anything
            extremes.append(float("inf") if result.status == 3 else sign * result.fun)
        bounds[name] = (extremes[0], extremes[1])
    return bounds


def recovered(table: SuppressedTable) -> list[tuple]:
    """The hidden counts an attacker can pin to exactly one value."""
    return [name for name, (low, high) in hidden_bounds(table).items() if high - low < 1 - 1e-6]


def truth_1d(counts: dict[str, int]) -> dict[tuple, int]:
    return {**{("cell", key): value for key, value in counts.items()}, ("total",): sum(counts.values())}


def truth_2d(counts: dict[tuple[str, str], int], rows: list[str], columns: list[str]) -> dict[tuple, int]:
    truth: dict[tuple, int] = {("cell", r, c): counts.get((r, c), 0) for r in rows for c in columns}
    truth.update({("row", r): sum(counts.get((r, c), 0) for c in columns) for r in rows})
    truth.update({("column", c): sum(counts.get((r, c), 0) for r in rows) for c in columns})
    truth[("total",)] = sum(counts.values())
    return truth


def assert_safe(table: SuppressedTable, truth: dict[tuple, int]) -> None:
    """Nothing small shown, shown numbers true, hidden ones within the attacker's bounds but not pinned down."""
    shown = {("cell", *cell.key): cell.count for cell in table.cells}
    shown.update({("row", key): value for key, value in table.row_totals.items()})
    shown.update({("column", key): value for key, value in table.column_totals.items()})
    if table.total_published:
        shown[("total",)] = table.total
    for name, value in shown.items():
        if value is not None:
            assert value == truth[name], name
            assert not 1 <= value < table.threshold, name
            assert not (table.zeros_suppressed and value == 0 and table.cells), name  # an empty table's 0 is no one
    for cell in table.cells:
        assert cell.suppressed == (cell.count is None)
        assert cell.reason in ((None,) if not cell.suppressed else ("primary", "complementary"))
    for name, (low, high) in hidden_bounds(table).items():
        assert low - 1e-6 <= truth[name] <= high + 1e-6, name  # the attacker's model fits the data
    assert recovered(table) == []


def hidden_keys(table: SuppressedTable) -> set[tuple[str, ...]]:
    return {cell.key for cell in table.cells if cell.suppressed}


# ---------------------------------------------------------------- one-way tables


def test_a_single_small_cell_beside_a_published_total_takes_the_smallest_other_cell_with_it():
    counts = {"Onsong": 2, "Hyesan": 12, "Musan": 7}
    table = suppress_1d(counts)
    assert table.cell("Onsong") == Cell(("Onsong",), None, True, "primary")
    assert table.cell("Musan") == Cell(("Musan",), None, True, "complementary")
    assert table.cell("Hyesan").count == 12
    assert table.total == 21
    assert_safe(table, truth_1d(counts))


def test_the_auditor_recovers_a_single_hidden_cell_from_the_total():
    naive = SuppressedTable(
        dimensions=("category",),
        cells=(Cell(("Onsong",), None, True, "primary"), Cell(("Hyesan",), 12, False), Cell(("Musan",), 7, False)),
        total=21,
        threshold=5,
    )
    assert hidden_bounds(naive)[("cell", "Onsong")] == pytest.approx((2, 2))
    assert recovered(naive) == [("cell", "Onsong")]


def test_ties_for_the_complementary_cell_are_broken_by_key_whatever_the_input_order():
    for counts in ({"b": 7, "a": 7, "c": 1}, {"c": 1, "a": 7, "b": 7}):
        table = suppress_1d(counts)
        assert hidden_keys(table) == {("a",), ("c",)}
        assert [cell.key for cell in table.cells] == [(key,) for key in counts]


def test_hidden_cells_that_could_only_be_one_each_are_not_protected_by_being_two():
    # Zeros are shown, so the attacker knows both hidden cells are at least 1: 1 + 1 = 2 gives them away.
    counts = {"a": 1, "b": 1, "c": 30, "d": 0}
    table = suppress_1d(counts)
    assert table.cell("c").reason == "complementary"
    assert table.cell("d").count == 0
    assert_safe(table, truth_1d(counts))


def test_an_all_small_table_hides_every_cell_and_its_total():
    counts = {"a": 1, "b": 2, "c": 1}
    table = suppress_1d(counts)
    assert hidden_keys(table) == {("a",), ("b",), ("c",)}
    assert table.total is None
    assert_safe(table, truth_1d(counts))


def test_the_total_is_hidden_when_no_cell_is_left_to_hide():
    table = suppress_1d({"a": 1, "b": 1, "c": 1}, threshold=2)
    assert hidden_keys(table) == {("a",), ("b",), ("c",)} and table.total is None
    assert_safe(table, truth_1d({"a": 1, "b": 1, "c": 1}))


def test_zeros_are_shown_unless_asked_otherwise():
    counts = {"a": 0, "b": 9, "c": 8}
    assert suppress_1d(counts).cell("a").count == 0
    hidden = suppress_1d(counts, suppress_zeros=True)
    assert hidden.cell("a") == Cell(("a",), None, True, "primary")
    assert hidden.cell("c").reason == "complementary"  # a lone hidden zero is total minus the rest
    assert hidden.zeros_suppressed
    assert_safe(hidden, truth_1d(counts))


def test_without_a_published_total_only_small_cells_are_hidden():
    table = suppress_1d({"a": 2, "b": 12, "c": 7}, total_published=False)
    assert hidden_keys(table) == {("a",)}
    assert table.total is None and not table.total_published
    assert table.to_rows(include_totals=True) == table.to_rows()


def test_threshold_one_hides_nothing():
    counts = {"a": 1, "b": 0, "c": 3}
    table = suppress_1d(counts, threshold=1)
    assert [cell.count for cell in table.cells] == [1, 0, 3] and table.total == 4


def test_rows_for_csv_carry_the_dimension_count_and_flag_but_never_the_reason():
    table = suppress_1d({"Jilin": 2, "Liaoning": 20, "Heilongjiang": 9}, dimension="province")
    assert table.to_rows(include_totals=True) == [
        {"province": "Jilin", "count": None, "suppressed": True},
        {"province": "Liaoning", "count": 20, "suppressed": False},
        {"province": "Heilongjiang", "count": None, "suppressed": True},
        {"province": None, "count": 31, "suppressed": False},
    ]


@pytest.mark.parametrize("threshold", [0, -3, 2.5, True, "5", None])
def test_a_threshold_below_one_or_not_whole_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        suppress_1d({"a": 3}, threshold)
    with pytest.raises(ValueError, match="threshold"):
        suppress_2d({("a", "x"): 3}, threshold)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: suppress_1d({"a": -1}), "counts"),
        (lambda: suppress_1d({"a": 1.0}), "counts"),
        (lambda: suppress_1d({1: 3}), "counts"),
        (lambda: suppress_1d([("a", 3)]), "counts"),
        (lambda: suppress_1d({"a": 3}, total_published="yes"), "total_published"),
        (lambda: suppress_1d({"a": 3}, suppress_zeros=1), "suppress_zeros"),
        (lambda: suppress_1d({"a": 3}, dimension="count"), "dimension"),
        (lambda: suppress_2d({("a",): 3}), "counts"),
        (lambda: suppress_2d({("a", "x"): True}), "counts"),
        (lambda: suppress_2d({("a", "x"): 3}, dimensions=("year", "year")), "dimensions"),
        (lambda: suppress_2d({("a", "x"): 3}, rows=["b"]), "rows"),
        (lambda: suppress_2d({("a", "x"): 3}, columns=["x", "x"]), "columns"),
    ],
)
def test_bad_arguments_are_refused_by_name(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


# ---------------------------------------------------------------- two-way tables


def test_a_single_small_cell_in_a_two_way_table_is_hidden_with_a_rectangle_around_it():
    counts = {("2019", "Jilin"): 1, ("2019", "Liaoning"): 10, ("2020", "Jilin"): 10, ("2020", "Liaoning"): 10}
    table = suppress_2d(counts, dimensions=("year", "province"))
    assert table.cell("2019", "Jilin").reason == "primary"
    assert len(hidden_keys(table)) == 4  # a 2 x 2 table has no smaller safe pattern
    assert table.row_totals == {"2019": 11, "2020": 20}
    assert table.column_totals == {"Jilin": 11, "Liaoning": 20}
    assert table.total == 31
    assert_safe(table, truth_2d(counts, ["2019", "2020"], ["Jilin", "Liaoning"]))


def test_complements_are_taken_where_lines_already_have_suppressions():
    rows, columns = ["a", "b", "c"], ["x", "y", "z"]
    counts = {(r, c): 20 for r in rows for c in columns} | {("a", "x"): 2, ("b", "y"): 3}
    table = suppress_2d(counts)
    # Hiding (a, y) and (b, x) closes the cycle through both small cells: four cells lost, not six.
    assert hidden_keys(table) == {("a", "x"), ("b", "y"), ("a", "y"), ("b", "x")}
    assert_safe(table, truth_2d(counts, rows, columns))


def test_a_block_of_ones_is_not_protected_by_every_line_having_two_hidden_cells():
    rows, columns = ["a", "b", "c"], ["x", "y", "z"]
    counts = {(r, c): 30 for r in rows for c in columns} | {(r, c): 1 for r in "ab" for c in "xy"}
    table = suppress_2d(counts)
    assert len(hidden_keys(table)) > 4
    assert_safe(table, truth_2d(counts, rows, columns))


def test_a_small_row_total_is_hidden_and_protected():
    rows, columns = ["a", "b", "c"], ["x", "y"]
    counts = {("a", "x"): 2, ("a", "y"): 0, ("b", "x"): 9, ("b", "y"): 12, ("c", "x"): 15, ("c", "y"): 8}
    table = suppress_2d(counts)
    assert table.row_totals["a"] is None
    assert table.cell("a", "y").count == 0
    assert_safe(table, truth_2d(counts, rows, columns))


def test_an_all_small_two_way_table_hides_every_non_zero_count_and_total():
    rows, columns = ["a", "b"], ["x", "y"]
    counts = {("a", "x"): 1, ("a", "y"): 2, ("b", "x"): 0, ("b", "y"): 1}
    table = suppress_2d(counts)
    assert hidden_keys(table) == {("a", "x"), ("a", "y"), ("b", "y")}
    assert table.total is None and set(table.row_totals.values()) == {None}
    assert_safe(table, truth_2d(counts, rows, columns))


def test_the_auditor_sees_through_a_bridge_between_two_protected_blocks():
    # Every line has two hidden cells, yet (b, z) joins two separate blocks and equals a sum of totals.
    values = [[9, 9, 20, 20], [9, 9, 7, 20], [20, 20, 9, 9], [20, 20, 9, 9]]
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    bordered = _BorderedTable(values, threshold=5, suppress_zeros=False)
    bordered.reason = dict.fromkeys(hidden, "primary")
    assert bordered.first_offending_line() is None
    assert bordered.first_exposed() == (1, 2)
    assert recovered(published(bordered)) == [("cell", "1", "2")]


def test_an_empty_table_publishes_zero_totals():
    assert suppress_1d({}, suppress_zeros=True).total == 0
    table = suppress_2d({}, rows=["a"], suppress_zeros=True)
    assert table.cells == () and table.row_totals == {"a": 0} and table.total == 0


def test_missing_pairs_are_zeros_and_categories_keep_the_order_given():
    table = suppress_2d({("b", "y"): 9, ("a", "x"): 12}, rows=["a", "b", "c"], columns=["y", "x"])
    assert [cell.key for cell in table.cells] == [(r, c) for r in "abc" for c in "yx"]
    assert [cell.count for cell in table.cells] == [0, 12, 9, 0, 0, 0]
    assert table.row_totals == {"a": 12, "b": 9, "c": 0} and table.total == 21


def test_two_way_rows_for_csv_roll_totals_up_with_none():
    table = suppress_2d({("2019", "Jilin"): 6, ("2020", "Jilin"): 7}, dimensions=("year", "province"))
    assert table.to_rows(include_totals=True)[-4:] == [
        {"year": "2019", "province": None, "count": 6, "suppressed": False},
        {"year": "2020", "province": None, "count": 7, "suppressed": False},
        {"year": None, "province": "Jilin", "count": 13, "suppressed": False},
        {"year": None, "province": None, "count": 13, "suppressed": False},
    ]


# ---------------------------------------------------------------- properties

some_count = st.one_of(st.just(0), st.integers(1, 6), st.integers(7, 40))
some_threshold = st.integers(1, 8)


@settings(max_examples=80, deadline=None)
@given(
    counts=st.dictionaries(st.sampled_from("abcdefg"), some_count, max_size=7),
    threshold=some_threshold,
    total_published=st.booleans(),
    suppress_zeros=st.booleans(),
)
def test_one_way_tables_publish_nothing_small_and_nothing_recoverable(
    counts, threshold, total_published, suppress_zeros
):
    table = suppress_1d(counts, threshold, total_published=total_published, suppress_zeros=suppress_zeros)
    assert [cell.key for cell in table.cells] == [(key,) for key in counts]
    assert_safe(table, truth_1d(counts))


@st.composite
def two_way_counts(draw):
    rows = [f"r{i}" for i in range(draw(st.integers(1, 4)))]
    columns = [f"c{j}" for j in range(draw(st.integers(1, 4)))]
    return {(r, c): draw(some_count) for r in rows for c in columns}, rows, columns


@settings(max_examples=60, deadline=None)
@given(table_and_keys=two_way_counts(), threshold=some_threshold, suppress_zeros=st.booleans())
def test_two_way_tables_publish_nothing_small_and_nothing_recoverable(table_and_keys, threshold, suppress_zeros):
    counts, rows, columns = table_and_keys
    table = suppress_2d(counts, threshold, suppress_zeros=suppress_zeros)
    assert [cell.key for cell in table.cells] == [(r, c) for r in rows for c in columns]
    assert_safe(table, truth_2d(counts, rows, columns))


@settings(max_examples=30, deadline=None)
@given(table_and_keys=two_way_counts(), threshold=some_threshold, seed=st.integers(0, 2**16))
def test_what_is_hidden_does_not_depend_on_input_order(table_and_keys, threshold, seed):
    counts = table_and_keys[0]
    shuffled = list(counts.items())
    random.Random(seed).shuffle(shuffled)
    assert hidden_keys(suppress_2d(dict(shuffled), threshold)) == hidden_keys(suppress_2d(counts, threshold))


@settings(max_examples=60, deadline=None)
@given(table_and_keys=two_way_counts(), suppress_zeros=st.booleans(), data=st.data())
def test_the_exposure_check_agrees_with_the_auditor_on_any_pattern(table_and_keys, suppress_zeros, data):
    counts, rows, columns = table_and_keys
    values = [[counts[(r, c)] for c in columns] for r in rows]
    bordered = _BorderedTable(values, threshold=1, suppress_zeros=suppress_zeros)
    hideable = [cell for cell in bordered.cells() if suppress_zeros or bordered.value_at(cell) > 0]
    pattern = data.draw(st.sets(st.sampled_from(hideable)) if hideable else st.just(set()))
    bordered.reason = dict.fromkeys(pattern, "primary")
    found = recovered(published(bordered))
    expected = min((_bordered_cell(name, bordered) for name in found), default=None)
    assert bordered.first_exposed() == expected


def published(bordered: _BorderedTable) -> SuppressedTable:
    """The table a pattern of hidden cells would publish, with categories named by index."""
    n_rows, n_columns = bordered.n_rows, bordered.n_columns
    return SuppressedTable(
        dimensions=("row", "column"),
        cells=tuple(Cell((str(i), str(j)), *bordered.published(i, j)) for i in range(n_rows) for j in range(n_columns)),
        total=bordered.published(n_rows, n_columns)[0],
        threshold=1,
        row_totals={str(i): bordered.published(i, n_columns)[0] for i in range(n_rows)},
        column_totals={str(j): bordered.published(n_rows, j)[0] for j in range(n_columns)},
        zeros_suppressed=bordered.lower == 0,
    )


def _bordered_cell(name: tuple, bordered: _BorderedTable) -> tuple[int, int]:
    kind, *where = name
    if kind == "cell":
        return int(where[0]), int(where[1])
    if kind == "row":
        return int(where[0]), bordered.n_columns
    if kind == "column":
        return bordered.n_rows, int(where[0])
    return bordered.n_rows, bordered.n_columns
