"""`redzone evidence`: add files encrypted, read their custody, hand them over, export and verify them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from redzone import evidence as evidence_files
from redzone.cli.app import CliState, app, console, state
from redzone.errors import PermissionDenied, Problem, ValidationError
from redzone.records.entry import Context
from redzone.records.models import Evidence, Source
from redzone.records.users import actor_for

evidence_app = typer.Typer(help="Evidence files: encrypted, hashed, with a chain of custody.", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")


def _when(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _summary(ctx: Context, item: Evidence) -> dict:
    source = ctx.session.get(Source, item.source_id) if item.source_id else None
    return {"code": item.code, "source": source.code if source else None, "media_type": item.media_type,
            "size_bytes": item.size_bytes, "sha256": item.sha256, "acquired_at": _when(item.acquired_at),
            "acquired_by": item.acquired_by, "acquisition_method": item.acquisition_method,
            "holder": evidence_files.current_holder(ctx, item), "name_sealed": item.filename_sealed is not None}


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(Problem("acquired-at", f"{text!r} is not an ISO date or date-time")) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _refusal_audited(cli: CliState, code: str, action: str, run) -> object:  # noqa: ANN001
    """Run `run(ctx)` in one transaction; a refusal is audited in a transaction of its own."""
    with cli.open() as ws:
        actor = None
        try:
            with ws.store.session() as session:
                actor = actor_for(session, cli.user)
                return run(Context(session, ws.keys, actor), ws.evidence_dir)
        except PermissionDenied:
            if actor is not None:
                evidence_files.record_refusal(ws.store, ws.keys, actor, action, code)
            raise


@evidence_app.command("add")
def add(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The file to store; the original is left where it is."),
    source: str = typer.Option(..., "--source", help="Code of the source the file belongs to, e.g. SRC-4K7P2M."),
    acquired_at: Optional[str] = typer.Option(None, "--acquired-at", help="When it was acquired (ISO; UTC if no offset)."),
    acquired_by: str = typer.Option("", "--acquired-by", help="Who acquired it (an organisation or function)."),
    method: str = typer.Option("", "--method", help="How it was acquired, e.g. 'recorded at interview'."),
    media_type: Optional[str] = typer.Option(None, "--media-type", help="Override the guessed media type."),
) -> None:
    """Store a file encrypted, with its SHA-256, size, type and acquisition facts."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        context = Context(session, ws.keys, actor_for(session, cli.user))
        item = evidence_files.add_evidence(context, ws.evidence_dir, file, source=source, media_type=media_type,
                                           acquired_at=_parse_time(acquired_at), acquired_by=acquired_by,
                                           acquisition_method=method)
        data = _summary(context, item)
    if cli.json:
        cli.emit(data)
    else:
        console.print(f"{data['code']}: {data['media_type']}, {data['size_bytes']:,} bytes, sha256 {data['sha256']}")


@evidence_app.command("list")
def list_files(ctx: typer.Context) -> None:
    """List evidence files with their digest, source and current holder."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        context = Context(session, ws.keys, actor_for(session, cli.user))
        rows = [_summary(context, item) for item in evidence_files.list_evidence(context)]
    if cli.json:
        cli.emit(rows)
        return
    table = Table(title=f"Evidence ({len(rows)})")
    for column in ("code", "source", "type", "bytes", "sha256", "acquired", "holder"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["code"], row["source"] or "", row["media_type"], f"{row['size_bytes']:,}",
                      row["sha256"][:16] + "…", row["acquired_at"] or "", row["holder"])
    console.print(table)


@evidence_app.command("show")
def show(ctx: typer.Context, code: str = typer.Argument(..., help="Evidence code, e.g. EVD-3M8K2P.")) -> None:
    """Show one file's facts and its whole custody log, marked when it does not match the audit trail."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        context = Context(session, ws.keys, actor_for(session, cli.user))
        item = evidence_files.find_evidence(context, code)
        data = _summary(context, item)
        data["custody"] = [{"at": _when(e.at), "actor": e.actor, "action": e.action, "holder": e.holder,
                            "note": e.note, "sha256": e.sha256} for e in evidence_files.custody_log(context, code)]
        data["custody_problem"] = evidence_files.custody_mismatches(context, [item.id]).get(item.id)
    if cli.json:
        cli.emit(data)
        return
    facts = Table(title=f"Evidence {data['code']}", show_header=False)
    for name in ("source", "media_type", "size_bytes", "sha256", "acquired_at", "acquired_by",
                 "acquisition_method", "holder"):
        facts.add_row(name, str(data[name] if data[name] is not None else ""))
    facts.add_row("original name", "sealed" if data["name_sealed"] else "not recorded")
    console.print(facts)
    log = Table(title="Custody")
    for column in ("at", "actor", "action", "holder", "sha256", "note"):
        log.add_column(column)
    for entry in data["custody"]:
        log.add_row(entry["at"], entry["actor"], entry["action"], entry["holder"],
                    (entry["sha256"] or "")[:12], entry["note"])
    console.print(log)
    if data["custody_problem"]:
        console.print(f"[red]custody log does not match the audit trail[/]: {data['custody_problem']}")


@evidence_app.command("transfer")
def transfer(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Evidence code."),
    to: str = typer.Option(..., "--to", help="The new holder (an organisation or function, not a survivor)."),
    note: str = typer.Option("", "--note", help="Why, how, receipt number."),
) -> None:
    """Record that the file passed to another holder."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        context = Context(session, ws.keys, actor_for(session, cli.user))
        entry = evidence_files.transfer(context, code, to, note)
        data = {"code": code, "holder": entry.holder, "at": _when(entry.at)}
    if cli.json:
        cli.emit(data)
    else:
        console.print(f"{code}: now held by {data['holder']}")


@evidence_app.command("export")
def export(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Evidence code."),
    out: Path = typer.Option(..., "--out", help="File to write the decrypted copy to (must not exist)."),
    recipient: str = typer.Option("", "--recipient", help="Who the copy is for (recorded in custody)."),
    note: str = typer.Option("", "--note", help="Why the copy is made."),
) -> None:
    """Decrypt one file to PATH after checking its SHA-256; recorded in custody as exported."""
    cli = state(ctx)

    def run(context: Context, evidence_dir: Path) -> dict:
        written = evidence_files.export_evidence(context, evidence_dir, code, out, recipient=recipient, note=note)
        item = evidence_files.find_evidence(context, code)
        return {"code": code, "out": str(written), "sha256": item.sha256, "size_bytes": item.size_bytes}

    data = _refusal_audited(cli, code, "evidence.open", run)
    if cli.json:
        cli.emit(data)
    else:
        console.print(f"{code}: decrypted to {data['out']} (sha256 checked). This copy is NOT encrypted.")


@evidence_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Re-hash every file and compare its custody log with the audit trail; exit 2 on any problem.

    A problem is a file missing, unreadable or altered, or a custody entry edited, deleted or added
    outside Redzone."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        context = Context(session, ws.keys, actor_for(session, cli.user))
        report = evidence_files.verify_all(context, ws.evidence_dir)
    if cli.json:
        cli.emit(report.to_dict())
    else:
        for problem in report.problems:
            console.print(f"[red]{problem.code}[/] {problem.kind}: {problem.detail}")
        for name in report.unreferenced:
            console.print(f"[yellow]warning[/]: {name} is in the evidence folder but no record names it")
        verdict = "all intact" if report.intact else f"{len(report.problems)} problem(s)"
        console.print(f"evidence verified: {report.checked} file(s), {verdict}")
    if not report.intact:
        raise typer.Exit(2)
