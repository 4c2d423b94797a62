"""Extraction commands: `extract` (propose facts from files), `redact` (pseudonymise a copy) and
`ingest` (a folder of texts into the workspace, facts kept for review)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.errors import Problem, ValidationError

LANGUAGE_HELP = "Language of the text: auto (from its script), en, ko or zh."


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").lstrip("\ufeff")
    except FileNotFoundError:
        raise ValidationError(Problem("file", f"{path} does not exist")) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(Problem("file", f"{path} is not readable as UTF-8 text ({type(error).__name__})")) from None


def _check_language(language: str) -> str:
    if language not in ("auto", "en", "ko", "zh"):
        raise ValidationError(Problem("--lang", f"{language!r}: use auto, en, ko or zh"))
    return language


def _attributes(fact: dict) -> str:
    hidden = {"type", "start", "end", "text", "confidence", "sensitive", "lat", "lon"}
    return ", ".join(f"{k}={v}" for k, v in fact.items() if k not in hidden)


@app.command("extract")
def extract_command(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Text files (UTF-8) to read."),
    lang: str = typer.Option("auto", "--lang", help=LANGUAGE_HELP),
    method: Optional[str] = typer.Option(None, "--method", help="Extraction method [default: the best-scoring one]."),
) -> None:
    """Propose facts (violations, perpetrators, places, dates, ages, money, quantities, persons) from texts."""
    from redzone.extract import extract

    cli = state(ctx)
    results = [extract(_read(path), _check_language(lang), method, file=str(path)).to_dict() for path in files]
    if cli.json:
        cli.emit(results[0] if len(results) == 1 else results)
        return
    for result in results:
        table = Table(title=f"{result['file']} ({result['language']}, {result.get('method', '')})")
        for column in ("type", "span", "text", "attributes", "conf."):
            table.add_column(column)
        for fact in result["facts"]:
            shown = "(person: sensitive)" if fact["type"] == "person" and not cli.verbose else fact["text"]
            table.add_row(fact["type"], f"{fact['start']}–{fact['end']}", shown, _attributes(fact),
                          f"{fact['confidence']:.2f}")
        console.print(table)


@app.command("redact")
def redact_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Text file (UTF-8) to redact."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write the copy [default: NAME.redacted.EXT beside it]."),
    lang: str = typer.Option("auto", "--lang", help=LANGUAGE_HELP),
    show_originals: bool = typer.Option(False, "--show-originals",
                                        help="Also list the original values (keep that listing as safe as the original)."),
) -> None:
    """Write a copy with person names, phone numbers, e-mails and ID numbers replaced by pseudonyms."""
    from redzone.extract import redact_text

    cli = state(ctx)
    text = _read(file)
    redacted, replacements = redact_text(text, _check_language(lang))
    target = out or file.with_name(f"{file.stem}.redacted{file.suffix or '.txt'}")
    if target.resolve() == file.resolve():
        raise ValidationError(Problem("--out", "must differ from the file being redacted"))
    target.write_text(redacted, encoding="utf-8")
    rows = [r.to_dict(show_originals) for r in replacements]
    if cli.json:
        cli.emit({"file": str(file), "out": str(target), "replaced": rows})
        return
    table = Table(title=f"{len(rows)} replacement(s) in {file} → {target}")
    for column in ("type", "span", "pseudonym", *(["original"] if show_originals else [])):
        table.add_column(column)
    for row in rows:
        table.add_row(row["type"], f"{row['start']}–{row['end']}", row["pseudonym"],
                      *([row["original"]] if show_originals else []))
    console.print(table)


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., help="Folder of .txt and .md files (searched recursively)."),
    lang: str = typer.Option("auto", "--lang", help=LANGUAGE_HELP),
    method: Optional[str] = typer.Option(None, "--method", help="Extraction method [default: the best-scoring one]."),
    kind: str = typer.Option("written_statement", "--kind", help="Source kind for the new sources (vocabulary source_kinds)."),
) -> None:
    """Record every text of a folder as a source (once, however often it is ingested) with proposed facts for review."""
    from redzone.extract.ingest import ingest_directory, list_files

    cli = state(ctx)
    total = len(list_files(directory))
    with cli.open() as ws:
        columns = (TextColumn("[bold]ingest[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                   TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True, disable=cli.json) as bar:
            task = bar.add_task("ingest", total=total)
            report = ingest_directory(ws, cli.user, directory, language=_check_language(lang), method=method,
                                      kind=kind, progress=lambda _path: bar.advance(task))
    if cli.json:
        cli.emit(report.to_dict())
        return
    console.print(f"Read {report.files} file(s): {len(report.created)} new source(s), {len(report.duplicates)} "
                  f"already in the workspace, {len(report.skipped)} skipped; {report.facts} fact(s) proposed for review.")
    for name, reason in report.skipped:
        console.print(f"  skipped {name}: {reason}")
