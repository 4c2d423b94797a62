"""`redzone vocab`: print the controlled vocabulary and the gazetteer."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.vocab import load_vocabulary

SECTIONS = ("violations", "roles", "places", "provisions", "lists")


@app.command()
def vocab(
    ctx: typer.Context,
    section: Optional[str] = typer.Argument(None, help=f"One of: {', '.join(SECTIONS)} [default: all]."),
) -> None:
    """Print the vocabulary: violation codes with their legal provisions, roles, places, lists."""
    cli = state(ctx)
    vocabulary = load_vocabulary()
    if section is not None and section not in SECTIONS:
        raise typer.BadParameter(f"{section!r} is not one of {', '.join(SECTIONS)}", param_hint="section")
    if cli.json:
        data = vocabulary.to_dict()
        cli.emit(data if section is None else {"version": vocabulary.version, section: data[section]})
        return
    console.print(f"Redzone vocabulary, version {vocabulary.version}")
    if section in (None, "violations"):
        table = Table(title="Violations")
        for column in ("code", "English", "한국어", "provisions", "elements"):
            table.add_column(column)
        for v in vocabulary.violations.values():
            table.add_row(v.code, v.label_en, v.label_ko, ", ".join(v.provisions), ", ".join(v.elements))
        console.print(table)
    if section in (None, "roles"):
        table = Table(title="Perpetrator roles")
        for column in ("code", "English", "한국어", "state actor"):
            table.add_column(column)
        for r in vocabulary.roles.values():
            table.add_row(r.code, r.label_en, r.label_ko, "yes" if r.state_actor else "")
        console.print(table)
    if section in (None, "provisions"):
        table = Table(title="Legal provisions and their elements")
        for column in ("provision", "English", "elements"):
            table.add_column(column)
        for p in vocabulary.provisions.values():
            table.add_row(p.id, p.label_en, "\n".join(f"{e.id} ({e.level})" for e in p.elements))
        console.print(table)
    if section in (None, "places"):
        table = Table(title="Gazetteer")
        for column in ("id", "kind", "English", "한국어", "中文", "lat", "lon"):
            table.add_column(column)
        for p in vocabulary.places.values():
            table.add_row(p.id, p.kind, p.name_en, p.name_ko, p.name_zh, f"{p.lat:.3f}", f"{p.lon:.3f}")
        console.print(table)
    if section in (None, "lists"):
        for name, terms in vocabulary.lists.items():
            console.print(f"[bold]{name}[/]: " + ", ".join(f"{code} ({t.label_en} / {t.label_ko})" for code, t in terms.items()))
