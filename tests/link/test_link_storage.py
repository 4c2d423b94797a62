"""Storing a linkage run's results at scale: tens of thousands of scored pairs written in one bulk
write (COPY on PostgreSQL, one prepared executemany on SQLite), every value as scored, and clusters
that are the connected components of the linked pairs."""

import itertools

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from support import BACKENDS, discard, make_workspace
from redzone.demo import generate_world
from redzone.demo.persist import load_world
from redzone.link import engine
from redzone.link.clusters import connected_components
from redzone.link.pairs import refresh_clusters, store_pairs
from redzone.records.models import LinkPair, LinkRun, Person, PersonCluster, utcnow

PAIRS = 25_001  # more than the 10,000 rows the earlier version wrote per statement, twice over


@pytest.fixture(scope="module", params=BACKENDS)
def ws(request, tmp_path_factory):
    workspace = make_workspace(tmp_path_factory.mktemp("link-storage") / "ws", request.param)
    load_world(workspace, generate_world(5, 2000))
    try:
        yield workspace
    finally:
        discard(workspace)


def _scored_pairs(ids: list[int]) -> pd.DataFrame:
    """Pairs as the engine returns them (person_a < person_b, weights, levels), with random scores."""
    random = np.random.default_rng(3)
    ends = list(itertools.islice(itertools.combinations(sorted(ids), 2), PAIRS))
    probability = random.uniform(0.0, 1.0, len(ends)) ** 8  # mostly unlinked, as real runs are
    frame = pd.DataFrame({"person_a": [a for a, _ in ends], "person_b": [b for _, b in ends],
                          "match_weight": np.log2(probability / (1 - probability + 1e-12)),
                          "match_probability": probability})
    for name in engine.comparison_names():
        frame[f"gamma_{name}"] = random.integers(-1, 4, len(ends))
        frame[f"mw_{name}"] = random.normal(0, 5, len(ends))
    return frame


def test_pairs_and_clusters_are_stored_in_bulk_and_as_scored(ws):
    with ws.store.session() as session:
        ids = session.scalars(sa.select(Person.id).where(Person.person_role == "victim")).all()
        assert len(ids) * (len(ids) - 1) // 2 >= PAIRS
        frame = _scored_pairs(ids)
        run = LinkRun(code="LNK-STORE1", person_role="victim", backend="duckdb", threshold=0.8, review_low=0.5,
                      review_high=0.95, model={}, summary={}, started_by="test", started_at=utcnow())
        session.add(run)
        session.flush()
        inserts = []

        def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
            if statement.lstrip().upper().startswith("INSERT"):
                inserts.append(statement.split("(")[0])

        engine_ = session.get_bind()
        sa.event.listen(engine_, "before_cursor_execute", count)
        try:
            store_pairs(session, run, frame, engine.comparison_names(), None)
            clusters = refresh_clusters(session, run)
        finally:
            sa.event.remove(engine_, "before_cursor_execute", count)
        # One statement for the pairs and one for the clusters at most (none on PostgreSQL: COPY);
        # the earlier version sent one per 10,000 rows on SQLite and one per 1,000 on PostgreSQL.
        assert len(inserts) <= 2, inserts
        stored = session.execute(sa.select(LinkPair.person_a_id, LinkPair.person_b_id, LinkPair.match_weight,
                                           LinkPair.match_probability, LinkPair.levels, LinkPair.origin,
                                           LinkPair.decision).where(LinkPair.run_id == run.id)
                                 .order_by(LinkPair.person_a_id, LinkPair.person_b_id)).all()
        assert len(stored) == PAIRS
        names = engine.comparison_names()
        expected = frame.sort_values(["person_a", "person_b"])
        assert [(r.person_a_id, r.person_b_id) for r in stored] == list(zip(expected.person_a, expected.person_b))
        assert np.allclose([r.match_weight for r in stored], expected.match_weight, rtol=1e-12, atol=0)
        assert np.allclose([r.match_probability for r in stored], expected.match_probability, rtol=1e-12, atol=0)
        levels = [{name: [int(g), round(float(w), 4)] for name, g, w in zip(names, gammas, weights)}
                  for gammas, weights in zip(expected[[f"gamma_{n}" for n in names]].to_numpy().tolist(),
                                             expected[[f"mw_{n}" for n in names]].to_numpy().tolist())]
        assert [r.levels for r in stored] == levels
        assert {(r.origin, r.decision) for r in stored} == {("model", None)}
        # Clusters: the connected components of the pairs at or above the threshold, named after their
        # member with the smallest id, for every victim record (singletons included).
        linked = frame[frame.match_probability >= run.threshold]
        heads = connected_components(ids, zip(linked.person_a, linked.person_b))
        codes = dict(session.execute(sa.select(Person.id, Person.code)).all())
        expected_clusters = {record: "CL-" + codes[head].removeprefix("RZ-") for record, head in heads.items()}
        assert clusters == expected_clusters
        assert dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code)
                                    .where(PersonCluster.run_id == run.id)).all()) == expected_clusters
        assert len(set(expected_clusters.values())) < len(ids)  # some records were joined
