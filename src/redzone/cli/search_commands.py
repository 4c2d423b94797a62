"""`redzone search`: full-text search over the records the acting user's role may see."""

from __future__ import annotations

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.records.users import actor_for
from redzone.search import search as run_search


@app.command()
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="Words in Korean, Chinese or English; every word must match."),
    limit: int = typer.Option(20, min=1, max=500, help="Hits to show."),
    offset: int = typer.Option(0, min=0, help="Hits to skip (for the next page)."),
) -> None:
    """Search sources, acts, claims and person codes; testimony text only for roles that may read it (audited)."""
    cli = state(ctx)
    with cli.open() as ws:
        with ws.store.session() as session:
            actor = actor_for(session, cli.user)
            hits = run_search(session, ws.keys, actor, query, limit=limit, offset=offset)
    if cli.json:
        cli.emit({"query_words": len(query.split()), "offset": offset, "hits": [hit.to_dict() for hit in hits]})
        return
    if not hits:
        console.print("No records match.")
        return
    table = Table(title=f"{len(hits)} hit{'s' if len(hits) != 1 else ''}")
    for column in ("kind", "code", "title", "matched in", "snippet"):
        table.add_column(column)
    for hit in hits:
        table.add_row(hit.kind, hit.code, hit.title, hit.matched, hit.snippet or "")
    console.print(table)
