"""`redzone backup FILE` and `redzone restore FILE`: the whole workspace in one encrypted file, and back."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from redzone.backup import create_backup, restore_backup
from redzone.cli.app import CliState, app, console, state
from redzone.errors import ConfigurationError
from redzone.records.users import actor_for

BACKUP_PASSPHRASE_ENV = "REDZONE_BACKUP_PASSPHRASE"


def _backup_passphrase(cli: CliState, confirm: bool) -> str:
    """REDZONE_BACKUP_PASSPHRASE, else a prompt (Enter keeps the workspace passphrase), else the
    workspace passphrase itself."""
    if secret := os.environ.get(BACKUP_PASSPHRASE_ENV):
        return secret
    if sys.stdin.isatty():
        secret = getpass.getpass("Backup passphrase (Enter: the workspace passphrase): ")
        if secret and confirm and getpass.getpass("Repeat backup passphrase: ") != secret:
            raise ConfigurationError("backup passphrase: the two entries differ")
        if secret:
            return secret
    return cli.passphrase()


@app.command("backup")
def backup(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The backup file to write (must not exist)."),
) -> None:
    """Write the whole workspace (records, evidence files, audit chain) to one encrypted file."""
    cli = state(ctx)
    with cli.open() as ws:
        with ws.store.session() as session:
            actor = actor_for(session, cli.user)
        report = create_backup(ws, actor, file, _backup_passphrase(cli, confirm=True))
    if cli.json:
        cli.emit(report.to_dict())
        return
    rows = sum(report.tables.values())
    console.print(f"Wrote {file}: {rows:,} rows in {len(report.tables)} tables, {report.files:,} evidence files, "
                  f"{report.audit_entries:,} audit entries; {report.bytes:,} bytes, encrypted, in {report.seconds:.1f} s.")


@app.command("restore")
def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A file written by `redzone backup`."),
    database_url: Optional[str] = typer.Option(None, "--database-url", envvar="REDZONE_DATABASE_URL",
                                               help="Restore onto PostgreSQL (no password in the URL) "
                                                    "[default: the embedded SQLCipher file]."),
    schema: Optional[str] = typer.Option(None, help="PostgreSQL schema to create [default: a new random one]."),
) -> None:
    """Restore a backup as the workspace given by --workspace, which must be new or empty; it then
    opens with the backed-up workspace's passphrase."""
    cli = state(ctx)
    workspace_passphrase = cli.passphrase()
    archive_passphrase = os.environ.get(BACKUP_PASSPHRASE_ENV) or (
        _backup_passphrase(cli, confirm=False) if sys.stdin.isatty() else workspace_passphrase)
    report = restore_backup(file, cli.workspace, passphrase=archive_passphrase,
                            workspace_passphrase=workspace_passphrase, username=cli.user,
                            database_url=database_url, schema=schema)
    if cli.json:
        cli.emit(report.to_dict())
    else:
        console.print(f"Restored {file} into {report.workspace} ({report.from_backend} → {report.backend}): "
                      f"{sum(report.tables.values()):,} rows, {report.files:,} evidence files.")
        if not report.audit_intact:
            console.print(f"[yellow]warning[/]: the audit chain in the backup does not verify: {report.audit_problem}")
    if not report.audit_intact:
        raise typer.Exit(2)
