"""`redzone elements CODE`: what a victim's record proves in law, element by element; and
`redzone situation`: the situation-level findings (context of crimes against humanity)."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.legal import PersonAnalysis, analyse_person, record_situation_element, situation_findings
from redzone.records.entry import Context
from redzone.records.users import actor_for
from redzone.security.policy import require

MARKS = {"evidenced": "[green]✓[/]", "missing": "[red]✗[/]", "not_required": "—", "uncertain": "[yellow]?[/]",
         "situation_level": "[blue]◇[/]"}
OUTCOME_LABELS = {"satisfied": "[green]✓ satisfied[/]", "not_satisfied": "[red]✗ not satisfied[/]",
                  "uncertain": "[yellow]? uncertain[/]", "needs_context": "[blue]◇ needs context[/]"}


@app.command("elements")
def elements(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="The person's pseudonymous code, e.g. RZ-7K3D9Q."),
) -> None:
    """Show which elements of each provision a victim's acts evidence, by which acts and sources."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        analysis = analyse_person(session, code, actor=actor_for(session, cli.user))
    if cli.json:
        cli.emit(analysis.to_dict())
        return
    render(analysis)


def render(analysis: PersonAnalysis) -> None:
    low, high = analysis.birth_years
    born = "unknown" if low is None and high is None else (str(low) if low == high else f"{low}–{high}")
    console.print(f"[bold]Person {analysis.person}[/] · {analysis.person_role} · {analysis.sex} · born {born}"
                  f" · vocabulary {analysis.vocabulary_version}")
    for note in analysis.notes:
        console.print(f"[yellow]note[/]: {note}")
    if analysis.acts:
        acts = Table(title="Acts and corroboration")
        for column in ("act", "violation", "date", "place", "perpetrators", "sources (grade)", "independent"):
            acts.add_column(column)
        for act in analysis.acts:
            acts.add_row(act.code, act.violation, act.date or "unknown", act.place or act.place_id or "",
                         ", ".join(role + (f" ({group})" if group else "") for role, group in act.perpetrators),
                         ", ".join(f"{s.code} ({s.grade})" for s in act.sources) or "[red]none[/]",
                         str(act.independent_sources))
        console.print(acts)
    for provision in analysis.provisions:
        combine = "all elements needed" if provision.combine == "all" else "any one element suffices"
        title = (f"{provision.id} — {provision.label}\n{provision.instrument}, art. {provision.article} · {combine}"
                 f"\n{OUTCOME_LABELS[provision.outcome]}: {provision.reason}")
        table = Table(title=title, title_justify="left", show_lines=False)
        for column in ("", "element", "status", "acts", "sources (grade, line)"):
            table.add_column(column)
        for element in provision.elements:
            sources = ", ".join(f"{s.code} ({s.grade}, line {s.line})" for s in element.sources)
            where = f" [{', '.join(element.recorded_for)}]" if element.recorded_for else ""
            slug = element.id.rsplit(".", 1)[-1]
            named = element.label if element.label.lower().startswith(slug.replace("_", " ")) else \
                f"[bold]{slug}[/]: {element.label}"
            alternative = provision.combine == "any" and element.status == "missing"
            table.add_row("[dim]✗[/]" if alternative else MARKS[element.status], named,
                          f"{element.status.replace('_', ' ')}{where}\n[dim]{element.reason}[/]",
                          ", ".join(element.acts), sources)
        if provision.required_by:
            table.caption = f"required by {', '.join(provision.required_by)}"
        console.print(table)
    if any(e.status == "situation_level" for p in analysis.provisions for e in p.elements):
        console.print("◇ situation-level elements are recorded once, for the situation or a perpetrator group: "
                      "`redzone situation record ELEMENT --source CODE [--group CODE]`")


situation_app = typer.Typer(help="Situation-level legal findings (context of crimes against humanity, danger on return).",
                            no_args_is_help=True)
app.add_typer(situation_app, name="situation")


@situation_app.command("record")
def record(
    ctx: typer.Context,
    element: str = typer.Argument(..., help="A situation-level element id, e.g. rome.art7_context.attack."),
    source: list[str] = typer.Option(..., "--source", help="Code of a source supporting the finding (repeatable)."),
    group: Optional[str] = typer.Option(None, "--group", help="Limit the finding to one perpetrator group."),
    note: str = typer.Option("", "--note", help="The reasoning, briefly."),
) -> None:
    """Record that a situation-level element is evidenced, for the situation or one group."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        context = Context(session, ws.keys, actor_for(session, cli.user))
        finding = record_situation_element(context, element, sources=source, group=group, note=note)
    if cli.json:
        cli.emit(finding.to_dict())
    else:
        console.print(f"{finding.element_id}: recorded for the {finding.scope} ({', '.join(finding.sources)})")


@situation_app.command("list")
def list_findings(ctx: typer.Context) -> None:
    """List the situation-level findings recorded so far."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        require(actor_for(session, cli.user), "elements.view")
        findings = [f.to_dict() for f in situation_findings(session)]
    if cli.json:
        cli.emit(findings)
        return
    table = Table(title=f"Situation-level findings ({len(findings)})")
    for column in ("element", "scope", "sources", "recorded", "note"):
        table.add_column(column)
    for finding in findings:
        table.add_row(finding["element_id"], finding["scope"], ", ".join(finding["sources"]),
                      f"{finding['recorded_at']} by {finding['recorded_by']}", finding["note"])
    console.print(table)
