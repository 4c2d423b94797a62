"""Workspace commands: init, demo, status, and `run`, the main job of `make run`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.cli.stats_commands import print_statistics
from redzone.errors import WorkspaceError
from redzone.records.users import SYSTEM, create_user
from redzone.stats import summary
from redzone.workspace import CONFIG_NAME, Workspace


def _create(ctx: typer.Context, database_url: str | None, schema: str | None, demo: bool) -> Workspace:
    cli = state(ctx)
    ws = Workspace.create(cli.workspace, cli.passphrase(confirm=True), database_url=database_url, schema=schema, demo=demo)
    with ws.store.session() as session:
        create_user(session, ws.keys, SYSTEM, "owner", "administrator", display_name="Workspace owner")
    return ws


@app.command()
def init(
    ctx: typer.Context,
    database_url: Optional[str] = typer.Option(None, "--database-url", envvar="REDZONE_DATABASE_URL",
                                               help="PostgreSQL URL (no password in it); default: embedded SQLCipher file."),
    schema: Optional[str] = typer.Option(None, help="PostgreSQL schema for this workspace [default: a new random one]."),
) -> None:
    """Create a new encrypted workspace (and its `owner` administrator account)."""
    ws = _create(ctx, database_url, schema, demo=False)
    ws.close()
    console.print(f"Created workspace {ws.path} ({ws.config.backend}{', schema ' + ws.config.schema if ws.config.schema else ''}).")


def _generate(ws: Workspace, seed: int, acts: int) -> None:
    from redzone.demo import generate_world
    from redzone.demo.persist import load_world

    world = generate_world(seed=seed, acts=acts)
    columns = (TextColumn("[bold]synthetic demo[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("acts"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("demo", total=acts)
        report = load_world(ws, world, progress=lambda n: bar.advance(task, n))
    console.print(f"Generated a synthetic world (seed {seed}): {report.counts['acts']:,} acts, "
                  f"{report.counts['persons']:,} person records, {report.counts['sources']:,} sources "
                  f"in {report.seconds:.1f} s; true population {report.true_population:,}, "
                  f"documented {report.documented:,}.")


@app.command()
def demo(
    ctx: typer.Context,
    seed: int = typer.Option(1, help="Random seed: the same seed gives the same world."),
    acts: int = typer.Option(2000, min=1, help="About how many acts to generate."),
    database_url: Optional[str] = typer.Option(None, "--database-url", envvar="REDZONE_DATABASE_URL",
                                               help="Create the demo workspace on PostgreSQL instead."),
) -> None:
    """Fill a new workspace with a synthetic, clearly-marked demo world (persons, journeys, sources, acts)."""
    cli = state(ctx)
    if (cli.workspace / CONFIG_NAME).exists():
        ws = cli.open()
    else:
        ws = _create(ctx, database_url, None, demo=True)
    with ws:
        _generate(ws, seed, acts)


def print_summary(ws: Workspace) -> dict:
    with ws.store.session() as session:
        counts = summary(session)
    table = Table(title=f"Workspace {ws.path} ({ws.config.backend})", show_header=False)
    for name, value in counts.items():
        table.add_row(name, f"{value:,}")
    console.print(table)
    return counts


@app.command()
def status(ctx: typer.Context) -> None:
    """What the workspace holds."""
    cli = state(ctx)
    with cli.open() as ws:
        if cli.json:
            with ws.store.session() as session:
                cli.emit({"workspace": str(ws.path), "backend": ws.config.backend, "counts": summary(session)})
        else:
            print_summary(ws)


@app.command()
def run(
    ctx: typer.Context,
    seed: int = typer.Option(1, help="Seed for the demo world, if one is created."),
    acts: int = typer.Option(5000, min=1, help="Acts in the demo world, if one is created."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Then serve the web application (demo accounts printed)."),
    host: str = typer.Option("127.0.0.1", help="Address to serve on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to serve on."),
) -> None:
    """The main job: open the workspace (creating a synthetic demo one if none exists), print its
    summary and statistics, then serve the web application (unless --no-serve)."""
    cli = state(ctx)
    if not (cli.workspace / CONFIG_NAME).exists():
        if cli.workspace.exists() and any(Path(cli.workspace).iterdir()):
            raise WorkspaceError(f"{cli.workspace} exists but is not a workspace")
        console.print(f"No workspace at {cli.workspace}: creating a synthetic demo workspace.")
        ws = _create(ctx, None, None, demo=True)
        with ws:
            _generate(ws, seed, acts)
    with cli.open() as ws:
        print_summary(ws)
        for dimension in ("violation", "province", "year", "role"):
            print_statistics(ws, (dimension,), "acts", ws.config.settings.suppression_threshold, cli)
        if serve:
            from redzone.cli.web_commands import print_demo_accounts, serve_workspace

            if ws.config.demo:
                print_demo_accounts(ws)
            serve_workspace(ws, host, port)
