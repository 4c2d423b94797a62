"""`redzone estimate`: multiple systems estimation from a capture-history CSV or from the linked lists of
the workspace (whole or by stratum), one method or several side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.errors import ConfigurationError
from redzone.estimate.names import METHODS

STRATA_HELP = "With --from-workspace: one estimate per province, year (of crossing), crossing_period or birth_decade."


@app.command()
def estimate(
    ctx: typer.Context,
    csv_path: Optional[Path] = typer.Argument(None, exists=True, dir_okay=False, metavar="[CSV]",
                                              help="Capture histories: columns list1..listK,count."),
    from_workspace: bool = typer.Option(False, "--from-workspace",
                                        help="Use the workspace's linked lists (one list per organisation)."),
    stratify: Optional[str] = typer.Option(None, "--stratify", help=STRATA_HELP),
    role: str = typer.Option("victim", help="With --from-workspace: which person records (victim, witness…)."),
    method: Optional[list[str]] = typer.Option(None, "--method",
                                               help=f"One of: {', '.join(METHODS)}; repeat to compare methods "
                                                    "[default: bic; from a workspace: bic, stepwise, chao]."),
    max_order: Optional[int] = typer.Option(None, "--max-order", help="bic, aic: highest interaction order searched."),
    p_threshold: Optional[float] = typer.Option(None, "--p-threshold",
                                                help="stepwise: add an interaction while p < this [default: 0.02]."),
    bootstrap: Optional[int] = typer.Option(None, "--bootstrap", min=0,
                                            help="bic, aic, stepwise: BCa bootstrap replicates [default: 0, none]."),
    lists: Optional[tuple[str, str]] = typer.Option(None, "--lists", metavar="A B",
                                                    help="lincoln-petersen on a CSV of 3+ lists: the two lists to use, "
                                                         "by name or number (1 = the first)."),
    seed: Optional[int] = typer.Option(None, help="Random seed, for a repeatable interval."),
    resampler: str = typer.Option("numpy", help="Bootstrap random stream: numpy, or r (R's, as the published packages)."),
    details: bool = typer.Option(False, "--details", help="With --json: include candidate models and diagnostics."),
) -> None:
    """Estimate the total number of victims, documented or not, from overlapping lists.

    With a CSV and one method, --json prints one object: method, observed, estimate, interval, model,
    warnings. With several methods, or --from-workspace, it prints a list of such objects (from a
    workspace each also names its stratum and lists; a method the data cannot support has estimate null
    and says why in its warnings). An option given for a method that does not use it is an error; with
    several methods it goes to those that use it.
    """
    cli = state(ctx)
    if (csv_path is None) == (not from_workspace):
        raise ConfigurationError("estimate: give either a capture-history CSV or --from-workspace, not both or neither")
    if stratify is not None and not from_workspace:
        raise ConfigurationError("--stratify: applies with --from-workspace only (a CSV holds one table)")
    given = {option: value for option, value in (("--max-order", max_order), ("--p-threshold", p_threshold),
                                                  ("--bootstrap", bootstrap), ("--lists", lists)) if value is not None}
    if from_workspace:
        if lists is not None:
            raise ConfigurationError("--lists: applies to a CSV only; from a workspace lincoln-petersen uses the "
                                     "two largest lists")
        from redzone.estimate.workspace import DEFAULT_METHODS

        _settings_for(method or list(DEFAULT_METHODS), given)
        _from_workspace(cli, method, stratify, role, max_order, p_threshold, bootstrap, seed, details)
        return
    from redzone.estimate import CaptureTable, EstimationError, estimate as run_estimate

    table = CaptureTable.from_csv(csv_path)
    methods = method or ["bic"]
    if lists is not None:
        given["--lists"] = _list_names(table, lists)
    settings = _settings_for(methods, given)
    rows, results = [], []
    for name in methods:
        try:
            if name == "lincoln-petersen" and table.n_lists > 2 and "lists" not in settings[name]:
                raise ConfigurationError(
                    f"--lists: this table has {table.n_lists} lists ({', '.join(table.list_names)}); name the two "
                    f"for lincoln-petersen, e.g. --lists {table.list_names[0]} {table.list_names[1]} or --lists 1 2"
                )
            result = run_estimate(table, name, seed=seed, resampler=resampler, **settings[name])
        except (EstimationError, ConfigurationError) as error:
            if len(methods) == 1:
                raise
            rows.append({"method": name, "observed": table.observed, "estimate": None, "interval": None, "model": [],
                         "warnings": [f"No estimate: {error}"]})
            continue
        results.append(result)
        rows.append(result.to_dict(details=details))
    if cli.json:
        cli.emit(rows[0] if len(methods) == 1 else rows)
        return
    if len(methods) == 1:
        _print_one(csv_path.name, results[0])
    else:
        _print_rows(f"Multiple systems estimation: {csv_path.name}", rows)


# Which methods use each option, and the setting of `estimate` it becomes.
OPTION_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "--max-order": ("max_order", ("bic", "aic")),
    "--p-threshold": ("p_threshold", ("stepwise",)),
    "--bootstrap": ("n_boot", ("bic", "aic", "stepwise")),
    "--lists": ("lists", ("lincoln-petersen",)),
}


def _settings_for(methods: list[str], given: dict[str, object]) -> dict[str, dict[str, object]]:
    """The settings each method receives: with one method every option given (so `estimate` refuses one that
    does not apply), with several each option goes to the methods that use it; an option none of them uses
    is refused here."""
    settings: dict[str, dict[str, object]] = {name: {} for name in methods}
    for option, value in given.items():
        setting, users = OPTION_METHODS[option]
        takers = [name for name in methods if name in users]
        if not takers:
            asked = ", ".join(methods)
            raise ConfigurationError(f"{option}: applies to {', '.join(users)} only, not to {asked}")
        for name in (methods if len(methods) == 1 else takers):
            settings[name][setting] = value
    return settings


def _list_names(table, items: tuple[str, str]) -> list[str]:  # noqa: ANN001
    """--lists A B: each a list name of the CSV's header or its number counting from 1."""
    names = []
    for item in items:
        if item in table.list_names:
            names.append(item)
        elif item.isdigit() and 1 <= int(item) <= table.n_lists:
            names.append(table.list_names[int(item) - 1])
        else:
            raise ConfigurationError(f"--lists: {item!r} is neither a list of this table "
                                     f"({', '.join(table.list_names)}) nor a list number from 1 to {table.n_lists}")
    if names[0] == names[1]:
        raise ConfigurationError(f"--lists: name two different lists, got {names[0]!r} twice")
    return names


