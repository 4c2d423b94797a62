"""`redzone link`: run record linkage, work through the review queue, and undo what needs undoing —
for person records, or with `--incidents` for event records (incidents). Output is pseudonymous:
codes, match weights and comparison levels, never a name nor an event's free text."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.records.entry import Context
from redzone.records.users import actor_for

link_app = typer.Typer(help="Link person records across organisations; review and undo links.",
                       invoke_without_command=True)
app.add_typer(link_app, name="link")

ROLE_HELP = "Which person records to link: victim, witness or perpetrator."
INCIDENTS = typer.Option(False, "--incidents", help="Incident pairs (event records) instead of person pairs.")


@link_app.callback()
def link(
    ctx: typer.Context,
    backend: str = typer.Option("duckdb", help="SQL engine: duckdb (in memory) or spark (pyspark, local[2])."),
    threshold: float = typer.Option(0.8, help="Link pairs whose match probability is at least this."),
    review_band: tuple[float, float] = typer.Option((0.3, 0.8), "--review-band", metavar="LO HI",
                                                    help="Queue undecided pairs with probability in [LO, HI) for review."),
    role: str = typer.Option("victim", help=ROLE_HELP),
    seed: int = typer.Option(20240601, help="Seed for the random pairs that estimate u probabilities."),
    incidents: bool = typer.Option(False, "--incidents",
                                   help="Link event records into incidents instead of persons (run persons first)."),
) -> None:
    """Run the linkage (when no subcommand is given): train, score, store pairs, cluster."""
    if ctx.invoked_subcommand is not None:
        return
    from redzone.link import LinkSettings, run_linkage

    cli = state(ctx)
    settings = LinkSettings(backend=backend, threshold=threshold, review_low=review_band[0],
                            review_high=review_band[1], person_role=role, seed=seed).validate()
    if incidents:
        _link_incidents(cli, settings)
        return
    with cli.open() as ws:
        with ws.store.session() as session:
            actor = actor_for(session, cli.user)
        report = run_linkage(ws, actor, settings)
    if cli.json:
        cli.emit(report.to_dict())
        return
    table = Table(title=f"Linkage run {report.run} ({report.backend})", show_header=False)
    for label, value in (("records compared", report.records), ("pairs stored", report.pairs_stored),
                         ("pairs linked", report.linked_pairs), ("pairs to review", report.in_review),
                         ("individuals", report.individuals), ("records linked to another", report.linked_records),
                         ("decisions carried over", report.carried_decisions)):
        table.add_row(label, f"{value:,}")
    table.add_row("seconds", ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items()))
    if report.evaluation:
        e = report.evaluation
        table.add_row("against demo truth", f"precision {e['precision']:.3f}, recall {e['recall']:.3f}, F1 {e['f1']:.3f}")
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}")


def _link_incidents(cli, settings) -> None:  # noqa: ANN001
    from redzone.link.incidents import run_incident_linkage

    with cli.open() as ws:
        with ws.store.session() as session:
            actor = actor_for(session, cli.user)
        report = run_incident_linkage(ws, actor, settings)
    if cli.json:
        cli.emit(report)
        return
    table = Table(title=f"Incident linkage run {report['run']} ({report['backend']})", show_header=False)
    for label, key in (("event records compared", "events"), ("pairs stored", "pairs_stored"),
                       ("pairs linked", "pairs_linked"), ("pairs to review", "in_review"), ("incidents", "incidents"),
                       ("event records sharing an incident", "events_in_shared_incidents"),
                       ("decisions carried over", "carried_decisions")):
        table.add_row(label, f"{report[key]:,}")
    console.print(table)
    for warning in report["warnings"]:
        console.print(f"[yellow]warning:[/] {warning}")


PERSON_FIELDS = ("organisation", "cluster", "sex", "birth_year", "origin", "crossing_year")
EVENT_FIELDS = ("kind", "date", "place", "victim", "incident")


def _print_pair(view: dict) -> None:
    a, b = view["a"], view["b"]
    table = Table(title=f"Pair #{view['pair']} (run {view['run']})")
    table.add_column("")
    table.add_column(a["code"])
    table.add_column(b["code"])
    for field in (EVENT_FIELDS if "kind" in a else PERSON_FIELDS):
        table.add_row(field, str(a[field] if a[field] is not None else "—"), str(b[field] if b[field] is not None else "—"))
    console.print(table)
    steps = Table(title="Waterfall of evidence (match weights, log2 Bayes factors)")
    for column in ("comparison", "level", "weight", "cumulative"):
        steps.add_column(column, justify="right" if column in ("weight", "cumulative") else "left")
    for step in view["waterfall"]:
        steps.add_row(step["comparison"], step["level"], f"{step['weight']:+.2f}", f"{step['cumulative']:+.2f}")
    console.print(steps)
    state_text = "linked" if view["linked"] else "not linked"
    decided = f", {view['decision']} by {view['decided_by']}" if view["decision"] else ", undecided"
    console.print(f"match probability {view['match_probability']:.4f} (weight {view['match_weight']:+.2f}): "
                  f"{state_text}{decided}")


@link_app.command("review")
def review(
    ctx: typer.Context,
    next_pair: bool = typer.Option(False, "--next", help="Show the next pair to decide, with its waterfall."),
    limit: int = typer.Option(50, min=1, help="Pairs to list."),
    role: str = typer.Option("victim", help=ROLE_HELP),
    incidents: bool = INCIDENTS,
) -> None:
    """The review queue: undecided pairs in the review band, most uncertain first."""
    from redzone.link import incident_review_queue, review_queue

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        actor = actor_for(session, cli.user)
        size = 1 if next_pair else limit
        queue = incident_review_queue(session, actor, size) if incidents else review_queue(session, actor, role, size)
    if cli.json:
        cli.emit(queue[0] if next_pair and queue else queue)
        return
    if not queue:
        console.print("the review queue is empty")
        return
    if next_pair:
        _print_pair(queue[0])
        flag = " --incidents" if incidents else ""
        console.print(f"decide with `redzone link accept {queue[0]['pair']}{flag}` or "
                      f"`redzone link reject {queue[0]['pair']}{flag}`")
        return
    table = Table(title="Review queue")
    for column in ("pair", "record A", "record B", "probability", "linked"):
        table.add_column(column)
    for view in queue:
        table.add_row(f"#{view['pair']}", f"{view['a']['code']} ({view['a']['organisation']})",
                      f"{view['b']['code']} ({view['b']['organisation']})", f"{view['match_probability']:.3f}",
                      "yes" if view["linked"] else "no")
    console.print(table)


@link_app.command("show")
def show(ctx: typer.Context, pair: int = typer.Argument(..., help="Pair number, as the queue shows it."),
         incidents: bool = INCIDENTS) -> None:
    """One pair with the waterfall of evidence for and against a match."""
    from redzone.link import get_incident_pair, get_pair, incident_pair_view, pair_view, require_view

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        require_view(actor_for(session, cli.user))
        view = incident_pair_view(session, get_incident_pair(session, pair)) if incidents \
            else pair_view(session, get_pair(session, pair))
    if cli.json:
        cli.emit(view)
    else:
        _print_pair(view)


def _decide(ctx: typer.Context, verb: str, pair: int, note: str, incidents: bool) -> None:
    from redzone.link import decide, decide_incident

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        result = (decide_incident if incidents else decide)(Context(session, ws.keys, actor_for(session, cli.user)),
                                                            pair, verb, note)
    _report(cli, result)


def _report(cli, result: dict) -> None:  # noqa: ANN001
    if cli.json:
        cli.emit(result)
        return
    groups = "incidents" if result.get("records") == "incident" else "clusters"
    console.print(f"decision #{result['decision']} ({result['kind']}): pairs {', '.join(f'#{p}' for p in result['pairs']) or 'none'}; "
                  f"{groups} now {', '.join(result['clusters'])}. Undo with `redzone link undo {result['decision']}`.")


NOTE = typer.Option("", help="Why (kept in the decision log and, sealed, in the audit trail; in no export; "
                             "never put a name here).")


@link_app.command("accept")
def accept(ctx: typer.Context, pair: int = typer.Argument(..., help="Pair number."), note: str = NOTE,
           incidents: bool = INCIDENTS) -> None:
    """Link a pair: its two records are the same individual (or, with --incidents, the same incident)."""
    _decide(ctx, "accept", pair, note, incidents)


@link_app.command("reject")
def reject(ctx: typer.Context, pair: int = typer.Argument(..., help="Pair number."), note: str = NOTE,
           incidents: bool = INCIDENTS) -> None:
    """Unlink a pair: its two records are different individuals (or different incidents)."""
    _decide(ctx, "reject", pair, note, incidents)


@link_app.command("reopen")
def reopen(ctx: typer.Context, pair: int = typer.Argument(..., help="Pair number."), note: str = NOTE,
           incidents: bool = INCIDENTS) -> None:
    """Withdraw the decision on a pair: the model's verdict applies again."""
    _decide(ctx, "reopen", pair, note, incidents)


