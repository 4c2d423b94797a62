"""`redzone person`: look at a person record; reveal the sealed identity only where the policy allows."""

from __future__ import annotations

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.records.entry import get_person
from redzone.records.identity import reveal_identity
from redzone.records.users import actor_for
from redzone.security.policy import require

person_app = typer.Typer(help="Person records (pseudonymised; identities sealed).", no_args_is_help=True)
app.add_typer(person_app, name="person")


@person_app.command("show")
def show(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="The person's pseudonymous code, e.g. RZ-7K3D9Q."),
    reveal: bool = typer.Option(False, "--reveal", help="Also show the sealed identity (needs permission; audited)."),
    purpose: str = typer.Option("", help="Why the identity is needed (recorded in the audit log)."),
) -> None:
    """Show a person's analysable fields and journey; with --reveal, the sealed identity."""
    cli = state(ctx)
    with cli.open() as ws:
        with ws.store.session() as session:
            actor = actor_for(session, cli.user)
            require(actor, "person.view")
            person = get_person(session, code)
            data = {"code": person.code, "organisation": person.organisation_id, "role": person.person_role,
                    "sex": person.sex, "birth_year": [person.birth_year_min, person.birth_year_max],
                    "origin": person.origin_place_id, "crossing_year": person.crossing_year,
                    "journey": [{"sequence": p.sequence, "kind": p.event.kind, "place": p.event.place_id,
                                 "date": str(p.event.date_start) if p.event.date_start else None,
                                 "precision": p.event.date_precision} for p in person.participations],
                    "acts": [a.violation for a in person.acts]}
        if reveal:
            identity = reveal_identity(ws.store, ws.keys, actor, code, purpose)
            data["identity"] = {"legal_name": identity.legal_name, "hangul_name": identity.hangul_name,
                                "aliases": list(identity.aliases), "contact": identity.contact,
                                "whereabouts": identity.whereabouts}
    if cli.json:
        cli.emit(data)
        return
    table = Table(title=f"Person {data['code']}", show_header=False)
    for name in ("organisation", "role", "sex", "birth_year", "origin", "crossing_year", "acts"):
        table.add_row(name, str(data[name]))
    for step in data["journey"]:
        table.add_row(f"journey {step['sequence']}", f"{step['kind']} · {step['place']} · {step['date']} ({step['precision']})")
    for name, value in data.get("identity", {}).items():
        table.add_row(f"[red]{name}[/] (sealed)", str(value))
    console.print(table)
