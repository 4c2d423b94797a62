"""The same linkage model on Spark (pyspark in local mode) as on DuckDB: same blocking, same comparison
levels pair by pair, the same verdicts on a small synthetic set, the same links when a whole run trains
on Spark, and nothing readable left on disk or in the current folder (all records fictional).

One Spark session serves the whole module (`spark_session()`): Java and the Spark context start once."""

import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from support import discard, make_workspace

from redzone.demo import generate_world
from redzone.demo.persist import load_world
from redzone.link import LinkSettings, open_backend, run_linkage, score, spark_available
from redzone.link.backends import spark_session
from redzone.link.evaluate import pair_scores
from redzone.link.features import comparison_frame
from redzone.link.synthetic import synthetic_records
from redzone.records.models import LinkPair, LinkRun
from redzone.records.users import SYSTEM, actor_for, create_user

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spark_available() or shutil.which("java") is None,
                       reason="the spark backend needs pyspark and a Java runtime"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The current folder while the module runs, from before Java starts (its working folder is fixed then)."""
    path = tmp_path_factory.mktemp("spark-cwd")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path)
        patch.setenv("REDZONE_SPARK_PARTITIONS", "2")  # a small set: fewer partitions, less fixed cost
        yield path


@pytest.fixture(scope="module")
def session(folder):
    with spark_session() as shared:
        yield shared


def test_a_failed_run_leaves_no_scratch_folder(folder, monkeypatch):
    """Before the shared session: a Spark that cannot start, and a run that fails inside the block, both
    leave no scratch folder behind."""
    scratch_folders = Path(tempfile.gettempdir()).glob
    before = set(scratch_folders("redzone-spark-*"))
    monkeypatch.setenv("REDZONE_SPARK_MASTER", "local[0]")  # Spark refuses to run on no threads
    with pytest.raises(Exception, match="threads"), open_backend("spark"):
        pass
    assert set(scratch_folders("redzone-spark-*")) <= before
    monkeypatch.delenv("REDZONE_SPARK_MASTER")
    with pytest.raises(RuntimeError, match="mid-run"), open_backend("spark") as api:
        scratch = Path(api.spark.conf.get("spark.local.dir"))
        api.spark.range(10).repartition(2).count()  # a shuffle: files in the scratch folder
        assert scratch.is_dir()
        raise RuntimeError("mid-run")
    assert not scratch.exists()
    assert set(scratch_folders("redzone-spark-*")) <= before


def test_spark_scores_like_duckdb_and_writes_nothing_readable(session):
    """Trained once (DuckDB), the model scores the same records on both engines: Spark must block alike,
    reach the same level on every comparison of every pair, and give the same probabilities. While the
    session is still open, no file in its scratch folder holds a name key in the clear."""
    data = synthetic_records(400, seed=3)
    frame = comparison_frame(data.records)
    truth = dict(enumerate(data.truth, start=1))
    settings = LinkSettings()
    with open_backend("duckdb") as api:
        duck = score(frame, settings, api)
    with open_backend("spark") as api:
        spark = score(frame, settings.with_changes(backend="spark"), api, parameters=duck.parameters)
        scratch = Path(api.spark.conf.get("spark.local.dir"))
        files = [path for path in scratch.rglob("*") if path.is_file()]
        keys = {key.encode() for column in ("surname_key", "given_key", "given_key_alt")
                for key in frame[column].dropna() if len(key) >= 6}
        assert files and len(keys) > 50
        clear = [path.name for path in files if any(key in path.read_bytes() for key in keys)]
        assert not clear, f"name keys in the clear in {clear[:5]}"
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


def test_a_run_trained_on_spark_links_like_duckdb(session, folder, tmp_path):
    """`redzone link --backend spark`'s path: run_linkage trains and scores on Spark. On the smallest demo
    world that still has links (seed 1, 100 acts: 16 victim records, 21 true pairs), its links are
    DuckDB's, and it leaves nothing in the current folder (Spark's default ./spark-warehouse)."""
    ws = make_workspace(tmp_path / "ws", "sqlite")
    try:
        load_world(ws, generate_world(1, 100))
        with ws.store.session() as db:
            create_user(db, ws.keys, SYSTEM, "analyst", "data_analyst")
        with ws.store.session() as db:
            actor = actor_for(db, "analyst")
        # One EM iteration a training rule: each is several Spark jobs (3 took 83 s of training against
        # 47 s for 1, under load); the two engines run the same settings.
        settings = LinkSettings(em_max_iterations=1)
        runs = {backend: run_linkage(ws, actor, settings.with_changes(backend=backend))
                for backend in ("duckdb", "spark")}
        with ws.store.session() as db:
            pairs = {backend: {(p.person_a_id, p.person_b_id): p.match_probability for p in db.scalars(
                sa.select(LinkPair).join(LinkRun).where(LinkRun.code == report.run))}
                for backend, report in runs.items()}
    finally:
        discard(ws)
    assert runs["spark"].warnings == runs["duckdb"].warnings == []
    assert runs["duckdb"].linked_pairs > 10
    assert pairs["spark"].keys() == pairs["duckdb"].keys()
    assert max(abs(pairs["spark"][k] - pairs["duckdb"][k]) for k in pairs["spark"]) < 1e-6
    assert (runs["spark"].linked_pairs, runs["spark"].individuals) == (runs["duckdb"].linked_pairs,
                                                                       runs["duckdb"].individuals)
    assert session.sparkContext._jvm.System.getProperty("user.dir") == str(folder)  # noqa: SLF001
    assert list(folder.iterdir()) == []
