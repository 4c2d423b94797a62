"""The Typer application, its global options and the helpers every command shares."""

from __future__ import annotations

import getpass
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from redzone.errors import ConfigurationError
from redzone.workspace import Workspace, default_workspace_path

app = typer.Typer(
    name="redzone",
    help="Document trafficking testimony, keep identities sealed, and publish numbers that hold up.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(highlight=False)


@dataclass
class CliState:
    workspace: Path
    json: bool
    user: str
    verbose: bool

    def passphrase(self, confirm: bool = False) -> str:
        """The workspace secret: REDZONE_PASSPHRASE, else a hidden prompt. Never echoed or stored."""
        if secret := os.environ.get("REDZONE_PASSPHRASE"):
            return secret
        if not sys.stdin.isatty():
            raise ConfigurationError("passphrase: set REDZONE_PASSPHRASE or run from a terminal to be prompted")
        secret = getpass.getpass("Workspace passphrase: ")
        if confirm and getpass.getpass("Repeat passphrase: ") != secret:
            raise ConfigurationError("passphrase: the two entries differ")
        return secret

    def open(self) -> Workspace:
        return Workspace.open(self.workspace, self.passphrase())

    def emit(self, data: Any) -> None:
        """Print machine-readable output (used when --json is given)."""
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.callback()
def global_options(
    ctx: typer.Context,
    workspace: Optional[Path] = typer.Option(None, "--workspace", "-w", envvar="REDZONE_WORKSPACE",
                                             help="Workspace folder [default: per-user data folder]."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    user: str = typer.Option("owner", "--user", "-u", envvar="REDZONE_USER", help="Account to act as."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Say more about what is happening."),
) -> None:
    ctx.obj = CliState(workspace=workspace or default_workspace_path(), json=as_json, user=user, verbose=verbose)


def state(ctx: typer.Context) -> CliState:
    return ctx.obj
