"""The same linkage model on Spark (pyspark in local mode) as on DuckDB: same blocking, same comparison
levels pair by pair, and the same verdicts on a small synthetic set (all records fictional)."""

import shutil

import pytest

from redzone.link import LinkSettings, open_backend, score, spark_available
from redzone.link.evaluate import pair_scores
from redzone.link.features import comparison_frame
from redzone.link.synthetic import synthetic_records

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available() or shutil.which("java") is None,
                       reason="the spark backend needs pyspark and a Java runtime"),
]


def test_spark_scores_like_duckdb(monkeypatch):
    """Trained once (DuckDB, fast), the model scores the same records on both engines: Spark must block
    alike, reach the same level on every comparison of every pair, and give the same probabilities.
    (Training on Spark runs the same Splink calls; it takes minutes even on a small set, so the test
    scores with the trained parameters, as a user scoring a large set on a cluster would.)"""
    monkeypatch.setenv("REDZONE_SPARK_PARTITIONS", "2")  # a small set: fewer partitions, less fixed cost
    data = synthetic_records(400, seed=3)
    frame = comparison_frame(data.records)
    truth = dict(enumerate(data.truth, start=1))
    settings = LinkSettings()
    with open_backend("duckdb") as api:
        duck = score(frame, settings, api)
    with open_backend("spark") as api:
        spark = score(frame, settings.with_changes(backend="spark"), api, parameters=duck.parameters)
    assert spark.blocking == duck.blocking
    assert spark.model.to_dict() == duck.model.to_dict()
    key = ["person_a", "person_b"]
    both = duck.pairs.merge(spark.pairs, on=key, how="outer", suffixes=("_duck", "_spark"), indicator=True)
    assert (both["_merge"] == "both").all(), "the engines scored different pairs"
    for name in ("surname", "given_name", "birth_year", "origin", "crossing_year", "sex"):
        assert (both[f"gamma_{name}_duck"] == both[f"gamma_{name}_spark"]).all(), name
    assert (both["match_probability_duck"] - both["match_probability_spark"]).abs().max() < 1e-6
    linked = spark.pairs[spark.pairs.match_probability >= settings.threshold]
    assert pair_scores(zip(linked.person_a, linked.person_b), truth).f1 >= 0.9