@link_app.command("merge")
def merge(
    ctx: typer.Context,
    code_a: str = typer.Argument(..., help="Code of one record: a person (RZ-…), or an event (EV-…) with --incidents."),
    code_b: str = typer.Argument(..., help="Code of the other record (RZ-…, or EV-… with --incidents)."),
    note: str = NOTE,
    incidents: bool = INCIDENTS,
) -> None:
    """Link two records the model did not pair: an accepted manual pair, undoable, kept by later runs.

    For a match the model missed (blocked out, or scored below the floor where pairs are stored): two
    person records of one woman, or with --incidents two event records of one incident."""
    from redzone.link import merge as merge_records
    from redzone.link import merge_incident

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        result = (merge_incident if incidents else merge_records)(
            Context(session, ws.keys, actor_for(session, cli.user)), code_a, code_b, note)
    _report(cli, result)


@link_app.command("split")
def split(
    ctx: typer.Context,
    cluster: str = typer.Argument(..., help="Cluster code, e.g. CL-7K3D9Q (an incident, IN-…, with --incidents)."),
    person: str = typer.Argument(..., help="Code of the record to take out of the cluster (RZ-…, or EV-…)."),
    note: str = NOTE,
    incidents: bool = INCIDENTS,
) -> None:
    """Take a record out of a cluster (rejects every link tying it to the other members)."""
    from redzone.link import split as split_record
    from redzone.link import split_incident

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        result = (split_incident if incidents else split_record)(
            Context(session, ws.keys, actor_for(session, cli.user)), cluster, person, note)
    _report(cli, result)


