"""Reading a CSV batch column by column (`RowParser.parse_batch`) gives what reading it row by row
(`RowParser.parse`) gives, or declines the batch; a clean batch is never declined."""

from hypothesis import given, settings
from hypothesis import strategies as st

from redzone.exchange.layout import LAYOUTS
from redzone.exchange.validation import RowParser
from redzone.vocab import load_vocabulary

VOCABULARY = load_vocabulary()

CELLS = st.one_of(
    st.text(max_size=12), st.sampled_from(RISKY := ["'=cmd", "''=x", "'plain", "=1;=2", "+1"]),
    st.integers(1890, 2030).map(str), st.just("x" * 1_500),
    st.sampled_from(["", " ", " female ", "Male", "1900", "19x0", "2019-02-30", "2019-05", "kp.north_hamgyong.musan",
                     "Yanji", "broker", "broker@group:G1", "B", "7", "E1", "E1;E1", "E1; E2", "@", ";", "a;b;a",
                     "S1@3-9", "trafficking.sale", "10000", "CNY", "ko", "interview", "victim"]))


def good_cells(column):
    """Cells a column reads without a problem, as partners write them (spaces, case, the formula escape)."""
    kind = column.kind
    if kind == "text":
        text = st.one_of(st.text(max_size=15), st.sampled_from(RISKY), st.sampled_from(["ko", " EN "]))
        return text.map(lambda value: value + ";" + value[:3]) if column.many else text
    if kind == "term":
        return st.sampled_from(list(VOCABULARY.lists[column.vocabulary])).map(lambda code: f" {code.upper()} ")
    if kind == "integer":
        return st.integers(max(column.minimum or 0, 1900), 2020).map(str)
    choices = {"ref": ["P1", "E-2", " x y ", "'=ref"], "code": ["RZ-AAAAAA", "org.a"], "organisation": ["org-a"],
               "place": ["kp.north_hamgyong.musan", "cn.jilin.yanbian.yanji"], "date": ["2019-05", "2001-02-03"],
               "violation": sorted(VOCABULARY.violations)[:3], "decimal": ["10000", "1.25", "0"],
               "refs": ["E1", "E1;E2", ""], "perpetrators": ["broker", "broker@group:G1;buyer"],
               "attestations": ["S1", "S1@3-9;S2"]}[kind]
    return st.sampled_from(choices)


def as_parsed(row):
    return (list(row.values.items()), row.problems, row.references, row.ref)


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(sorted(LAYOUTS)), data=st.data())
def test_a_batch_read_by_columns_is_what_rows_read_one_by_one_give(kind, data):
    layout = LAYOUTS[kind]
    names = data.draw(st.lists(st.sampled_from([*layout.names, "unknown"]), min_size=1, max_size=8, unique=True))
    # Mostly cells the column reads well, now and then any cell: clean batches, and a fault among them.
    row = st.tuples(*(st.one_of(good_cells(layout.column(name)), good_cells(layout.column(name)), CELLS)
                      if name in layout.names else CELLS for name in names))
    rows = data.draw(st.lists(row.map(list), min_size=1, max_size=6))
    spreadsheet = data.draw(st.booleans())
    by_rows = [RowParser(layout, spreadsheet).parse(dict(zip(names, cells))) for cells in rows]
    parser = RowParser(layout, spreadsheet)
    by_columns = parser.parse_batch(names, rows)
    clean = not any(row.problems for row in by_rows)
    if by_columns is None:
        # Declined: only when some row has a problem to name, or a list repeats an item.
        assert not clean or any(";" in cell for cells in rows for cell in cells)
        return
    assert [as_parsed(row) for row in by_columns] == [as_parsed(row) for row in by_rows]
    # Read again, from the cells the first batch left in the parser's memos: the same.
    assert [as_parsed(row) for row in parser.parse_batch(names, rows)] == [as_parsed(row) for row in by_rows]


def test_a_clean_batch_of_persons_is_read_by_columns():
    names = ["ref", "organisation", "sex", "birth_year_min", "birth_year_max", "origin_place", "crossing_year",
             "legal_name", "hangul_name", "aliases"]
    rows = [[f"P-{i}", "org-a", "female" if i % 2 else " Male", "1970", str(1970 + i % 3), "kp.north_hamgyong.musan",
             "" if i % 2 else "1999", f"Synthetic {i}", "김가명", f"alias-{i}; other {i}"] for i in range(50)]
    parsed = RowParser(LAYOUTS["persons"], spreadsheet=True).parse_batch(names, rows)
    assert parsed is not None and len(parsed) == 50
    assert parsed[1].values == {"ref": "P-1", "organisation": "org-a", "sex": "female", "birth_year_min": 1970,
                                "birth_year_max": 1971, "origin_place": "kp.north_hamgyong.musan",
                                "crossing_year": None, "legal_name": "Synthetic 1", "hangul_name": "김가명",
                                "aliases": ("alias-1", "other 1")}
    assert parsed[0].values["sex"] == "male" and parsed[0].values["crossing_year"] == 1999
    assert [row.ref for row in parsed] == [f"P-{i}" for i in range(50)]


def test_a_batch_with_a_fault_is_declined_and_named_row_by_row():
    parser = RowParser(LAYOUTS["persons"], spreadsheet=True)
    names = ["ref", "sex", "aliases", "birth_year_min"]
    clean = [["P1", "female", "Mi-ya", "1990"], ["P2", "male", "Jin; Mei", "1991"]]
    assert parser.parse_batch(names, clean) is not None
    for column, cell, problem in [(2, "Mi-ya;Mi-ya", "lists the same item twice"),
                                  (1, "femal", "'femal' is not in the vocabulary's sexes"),
                                  (3, "19x0", "'19x0' is not a whole number"), (0, "", "is required"),
                                  (0, "P;3", "'P;3' is not a usable ref")]:
        faulty = [list(cells) for cells in clean]
        faulty[1][column] = cell
        assert parser.parse_batch(names, faulty) is None
        assert parser.parse(dict(zip(names, faulty[1]))).problems[0][1].startswith(problem)
