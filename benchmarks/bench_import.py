"""Import throughput: a 100,000-row CSV of persons (synthetic; names sealed on the way in) imported by
`redzone import` on both backends, beside a naive baseline measured in the same run — pandas
`read_csv` + `to_sql` into the same database, with no validation, no sealing, no refs, no audit.

Each measurement runs in a subprocess of its own, so that its peak memory is its own (VmHWM: Linux
keeps ru_maxrss across exec, so a child of a large parent would report the parent's peak);
a 20,000-row file is imported too, to show that peak memory does not grow with the file.

    python -m benchmarks --only import
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import discard_workspace

POSTGRES_URL = os.environ.get("REDZONE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSPHRASE = "benchmark passphrase (synthetic data)"
# Key derivation is not what is measured here: cheap costs keep the set-up short.
FAST_KDF = {"time_cost": 1, "memory_cost_kib": 8 * 1024, "parallelism": 1}
ROWS = 100_000
SMALL = 20_000
TARGET = 20_000  # validated rows/s on SQLite


def write_persons(path: Path, rows: int, seed: int = 1) -> None:
    """A synthetic partner file: analysable columns and sealed names, every value made up."""
    from redzone.vocab import load_vocabulary

    places = [p for p in load_vocabulary().places if p.startswith("kp.")]
    rng = random.Random(seed)
    family = ["Kim", "Ri", "Pak", "Choe", "Jong", "Kang", "Jo", "Yun", "Jang", "Han"]
    given = ["Mi-ok", "Yong-hui", "Sun-hui", "Kyong-ae", "Chun-hwa", "Hye-jin", "Ok-sun", "Myong-suk"]
    hangul = ["김", "리", "박", "최", "정", "강", "조", "윤"]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["ref", "organisation", "sex", "birth_year_min", "birth_year_max", "origin_place",
                         "crossing_year", "legal_name", "hangul_name", "aliases"])
        for index in range(rows):
            born = rng.randint(1960, 2008)
            writer.writerow([f"P-{index:07d}", "bench-partner", rng.choice(("female", "female", "female", "male")),
                             born, born + rng.randint(0, 2), rng.choice(places),
                             rng.choice(("", str(min(2024, born + rng.randint(14, 30))))),
                             f"{rng.choice(family)} {rng.choice(given)} (synthetic {index})",
                             rng.choice(hangul) + "가명", f"alias-{index}"])


def _workspace(folder: Path, backend: str):  # noqa: ANN202
    from redzone.records.users import SYSTEM, create_user
    from redzone.workspace import Workspace

    ws = Workspace.create(folder / "ws", PASSPHRASE, database_url=POSTGRES_URL if backend == "postgresql" else None,
                          kdf_costs=FAST_KDF)
    with ws.store.session() as session:
        # An interviewer: the file carries identities, which a new person gets only from a role that may
        # record them (a documentation officer may not).
        create_user(session, ws.keys, SYSTEM, "interviewer", "interviewer")
    return ws


def child(mode: str, backend: str, file: str) -> dict:
    """One measurement, in this (sub)process: `redzone` import or the pandas baseline."""
    from redzone.records.users import actor_for

    folder = Path(tempfile.mkdtemp(prefix=f"redzone-bench-import-{backend}-"))
    ws = _workspace(folder, backend)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        if mode == "redzone":
            from redzone.exchange import import_file

            with ws.store.session() as session:
                interviewer = actor_for(session, "interviewer")
            report = import_file(ws, interviewer, file, record_type="persons", organisation="bench-partner")
            rows = report.counts["persons"]["created"]
        else:
            import pandas

            rows = 0
            for chunk in pandas.read_csv(file, chunksize=10_000, dtype=str, keep_default_na=False):
                chunk.to_sql("naive_person", ws.store.engine, if_exists="append", index=False)
                rows += len(chunk)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        discard_workspace(ws, folder)
    return {"rows": rows, "seconds": wall, "cpu_seconds": cpu,
            "peak_mib": peak_mib()}


def peak_mib() -> float:
    """This process's own peak resident set since its exec (VmHWM), in MiB; ru_maxrss where there is no
    /proc (it then may include the parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(mode: str, backend: str, file: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_import", mode, backend, str(file)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} on {backend} failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="redzone-bench-import-"))
    rows: list[dict] = []
    try:
        big, small = folder / "persons.csv", folder / "persons-small.csv"
        write_persons(big, ROWS)
        write_persons(small, SMALL, seed=2)
        size = big.stat().st_size / 1024 / 1024
        for backend in ("sqlite", "postgresql"):
            # The machine's load beside the figures: on a shared machine it moves them more than any change.
            load = os.getloadavg()[0]
            ours = _measure("redzone", backend, big)
            naive = _measure("pandas", backend, big)
            smaller = _measure("redzone", backend, small)
            load = max(load, os.getloadavg()[0])
            rate = ours["rows"] / ours["seconds"]
            target = f"; target ≥ {TARGET:,}/s" if backend == "sqlite" else ""
            rows.append({"name": f"import {ROWS:,}-row CSV (validated, sealed, audited), {backend}",
                         "value": rate, "unit": "rows/s",
                         "note": f"{ours['seconds']:.1f} s wall, {ours['cpu_seconds']:.1f} s CPU "
                                 f"({ours['rows'] / ours['cpu_seconds']:,.0f} rows per CPU-second); "
                                 f"{size:.1f} MiB file{target}; load average up to {load:.1f} "
                                 f"on {os.cpu_count()} CPUs"})
            rows.append({"name": f"naive baseline: pandas read_csv + to_sql, no validation, {backend}",
                         "value": naive["rows"] / naive["seconds"], "unit": "rows/s",
                         "note": f"{naive['seconds']:.1f} s wall, {naive['cpu_seconds']:.1f} s CPU; same file, same "
                                 f"database; Redzone reaches {rate / (naive['rows'] / naive['seconds']):.0%} of it"})
            rows.append({"name": f"import peak memory, {backend}", "value": ours["peak_mib"], "unit": "MiB",
                         "note": f"peak resident set (VmHWM) of the importing process: {ours['peak_mib']:.0f} MiB for {ROWS:,} rows, "
                                 f"{smaller['peak_mib']:.0f} MiB for {SMALL:,}; the Python heap stays flat, "
                                 f"{'the SQLCipher page cache fills up to its limit (PRAGMA cache_size); ' if backend == 'sqlite' else ''}"
                                 f"pandas baseline {naive['peak_mib']:.0f} MiB"})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


if __name__ == "__main__":
    print(json.dumps(child(*sys.argv[1:4])))
