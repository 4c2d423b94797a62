"""Web commands: `serve` the web application, `token create|list|revoke` for scripts, and the demo
accounts `run` prints before serving."""

from __future__ import annotations

from typing import Optional

import typer
from rich import box
from rich.table import Table

from redzone.cli.app import app, console, state
from redzone.errors import ConfigurationError, NotFound
from redzone.workspace import Workspace

token_app = typer.Typer(help="API tokens for scripts (Authorization: Bearer …).", no_args_is_help=True)
app.add_typer(token_app, name="token")


def serve_workspace(ws: Workspace, host: str, port: int, secure_cookies: bool = False, workers: int = 1,
                    passphrase: str | None = None) -> None:
    import os

    import uvicorn

    from redzone.web import WebSettings, create_app
    from redzone.web.serving import NoDelayHTTPProtocol

    console.print(f"Serving {ws.path} on [bold]http://{host}:{port}[/] with {workers} worker(s) (Ctrl+C to stop).")
    # No access log: URLs may carry search words, and logs leave the encrypted workspace.
    if workers == 1:
        application = create_app(ws, WebSettings(secure_cookies=secure_cookies))
        uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False,
                    http=NoDelayHTTPProtocol)
        return
    # Several processes: each opens the workspace itself; the passphrase reaches them through the
    # environment this process hands its own children (never a file or an argument).
    ws.close()
    os.environ.update(REDZONE_WORKSPACE=str(ws.path), REDZONE_PASSPHRASE=passphrase or "",
                      REDZONE_SECURE_COOKIES="1" if secure_cookies else "0")
    uvicorn.run("redzone.web.app:create_app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, http=NoDelayHTTPProtocol)


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Mark cookies Secure (behind a TLS proxy)."),
    workers: int = typer.Option(1, min=1, max=32, help="Worker processes (one per core serves more users at once)."),
) -> None:
    """Serve the web application and REST API for the workspace."""
    cli = state(ctx)
    passphrase = cli.passphrase()
    with Workspace.open(cli.workspace, passphrase) as ws:
        serve_workspace(ws, host, port, secure_cookies, workers, passphrase)


def demo_accounts_table(accounts: dict[str, tuple[str, str]]) -> Table:
    """Role, username, password: 76 columns at most, so an 80-column terminal shows every username and
    password whole (the role wraps over two lines instead; no outer borders, no column rules)."""
    table = Table(title="Demo accounts (synthetic; demo workspace only)", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("role", max_width=13, overflow="fold")
    table.add_column("username", no_wrap=True)
    table.add_column("password", no_wrap=True)
    for role, (username, password) in accounts.items():
        table.add_row(role.replace("_", " "), username, password)
    return table


def print_demo_accounts(ws: Workspace) -> None:
    """Make sure the demo accounts exist (the administrator with a second factor) and print them.
    Demo workspaces only: their accounts and data are synthetic."""
    from redzone.accounts import pending_secret
    from redzone.demo.persist import DEMO_ACCOUNTS, ensure_demo_accounts
    from redzone.records.users import actor_for

    with ws.store.session() as session:
        ensure_demo_accounts(ws, session)
        admin = actor_for(session, DEMO_ACCOUNTS["administrator"][0])
        secret = pending_secret(session, ws.keys, admin.user_id)
    console.print(demo_accounts_table(DEMO_ACCOUNTS))
    console.print(f"The administrator also needs a TOTP code: add the key [bold]{secret}[/] to an authenticator, "
                  f"or run `redzone token demo-code` for the current code.")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: str = typer.Option(..., help="What the token is for."),
    days: int = typer.Option(90, min=1, max=3650, help="Days until it expires."),
) -> None:
    """Create an API token for --user; it is printed once and never stored in the clear."""
    from redzone.accounts import create_token

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        token, info = create_token(session, ws.keys, cli.user, name, days)
    if cli.json:
        cli.emit({"token": token, "id": info.id, "name": info.name, "expires_at": info.expires_at})
    else:
        console.print(f"Token {info.id} ({info.name}) for {cli.user}, valid {days} days. Copy it now:")
        typer.echo(token)


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """List --user's tokens (prefixes only)."""
    from redzone.accounts import list_tokens

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        tokens = list_tokens(session, cli.user)
    if cli.json:
        cli.emit([{"id": t.id, "name": t.name, "prefix": t.prefix, "revoked": t.revoked} for t in tokens])
        return
    table = Table("id", "name", "prefix", "expires", "revoked")
    for t in tokens:
        table.add_row(str(t.id), t.name, t.prefix + "…", str(t.expires_at or "never"), "yes" if t.revoked else "")
    console.print(table)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: int = typer.Argument(..., help="Token id from `token list`.")) -> None:
    """Revoke one of --user's tokens."""
    from redzone.accounts import revoke_token

    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        revoke_token(session, ws.keys, cli.user, token_id)
    console.print(f"Token {token_id} revoked.")


@token_app.command("demo-code")
def demo_code(ctx: typer.Context, username: Optional[str] = typer.Option(None, "--for", help="Demo account.")) -> None:
    """Print the current TOTP code of a demo account (demo workspaces only: their secrets are synthetic)."""
    import pyotp

    from redzone.accounts import pending_secret
    from redzone.demo.persist import DEMO_ACCOUNTS
    from redzone.records.users import actor_for

    cli = state(ctx)
    with cli.open() as ws:
        if not ws.config.demo:
            raise ConfigurationError("demo-code: only demo workspaces print second-factor codes")
        username = username or DEMO_ACCOUNTS["administrator"][0]
        if username not in {u for u, _ in DEMO_ACCOUNTS.values()}:
            raise NotFound(f"{username!r} is not a demo account")
        with ws.store.session() as session:
            secret = pending_secret(session, ws.keys, actor_for(session, username).user_id)
    typer.echo(pyotp.TOTP(secret).now())