def _from_workspace(cli, methods, stratify, role, max_order, p_threshold, bootstrap, seed, details) -> None:  # noqa: ANN001
    from redzone.estimate import estimate_workspace
    from redzone.records.users import actor_for

    optional = {"p_threshold": p_threshold} if p_threshold is not None else {}
    with cli.open() as ws:
        with ws.store.session() as session:
            strata = estimate_workspace(session, actor_for(session, cli.user), methods=methods or None,
                                        stratify=stratify, person_role=role, max_order=max_order,
                                        n_boot=bootstrap or 0, seed=seed, **optional)
    rows = [row for stratum in strata for row in stratum.rows(details=details)]
    if cli.json:
        cli.emit(rows)
        return
    title = "Multiple systems estimation from the linked lists" + (f", by {stratify}" if stratify else "")
    _print_rows(title, rows, stratified=stratify is not None)


def _interval(interval) -> str:  # noqa: ANN001
    return "—" if interval is None else f"{interval[0]:,.0f} – {interval[1]:,.0f}"


def _print_one(name: str, result) -> None:  # noqa: ANN001
    view = Table(title=f"Multiple systems estimation: {name}", show_header=False)
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


def _print_rows(title: str, rows: list[dict], stratified: bool = False) -> None:
    view = Table(title=title)
    for column in (["stratum"] if stratified else []) + ["method", "observed", "estimate", "interval", "model"]:
        view.add_column(column, justify="right" if column in ("observed", "estimate") else "left")
    for row in rows:
        estimate_text = "—" if row["estimate"] is None else f"{row['estimate']:,.0f}"
        loglinear = row["method"] in ("bic", "aic", "stepwise") and row["estimate"] is not None
        cells = [row["method"], f"{row['observed']:,}", estimate_text, _interval(row["interval"]),
                 ", ".join(row["model"]) or ("main effects only" if loglinear else "")]
        view.add_row(*([str(row.get("stratum"))] if stratified else []), *cells)
    console.print(view)
    seen: set[tuple[object, str]] = set()  # a warning shared by several methods is printed once
    for row in rows:
        prefix = f"{row['stratum']}, {row['method']}" if stratified else row["method"]
        for warning in row["warnings"]:
            if (row.get("stratum"), warning) not in seen:
                seen.add((row.get("stratum"), warning))
                console.print(f"[yellow]warning ({prefix}):[/] {warning}")