@link_app.command("undo")
def undo(ctx: typer.Context, decision: int = typer.Argument(..., help="Decision number."), note: str = NOTE) -> None:
    """Undo a decision (accept, reject, reopen, split or undo; on persons or incidents): restore the pair
    decisions it changed."""
    from redzone.link import undo as undo_decision

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        result = undo_decision(Context(session, ws.keys, actor_for(session, cli.user)), decision, note)
    _report(cli, result)


@link_app.command("decisions")
def decisions(ctx: typer.Context, limit: int = typer.Option(50, min=1), role: str = typer.Option("victim", help=ROLE_HELP),
              incidents: bool = INCIDENTS) -> None:
    """The decision log of the current run, newest first."""
    from redzone.link import decisions as decision_log

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        rows = decision_log(session, actor_for(session, cli.user), "incident" if incidents else role, limit)
    if cli.json:
        cli.emit(rows)
        return
    table = Table(title="Linkage decisions")
    for column in ("decision", "kind", "by", "at", "pairs", "undone by"):
        table.add_column(column)
    for row in rows:
        table.add_row(f"#{row['decision']}", row["kind"], row["actor"], row["at"][:19],
                      ", ".join(f"#{p}" for p in row["pairs"]), f"#{row['undone_by']}" if row["undone_by"] else "")
    console.print(table)


@link_app.command("clusters")
def clusters(
    ctx: typer.Context,
    min_size: int = typer.Option(2, "--min-size", min=1, help="Only clusters with at least this many records."),
    role: str = typer.Option("victim", help=ROLE_HELP),
    limit: Optional[int] = typer.Option(None, min=1, help="At most this many clusters."),
) -> None:
    """Linked individuals: each cluster's records and the organisations holding them."""
    from redzone.link import clusters as list_clusters

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        rows = list_clusters(session, actor_for(session, cli.user), role, min_size)[:limit]
    if cli.json:
        cli.emit(rows)
        return
    table = Table(title="Clusters")
    table.add_column("cluster")
    table.add_column("records")
    for row in rows:
        table.add_row(row["cluster"], ", ".join(f"{m['code']} ({m['organisation']})" for m in row["members"]))
    console.print(table)


@link_app.command("incidents")
def incidents_list(
    ctx: typer.Context,
    min_size: int = typer.Option(2, "--min-size", min=1, help="Only incidents with at least this many event records."),
    limit: int = typer.Option(50, min=1),
) -> None:
    """Incidents of the latest `redzone link --incidents` run: the event records reporting each one."""
    from redzone.link.incidents import incident_clusters

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        rows = incident_clusters(session, actor_for(session, cli.user), min_size)[:limit]
    if cli.json:
        cli.emit(rows)
        return
    table = Table(title="Incidents")
    table.add_column("incident")
    table.add_column("event records")
    for row in rows:
        table.add_row(row["incident"], ", ".join(row["events"]))
    console.print(table)
