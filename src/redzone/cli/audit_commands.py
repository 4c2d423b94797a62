"""`redzone audit`: verify the hash chain and read the trail."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.records.users import actor_for
from redzone.security import audit as audit_chain
from redzone.security.policy import require

audit_app = typer.Typer(help="Verify and read the append-only audit chain.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


DETAIL_WIDTH = 80


def _short_value(value: object) -> str:
    if isinstance(value, list):  # an import batch names up to 10,000 codes: show a few and the count
        shown = ",".join(str(item) for item in value[:3])
        return f"[{shown}{f',… {len(value):,} in all' if len(value) > 3 else ''}]"
    if isinstance(value, dict):
        return "{" + " ".join(f"{key}={_short_value(item)}" for key, item in value.items()) + "}"
    return str(value)


def short_detail(detail: object) -> str:
    """The entry's detail on one line of at most DETAIL_WIDTH characters (it holds field names, codes
    and counts, never a sealed value; `--json` gives it whole)."""
    if not isinstance(detail, dict) or not detail:
        return ""
    text = " ".join(f"{key}={_short_value(value)}" for key, value in detail.items())
    return text if len(text) <= DETAIL_WIDTH else text[:DETAIL_WIDTH - 1] + "…"


@audit_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Check every entry of the chain; name the first edited, deleted, inserted or reordered one."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        require(actor_for(session, cli.user), "audit.verify")
        report = audit_chain.verify(session, ws.keys.audit_key)
    if cli.json:
        cli.emit({"entries": report.entries, "intact": report.intact, "first_bad_id": report.first_bad_id,
                  "problem": report.problem})
    elif report.intact:
        console.print(f"audit chain intact: {report.entries:,} entries, head checkpoint matches")
    else:
        console.print(f"[red]audit chain broken[/]: {report.problem}")
    if not report.intact:
        raise typer.Exit(2)


@audit_app.command("log")
def log(
    ctx: typer.Context,
    person: Optional[str] = typer.Option(None, help="Only entries about this person code: its own, the import "
                                         "batches naming it, and those of its acts and sources."),
    user: Optional[str] = typer.Option(None, "--user", "--by", help="Only entries by this account (after the "
                                       "command: `redzone audit log --user NAME`)."),
    limit: int = typer.Option(50, min=1, help="Newest entries to show."),
) -> None:
    """Show the trail, newest first."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        require(actor_for(session, cli.user), "audit.view")
        entries = audit_chain.newest(session, person=person, actor=user, limit=limit)
        rows = [{"id": e.id, "at": e.at.isoformat(timespec="seconds"), "actor": e.actor, "action": e.action,
                 "record": f"{e.record_type}:{e.record_id}" if e.record_type else "", "detail": e.detail} for e in entries]
    if cli.json:
        cli.emit(rows)
        return
    table = Table(title="Audit log")
    for column in ("id", "at", "actor", "action", "record", "detail"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), row["at"], row["actor"], row["action"], row["record"], short_detail(row["detail"]))
    console.print(table)
