"""`redzone import`, `redzone import-template` and `redzone export`: files in and out, through `redzone.exchange`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.errors import Problem, ValidationError
from redzone.exchange import (FORMATS, IMPORT_ORDER, ImportRejected, export_records, import_file,
                              write_template)
from redzone.exchange.layout import normalise_record_type, record_type_from_name
from redzone.exchange.readers import detect_format
from redzone.records.users import actor_for

PROBLEMS_SHOWN = 200


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Optional[Path] = typer.Argument(None, help="CSV, XLSX, JSON (array or lines) or ZIP of CSVs; .age if "
                                          "encrypted."),
    record_type: Optional[str] = typer.Option(None, "--type", help=f"One of {', '.join(IMPORT_ORDER)} "
                                              "[default: from the file name or its record_type column]."),
    fmt: Optional[str] = typer.Option(None, "--format", help="csv, xlsx, json or zip [default: from the suffix]."),
    organisation: Optional[str] = typer.Option(None, "--organisation", help="Organisation whose system issued "
                                               "the refs [default: your account's organisation]."),
    encoding: Optional[str] = typer.Option(None, help="Text encoding of a CSV that is not UTF-8, e.g. cp949."),
    identity: Optional[Path] = typer.Option(None, "--identity", help="File holding the age secret key that "
                                            "opens an encrypted (.age) file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; write nothing."),
    overwrite_edits: bool = typer.Option(False, "--overwrite-edits", help="Let the file's rows replace changes made "
                                         "here to records since their last import [default: such rows are refused]."),
    template: Optional[Path] = typer.Option(None, "--template", help="Write an empty file to fill in instead "
                                            "(.csv, .xlsx or .json; the record type from --type or the file name; "
                                            "an .xlsx or .json without one holds every type)."),
) -> None:
    """Import records from a file: every row validated first; any problem rejects the whole file."""
    cli = state(ctx)
    if template is not None:
        _write_template(template, record_type, fmt)
        return
    if file is None:
        raise ValidationError(Problem("file", "name the file to import (or --template FILE to get one to fill in)"))
    key = identity.read_text(encoding="utf-8").strip().splitlines()[-1] if identity else None
    with cli.open() as ws:
        with ws.store.session() as session:
            actor = actor_for(session, cli.user)
        try:
            report = import_file(ws, actor, file, record_type=record_type, fmt=fmt, organisation=organisation,
                                 dry_run=dry_run, encoding=encoding, age_identity=key,
                                 overwrite_edits=overwrite_edits)
        except ImportRejected as rejected:
            _print_problems(cli.json, rejected)
            raise
    if cli.json:
        cli.emit(report.to_dict())
        return
    table = Table(title=f"{'Dry run: ' if dry_run else ''}{report.file} ({report.format}, {report.rows:,} rows, "
                        f"{report.seconds:.1f} s)")
    for column in ("record type", "created", "updated", "unchanged"):
        table.add_column(column, justify="left" if column == "record type" else "right")
    for kind, counts in report.counts.items():
        table.add_row(kind, *(f"{counts[k]:,}" for k in ("created", "updated", "unchanged")))
    console.print(table)
    if dry_run:
        console.print("Nothing was written (--dry-run).")
    if report.organisations_created:
        console.print(f"New organisations: {', '.join(report.organisations_created)}")
    if report.codes_reassigned:
        console.print(f"{report.codes_reassigned:,} codes were already in use here and were replaced by new ones.")
    if report.edits_overwritten:
        console.print(f"{report.edits_overwritten:,} records changed here since their last import were overwritten.")
    if report.ignored:
        console.print(f"Ignored (not record tables): {', '.join(report.ignored)}")


def _print_problems(as_json: bool, rejected: ImportRejected) -> None:
    shown = rejected.problems[:PROBLEMS_SHOWN]
    if as_json:
        import json

        print(json.dumps({"rejected": True, "total": rejected.total, "problems": [str(p) for p in shown]},
                         ensure_ascii=False, indent=2))
        return
    for problem in shown:
        print(problem, file=sys.stderr)
    if rejected.total > len(shown):
        print(f"… and {rejected.total - len(shown):,} more problems", file=sys.stderr)


def _write_template(target: Path, record_type: str | None, fmt: str | None) -> None:
    fmt = fmt or detect_format(target.name)
    if fmt not in ("csv", "xlsx", "json"):
        raise ValidationError(Problem("template", f"{target.name!r}: name it .csv, .xlsx or .json"))
    kind = (normalise_record_type(record_type) or record_type) if record_type else record_type_from_name(target.name)
    if target.exists():
        raise ValidationError(Problem("template", f"{target} already exists; choose a new file name"))
    write_template(kind, fmt, target)
    what = kind or "every record type"
    console.print(f"Wrote {target} ({what}): one synthetic example row to replace; docs/exchange.md says what "
                  "each column means.")


@app.command("import-template")
def import_template(
    ctx: typer.Context,
    record_type: str = typer.Argument(..., help=f"One of {', '.join(IMPORT_ORDER)}."),
    fmt: str = typer.Option("csv", "--format", help="csv, xlsx or json."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write it [default: TYPE-template.FORMAT]."),
) -> None:
    """Write an empty import file for one record type: the header and one synthetic example row."""
    target = out or Path(f"{record_type}-template.{fmt}")
    write_template(record_type, fmt, target)
    console.print(f"Wrote {target}: see docs/exchange.md for what each column means.")


@app.command("export")
def export_command(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="File to write (a ZIP of CSVs when several types go to CSV)."),
    fmt: str = typer.Option("csv", "--format", help=f"One of {', '.join(FORMATS)}."),
    record_types: Optional[list[str]] = typer.Option(None, "--type", help="Record type to export (repeatable)."),
    all_types: bool = typer.Option(False, "--all", help="Every record type (the default when no --type)."),
    flat: bool = typer.Option(False, "--flat", help="The 'who did what to whom' table: one row per act."),
    with_identities: bool = typer.Option(False, "--with-identities", help="Include sealed identities and texts "
                                         "(needs permission; encrypted; audited)."),
    recipient: Optional[str] = typer.Option(None, "--recipient", help="age public key (age1…) to encrypt to."),
    force: bool = typer.Option(False, "--force", help="Replace the --out file if it exists."),
) -> None:
    """Export records, pseudonymised unless --with-identities; every export is audited."""
    cli = state(ctx)
    if out.exists() and not force:  # like evidence export and backup: an earlier export is not lost by a typo
        raise ValidationError(Problem("out", f"{out} already exists; choose a new file name or pass --force"))
    if out.is_dir():
        raise ValidationError(Problem("out", f"{out} is a folder; name a file"))
    if recipient and Path(recipient).is_file():
        recipient = Path(recipient).read_text(encoding="utf-8").strip().splitlines()[-1]
    with cli.open() as ws:
        with ws.store.session() as session:
            actor = actor_for(session, cli.user)
        report = export_records(ws, actor, out, fmt=fmt, types=None if all_types else record_types, flat=flat,
                                with_identities=with_identities, recipient=recipient)
    if cli.json:
        cli.emit(report.to_dict())
        return
    counts = ", ".join(f"{count:,} {kind}" for kind, count in report.counts.items())
    notes = [note for flag, note in ((report.identities, "WITH IDENTITIES"), (report.encrypted, "encrypted"))
             if flag] or ["pseudonymised"]
    console.print(f"Wrote {out} ({report.format}, {' and '.join(notes)}): {counts}.")
