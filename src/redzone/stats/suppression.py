"""Small-cell suppression: publish aggregate counts without letting a small number point at a person.

Threat (BRIEF §5: "a published table whose small counts re-identify someone"). A public table
saying that one woman from Onsong was sold in Helong county in 2019 names her to anyone who
knows the village, the broker or the family, and state security looks for exactly that to punish
relatives still in North Korea. A count of 1 or 2 is as identifying as a name. So is a count
that can be worked out from the numbers around it: a hidden cell equal to its row total minus
the cells shown is not hidden.

Mechanism, in the order the rules apply:

1. Primary suppression. A count from 1 to threshold - 1 is hidden (reason "primary"). A zero is
   shown: it describes nobody, and showing zeros tells readers that a hidden cell is not empty
   rather than leaving them to guess. Pass `suppress_zeros=True` when absence itself is telling
   (in a small cohort, "nobody from this county" can single out the one person who is). Totals
   follow the same rule: a row, column or grand total that is itself below the threshold is
   hidden, and so is the total of a one-way table whose cells together fall below it.
2. Complementary suppression. Every published total is an equation an attacker can solve, so
   more cells are hidden (reason "complementary") until no hidden count can be solved for.
   One-way table with its total: while the hidden cells could be worked out (a single hidden
   cell, or several whose sum leaves each only its least value, such as two hidden cells
   summing to 2 when zeros are shown), hide the smallest shown non-zero cell, ties broken by
   key; if none is left, hide the total. Two-way table with row, column and grand totals:
   treat it as a table bordered by its totals, where every row and column (the totals' own row
   and column included) is an equation. While some line holds exactly one hidden cell, or
   hidden cells pinned to their least values as above, hide the smallest non-zero shown cell
   of that line, preferring one whose crossing line already holds hidden cells (so one
   suppression mends two lines and fewer cells are lost), counts before totals, ties broken
   by key.
3. Audit. Lines with two hidden cells each are not enough: a hidden cell can still be pinned
   down through several lines at once (a "bridge" between two groups of hidden cells). So the
   loop ends only when no hidden cell is exactly determined by all equations together, checked
   on the residual graph of the table (see `_BorderedTable.first_exposed`); a cell found
   exposed gets a complement from its row or column, by the same preferences.

What is guaranteed. The attacker knows every published number, that counts are whole and not
negative, and how this module works, so (when zeros are shown) that every hidden count is at
least 1. Even so, every hidden count, cells and totals alike, has at least two possible values.
The equations of a table bordered by its totals form a network (totally unimodular) matrix, so
the bounds an attacker derives by linear programming are whole numbers: "not exactly
determined" means "at least two whole values remain". The tests check this against an
independent linear-programming auditor.

What is not guaranteed. (a) A hidden count can still be bounded: two hidden cells that sum to 3
are each 1 or 2. Where that matters, publish coarser categories or raise the threshold (CTDC
publishes with k = 11, BRIEF §7). (b) `Cell.reason` must never be published: "complementary"
tells the reader a count is at least the threshold; `to_rows()` leaves it out. (c) An attacker
who reruns this deterministic procedure on candidate tables may narrow a range further.
(d) Tables released separately over overlapping categories can be differenced; suppress a
release with the others in mind.

Order. Cells come out in input order: a one-way table in the mapping's iteration order (a dict's
insertion order); a two-way table row by row, rows and columns in order of their first
appearance among the keys, or as given by `rows=` and `columns=`. Which cells are hidden does
not depend on that order: every choice between equals is broken by key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Reason = Literal["primary", "complementary"]
_RESERVED = ("count", "suppressed")


@dataclass(frozen=True)
class Cell:
    """One cell: its key (one value per dimension) and its count, None when hidden."""

    key: tuple[str, ...]
    count: int | None
    suppressed: bool
    reason: Reason | None = None  # why it is hidden; for the analyst, never for publication


@dataclass(frozen=True)
class SuppressedTable:
    """A table fit to publish: hidden counts and totals are None."""

    dimensions: tuple[str, ...]
    cells: tuple[Cell, ...]
    total: int | None
    threshold: int
    row_totals: dict[str, int | None] = field(default_factory=dict)  # two-way tables only
    column_totals: dict[str, int | None] = field(default_factory=dict)
    total_published: bool = True  # False: `total` is None because it is not part of the release
    zeros_suppressed: bool = False

    def cell(self, *key: str) -> Cell:
        """The cell with this key; KeyError if the table has none."""
        for cell in self.cells:
            if cell.key == key:
                return cell
        raise KeyError(key)

    def to_rows(self, *, include_totals: bool = False) -> list[dict[str, object]]:
        """One dict per cell for CSV or JSON: the dimension values, `count` and `suppressed`.

        With `include_totals`, totals follow the cells, with None for each dimension summed
        over (as SQL's ROLLUP does), so no category name can be mistaken for a total.
        """
        rows = [self._row(cell.key, cell.count, cell.suppressed) for cell in self.cells]
        if not include_totals:
            return rows
        if len(self.dimensions) == 2:
            rows += [self._row((key, None), count, count is None) for key, count in self.row_totals.items()]
            rows += [self._row((None, key), count, count is None) for key, count in self.column_totals.items()]
        if self.total_published:
            rows.append(self._row((None,) * len(self.dimensions), self.total, self.total is None))
        return rows

    def _row(self, key: tuple[str | None, ...], count: int | None, suppressed: bool) -> dict[str, object]:
        return {**dict(zip(self.dimensions, key)), "count": count, "suppressed": suppressed}


def suppress_1d(
    counts: Mapping[str, int],
    threshold: int = 5,
    *,
    total_published: bool = True,
    suppress_zeros: bool = False,
    dimension: str = "category",
) -> SuppressedTable:
    """Hide small counts of a one-way table, and enough others that its total gives none away.

    With `total_published=False` the total is left out of the release, so nothing can be
    subtracted from it and only primary suppression applies; pass True whenever the total
    appears anywhere else (a report's text, another table).
    """
    _check_threshold(threshold)
    _check_flag("total_published", total_published)
    _check_flag("suppress_zeros", suppress_zeros)
    dimensions = _check_dimensions("dimension", (dimension,))
    if not isinstance(counts, Mapping):
        raise ValueError(f"counts must be a mapping of category to count, got {type(counts).__name__}")
    for key, value in counts.items():
        if not isinstance(key, str):
            raise ValueError(f"counts: every key must be a string, got {key!r}")
        _check_count(f"counts[{key!r}]", value)

    lower = 0 if suppress_zeros else 1
    reasons: dict[str, Reason] = {
        key: "primary" for key, value in counts.items() if _sensitive(value, threshold, suppress_zeros)
    }
    total = sum(counts.values())
    total_hidden = total_published and bool(counts) and _sensitive(total, threshold, suppress_zeros)
    if total_published and not total_hidden:
        while _line_exposed([counts[key] for key in reasons], lower, total_shown=True):
            shown = [key for key, value in counts.items() if key not in reasons and value > 0]
            if not shown:
                total_hidden = True
                break
            reasons[min(shown, key=lambda key: (counts[key], key))] = "complementary"

    cells = tuple(
        Cell((key,), None if key in reasons else value, key in reasons, reasons.get(key))
        for key, value in counts.items()
    )
    return SuppressedTable(
        dimensions=dimensions,
        cells=cells,
        total=total if total_published and not total_hidden else None,
        threshold=threshold,
        total_published=total_published,
        zeros_suppressed=suppress_zeros,
    )


def suppress_2d(
    counts: Mapping[tuple[str, str], int],
    threshold: int = 5,
    *,
    suppress_zeros: bool = False,
    dimensions: tuple[str, str] = ("row", "column"),
    rows: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
) -> SuppressedTable:
    """Hide small counts of a two-way table published with row, column and grand totals.

    A (row, column) pair missing from `counts` is a zero. Give `rows` or `columns` to fix their
    order and to include categories with no count at all (every province, say).
    """
    _check_threshold(threshold)
    _check_flag("suppress_zeros", suppress_zeros)
    names = _check_dimensions("dimensions", dimensions)
    if len(names) != 2:
        raise ValueError(f"dimensions must name exactly two dimensions, got {len(names)}")
    if not isinstance(counts, Mapping):
        raise ValueError(f"counts must be a mapping of (row, column) to count, got {type(counts).__name__}")
    for key, value in counts.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(part, str) for part in key)):
            raise ValueError(f"counts: every key must be a (row, column) pair of strings, got {key!r}")
        _check_count(f"counts[{key!r}]", value)
    row_keys = _check_categories("rows", rows, (key[0] for key in counts))
    column_keys = _check_categories("columns", columns, (key[1] for key in counts))

    # Decisions are taken on the table sorted by key, so they do not depend on input order.
    sorted_rows, sorted_columns = sorted(row_keys), sorted(column_keys)
    grid = [[counts.get((row, column), 0) for column in sorted_columns] for row in sorted_rows]
    table = _BorderedTable(grid, threshold, suppress_zeros)
    table.protect()

    row_at = {key: i for i, key in enumerate(sorted_rows)}
    column_at = {key: j for j, key in enumerate(sorted_columns)}
    n_rows, n_columns = len(sorted_rows), len(sorted_columns)
    cells = tuple(
        Cell((row, column), *table.published(row_at[row], column_at[column]))
        for row in row_keys
        for column in column_keys
    )
    return SuppressedTable(
        dimensions=names,
        cells=cells,
        total=table.published(n_rows, n_columns)[0],
        threshold=threshold,
        row_totals={row: table.published(row_at[row], n_columns)[0] for row in row_keys},
        column_totals={column: table.published(n_rows, column_at[column])[0] for column in column_keys},
        zeros_suppressed=suppress_zeros,
    )


class _BorderedTable:
    """A two-way table bordered by its totals, and which of its cells are hidden.

    With R rows and C columns, (i, j) for i < R and j < C is a count, (i, C) row i's total,
    (R, j) column j's total and (R, C) the grand total. Each of the R + 1 rows and C + 1 columns
    is one published equation: its last cell is the sum of the others.
    """

    def __init__(self, counts: list[list[int]], threshold: int, suppress_zeros: bool) -> None:
        self.n_rows = len(counts)
        self.n_columns = len(counts[0]) if counts else 0
        self.lower = 0 if suppress_zeros else 1  # what the attacker knows every hidden count to be at least
        bordered = [list(row) + [sum(row)] for row in counts]
        bordered.append([sum(row[j] for row in bordered) for j in range(self.n_columns + 1)])
        self.value = bordered
        # A table without rows or columns describes nobody: its totals are zeros by construction.
        empty = self.n_rows == 0 or self.n_columns == 0
        self.reason: dict[tuple[int, int], Reason] = {
            cell: "primary"
            for cell in self.cells()
            if not empty and _sensitive(self.value_at(cell), threshold, suppress_zeros)
        }

    def cells(self) -> list[tuple[int, int]]:
        return [(i, j) for i in range(self.n_rows + 1) for j in range(self.n_columns + 1)]

    def value_at(self, cell: tuple[int, int]) -> int:
        return self.value[cell[0]][cell[1]]

    def is_total(self, cell: tuple[int, int]) -> bool:
        return cell[0] == self.n_rows or cell[1] == self.n_columns

    def published(self, i: int, j: int) -> tuple[int | None, bool, Reason | None]:
        reason = self.reason.get((i, j))
        return (None if reason else self.value[i][j]), reason is not None, reason

    def line(self, kind: str, index: int) -> list[tuple[int, int]]:
        """The cells of one row or column of the bordered table, its total last."""
        if kind == "row":
            return [(index, j) for j in range(self.n_columns + 1)]
        return [(i, index) for i in range(self.n_rows + 1)]

    def hidden_in(self, kind: str, index: int) -> int:
        return sum(cell in self.reason for cell in self.line(kind, index))

    def protect(self) -> None:
        """Add complementary suppressions until no hidden count is exactly determined."""
        while True:
            offending = self.first_offending_line()
            if offending is not None:
                self.hide_complement([offending])
                continue
            exposed = self.first_exposed()
            if exposed is None:
                return
            self.hide_complement([("row", exposed[0]), ("column", exposed[1])])

    def first_offending_line(self) -> tuple[str, int] | None:
        """The first line that by itself gives a hidden count away."""
        lines = [("row", i) for i in range(self.n_rows + 1)] + [("column", j) for j in range(self.n_columns + 1)]
        for kind, index in lines:
            cells = self.line(kind, index)
            hidden = [self.value_at(cell) for cell in cells if cell in self.reason]
            if _line_exposed(hidden, self.lower, total_shown=cells[-1] not in self.reason):
                return kind, index
        return None

    def hide_complement(self, lines: list[tuple[str, int]]) -> None:
        """Hide the best shown cell of these lines; failing that, the best shown cell anywhere."""
        crossing = {"row": "column", "column": "row"}
        ranked = []
        for kind, index in lines:
            for cell in self.line(kind, index):
                if cell in self.reason or self.value_at(cell) == 0:
                    continue
                across = self.hidden_in(crossing[kind], cell[1] if kind == "row" else cell[0])
                # A crossing line with one hidden cell is mended too; with none, it becomes exposed.
                preference = 0 if across == 1 else 1 if across > 1 else 2
                ranked.append((self.is_total(cell), preference, self.value_at(cell), cell))
        if not ranked:
            for cell in self.cells():
                if cell not in self.reason and self.value_at(cell) > 0:
                    touched = (self.hidden_in("row", cell[0]) > 0) + (self.hidden_in("column", cell[1]) > 0)
                    ranked.append((self.is_total(cell), -touched, self.value_at(cell), cell))
        if not ranked:
            # Hiding every non-zero count protects all of them; reaching here is a bug, so fail closed.
            raise RuntimeError("suppression found no cell left to hide; refusing to publish")
        self.reason[min(ranked)[3]] = "complementary"

    def first_exposed(self) -> tuple[int, int] | None:
        """The first hidden cell whose count the published equations fix to one value.

        Write the table with its totals negated: then every row and column sums to zero, and a
        change to the hidden counts that keeps every published equation true is a cycle
        alternating +1, -1 through hidden cells along rows and columns. In a graph with a node
        per row and per column, a hidden cell gives an arc row -> column if its signed value may
        rise by 1, column -> row if it may fall by 1 (a count may fall only while above the
        attacker's lower bound). A hidden cell can take another value exactly when one of its
        arcs closes a cycle that does not use the cell's other arc.
        """
        arcs: _Arcs = {}
        for cell in sorted(self.reason):
            row_node, column_node = cell[0], self.n_rows + 1 + cell[1]
            negated = cell[0] == self.n_rows or cell[1] == self.n_columns
            negated = negated and cell != (self.n_rows, self.n_columns)  # the grand total is not
            above_lower = self.value_at(cell) > self.lower
            if not negated or above_lower:
                arcs.setdefault(row_node, []).append((column_node, cell))
            if negated or above_lower:
                arcs.setdefault(column_node, []).append((row_node, cell))
        for cell in sorted(self.reason):
            row_node, column_node = cell[0], self.n_rows + 1 + cell[1]
            rises = any(target == column_node and via == cell for target, via in arcs.get(row_node, []))
            falls = any(target == row_node and via == cell for target, via in arcs.get(column_node, []))
            if rises and _reaches(arcs, column_node, row_node, avoiding=cell):
                continue
            if falls and _reaches(arcs, row_node, column_node, avoiding=cell):
                continue
            return cell
        return None


_Arcs = dict[int, list[tuple[int, tuple[int, int]]]]  # node -> (node it leads to, cell it moves)


def _reaches(arcs: _Arcs, start: int, goal: int, avoiding: tuple[int, int]) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            return True
        for target, via in arcs.get(node, []):
            if via != avoiding and target not in seen:
                seen.add(target)
                frontier.append(target)
    return False


def _line_exposed(hidden: list[int], lower: int, *, total_shown: bool) -> bool:
    """Whether one equation alone fixes its hidden counts.

    A single hidden cell equals the total minus the rest. k hidden cells with a shown total share
    the remainder R, each between `lower` and R - (k - 1) * lower: one value only when R = k * lower.
    """
    if not hidden:
        return False
    if len(hidden) == 1:
        return True
    return total_shown and sum(hidden) <= len(hidden) * lower


def _sensitive(count: int, threshold: int, suppress_zeros: bool) -> bool:
    return 1 <= count < threshold or (count == 0 and suppress_zeros)


def _check_threshold(threshold: object) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of at least 1 (1 hides nothing), got {threshold!r}")


def _check_flag(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number of at least 0, got {value!r}")


def _check_dimensions(name: str, dimensions: object) -> tuple[str, ...]:
    if not isinstance(dimensions, tuple) or not all(isinstance(d, str) and d for d in dimensions):
        raise ValueError(f"{name} must be non-empty strings, got {dimensions!r}")
    if len(set(dimensions)) != len(dimensions) or set(dimensions) & set(_RESERVED):
        raise ValueError(f"{name} must be distinct and not {' or '.join(_RESERVED)}, got {dimensions!r}")
    return dimensions


def _check_categories(name: str, given: Sequence[str] | None, used: Iterable[str]) -> list[str]:
    """The categories in order: as given, or by first appearance among the keys."""
    used_in_order = list(dict.fromkeys(used))
    if given is None:
        return used_in_order
    if isinstance(given, str) or not all(isinstance(key, str) for key in given):
        raise ValueError(f"{name} must be a sequence of strings")
    if len(set(given)) != len(given):
        raise ValueError(f"{name} must not repeat a category")
    missing = [key for key in used_in_order if key not in set(given)]
    if missing:
        raise ValueError(f"counts: {missing[0]!r} is not one of the {name} given")
    return list(given)
