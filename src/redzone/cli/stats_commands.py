"""`redzone stats`: aggregate counts with small-cell suppression, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import sys
from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import CliState, app, console, state
from redzone.stats import DIMENSIONS, statistics
from redzone.vocab import load_vocabulary
from redzone.workspace import Workspace

_LABEL_KIND = {"violation": "violation", "role": "role", "province": "place", "sex": "sexes"}


def _label(dimension: str, code: str, lang: str) -> str:
    kind = _LABEL_KIND.get(dimension)
    if kind is None or code == "unknown":
        return code
    try:
        return load_vocabulary().label(kind, code, lang)
    except Exception:  # a code the vocabulary no longer knows is shown as stored
        return code


def print_statistics(ws: Workspace, by: tuple[str, ...], unit: str, threshold: int, cli: CliState,
                     as_csv: bool = False, lang: str = "en") -> None:
    with ws.store.session() as session:
        table = statistics(session, by, unit=unit, threshold=threshold)
    rows = table.to_rows()
    if cli.json:
        cli.emit({"by": list(by), "count": unit, "threshold": threshold, "total": table.total,
                  "suppressed_cells": sum(1 for c in table.cells if c.suppressed), "rows": rows})
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=[*by, "count", "suppressed"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k) for k in [*by, "count", "suppressed"]})
        return
    view = Table(title=f"{unit.capitalize()} by {' × '.join(by)}",
                 caption=f"• suppressed: fewer than {threshold}, or would reveal one that is")
    for dimension in by:
        view.add_column(dimension)
    view.add_column("count", justify="right")
    for row in rows:
        count = "•" if row["suppressed"] else f"{row['count']:,}"
        view.add_row(*[_label(d, str(row[d]), lang) for d in by], count)
    view.add_row(*(["total"] + [""] * (len(by) - 1)), "•" if table.total is None else f"{table.total:,}", style="bold")
    console.print(view)


@app.command()
def stats(
    ctx: typer.Context,
    by: list[str] = typer.Option(["violation"], "--by", help=f"Dimension, once or twice: {', '.join(DIMENSIONS)}."),
    count: str = typer.Option("acts", "--count", help="Count 'acts' or distinct 'victims'."),
    threshold: Optional[int] = typer.Option(None, min=1, help="Suppress cells below this [default: workspace setting, 5]."),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV."),
    lang: str = typer.Option("en", help="Label language: en or ko."),
) -> None:
    """Counts by violation, province, year, perpetrator role…, with small cells suppressed."""
    cli = state(ctx)
    with cli.open() as ws:
        limit = threshold or ws.config.settings.suppression_threshold
        print_statistics(ws, tuple(by), count, limit, cli, as_csv=as_csv, lang=lang)
