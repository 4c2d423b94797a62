"""`redzone review`: list the facts proposed from a source's text, and accept or reject them by number
(the same service the web review page calls; every decision is audited)."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import app, console, state


@app.command("review")
def review_command(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="The source's code, e.g. SRC-7K3D9Q."),
    accept_numbers: Optional[list[int]] = typer.Option(None, "--accept", help="Accept proposal N (repeatable)."),
    reject_numbers: Optional[list[int]] = typer.Option(None, "--reject", help="Reject proposal N (repeatable)."),
    reason: str = typer.Option("not_an_act", "--reason",
                               help="Why the rejected proposals are wrong: not_an_act, negated, hypothetical, "
                                    "wrong_type, wrong_span, duplicate, not_relevant or other."),
) -> None:
    """Show the facts proposed for a source; with --accept/--reject, record those decisions first."""
    from redzone.extract.review import accept, propose, reject
    from redzone.records.entry import Context
    from redzone.records.users import actor_for

    cli = state(ctx)
    decided = []
    with cli.open() as ws:
        if accept_numbers or reject_numbers:
            with ws.store.session() as session:
                review = Context(session, ws.keys, actor_for(session, cli.user))
                for number in accept_numbers or []:
                    decided.append({"number": number, "decision": "accepted",
                                    "record": accept(review, source, str(number))})
                for number in reject_numbers or []:
                    reject(review, source, str(number), reason)
                    decided.append({"number": number, "decision": "rejected", "reason": reason})
        with ws.store.session() as session:
            proposals = [p.to_dict() for p in propose(session, ws.keys, actor_for(session, cli.user), source)]
    if cli.json:
        cli.emit({"source": source, "decided": decided, "proposals": proposals})
        return
    for row in decided:
        console.print(f"proposal {row['number']}: {row['decision']}" + (f" → {row['record']}" if row.get("record") else ""))
    table = Table(title=f"Facts proposed for {source}")
    for column in ("#", "status", "type", "span", "text", "value", "record"):
        table.add_column(column)
    hidden = {"id", "number", "type", "start", "end", "text", "confidence", "status", "record", "context", "sensitive",
              "lat", "lon"}
    numbers = {p["id"]: p["number"] for p in proposals}
    for p in proposals:
        shown = "(person: sensitive)" if p["type"] == "person" and not cli.verbose else p["text"]
        value = ", ".join(f"{k}={v}" for k, v in p.items() if k not in hidden)
        context = p["context"]
        used = [context.get("place"), context.get("date"), context.get("money"), *context.get("perpetrators", [])]
        if any(used):  # what accepting this act takes with it
            value += "; with " + ", ".join(f"#{numbers[u]}" for u in used if u in numbers)
        table.add_row(str(p["number"]), p["status"], p["type"], f"{p['start']}–{p['end']}", shown, value,
                      p["record"] or "")
    console.print(table)
