"""Run the benchmarks and write docs/benchmarks.md with the machine and the date.

    python -m benchmarks [--only core,estimate] [--acts 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import subprocess
import sys
from pathlib import Path

SUITES = tuple(sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py")))
OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip() or "psql not found"
    return (f"{platform.node()}: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {postgres}")


def _existing_sections() -> dict[str, str]:
    """Sections of the current docs/benchmarks.md, so a partial run (--only) keeps the others."""
    if not OUTPUT.exists():
        return {}
    sections: dict[str, str] = {}
    for chunk in OUTPUT.read_text(encoding="utf-8").split("\n## ")[1:]:
        name = chunk.split("\n", 1)[0].strip()
        sections[name] = "## " + chunk
    return sections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=",".join(SUITES))
    parser.add_argument("--acts", type=int, default=1_000_000)
    args = parser.parse_args()
    sections = []
    for suite in args.only.split(","):
        module = importlib.import_module(f"benchmarks.bench_{suite}")
        print(f"== {suite}", file=sys.stderr, flush=True)
        rows = module.run(acts=args.acts) if suite == "core" else module.run()  # each bench_<suite>.run() returns rows
        sections.append((suite, rows))
    kept = {name: text for name, text in _existing_sections().items() if name not in {s for s, _ in sections}}
    lines = ["# Benchmarks", "", "Written by `make bench` (`python -m benchmarks`); each section says when and where it was measured.", ""]
    for name, text in kept.items():
        lines += [text.rstrip(), ""]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    stamp = (f"Measured {dt.date.today().isoformat()} on {machine()}; load average at the end of the run "
             f"{load} (above the core count means other work shared the machine and slowed these figures).")
    for suite, rows in sections:
        lines += [f"## {suite}", "", stamp, "", "| measure | value | unit | note |", "|---|---:|---|---|"]
        for row in rows:
            value = row["value"]
            shown = f"{value:,.3f}" if isinstance(value, float) and value < 100 else (
                f"{value:,.0f}" if isinstance(value, (int, float)) else str(value))
            lines.append(f"| {row['name']} | {shown} | {row.get('unit', '')} | {row.get('note', '')} |")
        lines.append("")
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
