"""The capture-history table: how many people were seen on each combination of lists.

Cells are indexed by bit mask: bit i set means "on list i+1". Cell 0 (on no list) is the
unobserved dark figure; its count is always 0 here and is what the methods estimate.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from redzone.estimate.errors import InvalidCaptureTable

MAX_LISTS = 20


def pattern_to_cell(pattern: Sequence[int]) -> int:
    """Bit mask of a 0/1 membership pattern (first list = lowest bit)."""
    return sum(1 << i for i, bit in enumerate(pattern) if bit)


def cell_to_pattern(cell: int, n_lists: int) -> tuple[int, ...]:
    return tuple((cell >> i) & 1 for i in range(n_lists))


@dataclass(frozen=True, eq=False)
class CaptureTable:
    """Counts of people by capture history, for `n_lists` named lists.

    Build one with `from_csv`, `from_records` or `from_counts`; `counts[cell]` is the number of
    people seen on exactly the lists whose bits are set in `cell`.
    """

    list_names: tuple[str, ...]
    counts: np.ndarray = field(repr=False)
    # Cells in the order the source gave them (zero rows included); only R-compatible resampling
    # needs it, to draw people from the rows in the order the R packages saw them.
    source_order: tuple[int, ...] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts, dtype=np.int64).copy()
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "list_names", tuple(self.list_names))

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def from_csv(cls, path: str | Path) -> CaptureTable:
        """Read `list1,...,listK,count` rows: one row per observed pattern, header first."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise InvalidCaptureTable(f"cannot read the file ({error.strerror})", str(path)) from error
        rows = [row for row in csv.reader(text.splitlines()) if any(cell.strip() for cell in row)]
        if not rows:
            raise InvalidCaptureTable("the file is empty", str(path))
        header = [name.strip() for name in rows[0]]
        problems: list[str] = []
        if len(header) < 2 or header[-1].lower() != "count":
            raise InvalidCaptureTable(
                f"the header must be the list names followed by 'count', got {','.join(header)!r}",
                str(path),
            )
        list_names = header[:-1]
        records: dict[tuple[int, ...], int] = {}
        for line_number, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                problems.append(f"line {line_number}: expected {len(header)} values, got {len(row)}")
                continue
            pattern = tuple(_parse_membership(v, f"line {line_number}", problems) for v in row[:-1])
            count = _parse_count(row[-1], f"line {line_number}", problems)
            if pattern in records:
                problems.append(f"line {line_number}: the pattern {''.join(map(str, pattern))} appears twice")
                continue
            records[pattern] = count
        if problems:
            raise InvalidCaptureTable(problems, str(path))
        return cls.from_records(list_names, records, source=str(path))

    @classmethod
    def from_records(
        cls,
        list_names: Sequence[str],
        records: Mapping[Sequence[int] | str, int] | Iterable[tuple[Sequence[int] | str, int]],
        *,
        source: str = "",
    ) -> CaptureTable:
        """Build a table from patterns (0/1 sequences or strings like "101") mapped to counts.

        Patterns not given count zero. A pattern on no list is allowed only with count 0.
        """
        names = [str(name).strip() for name in list_names]
        problems = _check_names(names)
        n_lists = len(names)
        items = records.items() if isinstance(records, Mapping) else records
        counts = np.zeros(1 << min(n_lists, MAX_LISTS), dtype=np.int64)
        seen: set[int] = set()
        order: list[int] = []
        for raw_pattern, raw_count in items:
            where = f"pattern {raw_pattern!r}"
            pattern = [int(c) if c in "01" else -1 for c in raw_pattern] if isinstance(raw_pattern, str) else list(raw_pattern)
            if len(pattern) != n_lists or any(bit not in (0, 1) for bit in pattern):
                problems.append(f"{where}: expected {n_lists} values of 0 or 1")
                continue
            count = _parse_count(raw_count, where, problems)
            cell = pattern_to_cell(pattern)
            if cell in seen:
                problems.append(f"{where}: given twice")
                continue
            seen.add(cell)
            order.append(cell)
            if cell == 0:
                if count:
                    problems.append(f"{where}: people on no list cannot be observed; leave that row out")
                continue
            if not problems:
                counts[cell] = count
        if not problems and counts.sum() == 0:
            problems.append("nobody is recorded on any list")
        if problems:
            raise InvalidCaptureTable(problems, source)
        return cls(tuple(names), counts, tuple(order))

    @classmethod
    def from_counts(cls, list_names: Sequence[str], counts: Sequence[int] | np.ndarray) -> CaptureTable:
        """Build from a full vector of 2**K cell counts indexed by bit mask (cell 0 must be 0)."""
        names = [str(name) for name in list_names]
        vector = np.asarray(counts)
        problems = _check_names(names)
        if vector.shape != (1 << len(names),):
            problems.append(f"counts: expected {1 << len(names)} cells for {len(names)} lists, got {vector.shape}")
        elif np.any(vector < 0) or np.any(vector != np.round(vector)):
            problems.append("counts: every count must be a whole number of people, 0 or more")
        elif vector[0] != 0:
            problems.append("counts: the cell for people on no list must be 0")
        if problems:
            raise InvalidCaptureTable(problems)
        return cls(tuple(names), vector.astype(np.int64))

    # ---- views --------------------------------------------------------------------------

    @property
    def n_lists(self) -> int:
        return len(self.list_names)

    @property
    def n_cells(self) -> int:
        """Number of observable cells (every combination of lists except none)."""
        return (1 << self.n_lists) - 1

    @property
    def observed(self) -> int:
        """Number of distinct people seen on at least one list."""
        return int(self.counts.sum())

    def count(self, pattern: Sequence[int] | str) -> int:
        bits = [int(c) for c in pattern] if isinstance(pattern, str) else list(pattern)
        return int(self.counts[pattern_to_cell(bits)])

    def nonzero_cells(self) -> np.ndarray:
        return np.flatnonzero(self.counts)

    def records(self, *, include_zero: bool = False) -> list[tuple[tuple[int, ...], int]]:
        """(pattern, count) for every observed pattern, ordered by number of lists then pattern."""
        cells = range(1, 1 << self.n_lists) if include_zero else self.nonzero_cells()
        ordered = sorted(cells, key=lambda c: (bin(c).count("1"), cell_to_pattern(c, self.n_lists)[::-1]))
        return [(cell_to_pattern(c, self.n_lists), int(self.counts[c])) for c in ordered]

    def list_sizes(self) -> dict[str, int]:
        """How many people each list holds (whatever other lists they are on)."""
        cells = np.arange(self.counts.size)
        return {
            name: int(self.counts[(cells >> i) & 1 == 1].sum()) for i, name in enumerate(self.list_names)
        }

    def overlap(self, first: int, second: int) -> int:
        """People on both lists `first` and `second` (0-based), whatever else they are on."""
        cells = np.arange(self.counts.size)
        both = ((cells >> first) & 1) & ((cells >> second) & 1)
        return int(self.counts[both == 1].sum())

    def times_seen(self) -> np.ndarray:
        """f[k] = people seen on exactly k lists, k = 0..K (f[0] is 0)."""
        sizes = np.array([bin(c).count("1") for c in range(self.counts.size)])
        return np.bincount(sizes, weights=self.counts, minlength=self.n_lists + 1).astype(np.int64)

    def with_counts(self, counts: np.ndarray) -> CaptureTable:
        return CaptureTable(self.list_names, counts, self.source_order)

    def select_lists(self, indices: Sequence[int]) -> CaptureTable:
        """The table restricted to some lists: people on none of them become unobserved."""
        new = np.zeros(1 << len(indices), dtype=np.int64)
        for cell in self.nonzero_cells():
            new[sum(1 << j for j, i in enumerate(indices) if (cell >> i) & 1)] += self.counts[cell]
        new[0] = 0
        return CaptureTable(tuple(self.list_names[i] for i in indices), new)

    def to_csv(self, path: str | Path) -> None:
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([*self.list_names, "count"])
            for pattern, count in self.records():
                writer.writerow([*pattern, count])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CaptureTable):
            return NotImplemented
        return self.list_names == other.list_names and np.array_equal(self.counts, other.counts)

    def __hash__(self) -> int:
        return hash((self.list_names, self.counts.tobytes()))

    def __repr__(self) -> str:
        return f"CaptureTable(lists={list(self.list_names)}, observed={self.observed})"


def _check_names(names: list[str]) -> list[str]:
    problems = []
    if len(names) < 2:
        problems.append(f"at least 2 lists are needed, got {len(names)}")
    if len(names) > MAX_LISTS:
        problems.append(f"at most {MAX_LISTS} lists are supported, got {len(names)}")
    if any(not name for name in names):
        problems.append("every list needs a name")
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        problems.append(f"list names must differ; repeated: {', '.join(duplicated)}")
    return problems


def _parse_membership(value: str, where: str, problems: list[str]) -> int:
    text = value.strip()
    if text not in ("0", "1"):
        problems.append(f"{where}: list membership must be 0 or 1, got {text!r}")
        return 0
    return int(text)


def _parse_count(value: object, where: str, problems: list[str]) -> int:
    try:
        number = float(str(value).strip())
    except ValueError:
        problems.append(f"{where}: the count must be a whole number, got {value!r}")
        return 0
    if not math.isfinite(number) or number < 0 or number != int(number):
        problems.append(f"{where}: the count must be a whole number of people, 0 or more, got {value!r}")
        return 0
    return int(number)
