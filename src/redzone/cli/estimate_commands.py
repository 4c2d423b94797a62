"""`redzone estimate`: multiple systems estimation from a capture-history CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.estimate import METHODS, CaptureTable, estimate as run_estimate


@app.command()
def estimate(
    ctx: typer.Context,
    csv_path: Path = typer.Argument(..., exists=True, dir_okay=False, metavar="CSV",
                                    help="Capture histories: columns list1..listK,count."),
    method: str = typer.Option("bic", help=f"One of: {', '.join(METHODS)}."),
    max_order: Optional[int] = typer.Option(None, "--max-order", help="Highest interaction order searched."),
    p_threshold: float = typer.Option(0.02, "--p-threshold", help="Stepwise: add an interaction while p < this."),
    bootstrap: int = typer.Option(0, "--bootstrap", min=0, help="BCa bootstrap replicates (0: none)."),
    seed: Optional[int] = typer.Option(None, help="Random seed, for a repeatable interval."),
    resampler: str = typer.Option("numpy", help="Bootstrap random stream: numpy, or r (R's, as the published packages)."),
    details: bool = typer.Option(False, "--details", help="With --json: include candidate models and diagnostics."),
) -> None:
    """Estimate the total number of victims, documented or not, from overlapping lists."""
    cli = state(ctx)
    table = CaptureTable.from_csv(csv_path)
    result = run_estimate(table, method, max_order=max_order, p_threshold=p_threshold, n_boot=bootstrap, seed=seed,
                          resampler=resampler)
    if cli.json:
        cli.emit(result.to_dict(details=details))
        return
    view = Table(title=f"Multiple systems estimation: {csv_path.name}", show_header=False)
    view.add_row("method", result.method)
    view.add_row("observed", f"{result.observed:,}")
    view.add_row("estimate", f"{result.estimate:,.0f}")
    interval = "none (run with --bootstrap N)" if result.interval is None else \
        f"{result.interval[0]:,.0f} – {result.interval[1]:,.0f} ({result.level:.0%})"
    view.add_row("interval", interval)
    view.add_row("model", ", ".join(result.model) or "main effects only")
    console.print(view)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
