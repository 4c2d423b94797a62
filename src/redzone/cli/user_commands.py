"""`redzone user`: accounts, roles and grants of access to a person's identity (administrators)."""

from __future__ import annotations

import os

import typer
from rich.table import Table

from redzone.accounts import IssuedFactor, issue_second_factor, needs_second_factor
from redzone.accounts.login import set_password
from redzone.cli.app import app, console, state
from redzone.records import users
from redzone.security.policy import ROLES, require

user_app = typer.Typer(help="Accounts, roles and identity-access grants (needs user.manage / grant.manage).",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")

NEW_PASSWORD_VARIABLE = "REDZONE_NEW_PASSWORD"


def _new_password(username: str) -> str:
    """From REDZONE_NEW_PASSWORD (for scripts) or asked twice at the prompt; never echoed or logged."""
    given = os.environ.get(NEW_PASSWORD_VARIABLE)
    if given:
        return given
    return typer.prompt(f"New password for {username}", hide_input=True, confirmation_prompt=True)


@user_app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name: letters, digits, '-', '_' or '.'."),
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(ROLES)}."),
    organisation: str = typer.Option(None, "--organisation", help="The organisation the account works for."),
    display_name: str = typer.Option("", "--display-name", help="Name shown in the application."),
    no_password: bool = typer.Option(False, "--no-password", help="Create the account without a password "
                                                                  "(it cannot sign in until one is set)."),
    second_factor: bool = typer.Option(False, "--second-factor", help="Issue a TOTP second factor (always "
                                                                      "done for administrators)."),
) -> None:
    """Create an account with a role; the password comes from REDZONE_NEW_PASSWORD or the prompt.
    An administrator's second factor is issued at once and its key printed, once."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        actor = users.actor_for(session, cli.user)
        require(actor, "user.manage")
        password = None if no_password else _new_password(username)
        user = users.create_user(session, ws.keys, actor, username, role, password=password,
                                 display_name=display_name, organisation_id=organisation)
        issued = (issue_second_factor(session, ws.keys, actor, username)
                  if second_factor or needs_second_factor(user) else None)
    if cli.json:
        cli.emit({"username": username, "role": role, "organisation": organisation,
                  **({"totp_secret": issued.secret, "totp_uri": issued.uri} if issued else {})})
        return
    console.print(f"created {username} ({role})")
    if issued:
        _print_factor(issued)


def _print_factor(issued: IssuedFactor) -> None:
    """The key goes to the terminal once; hand it to the user by a safe channel."""
    console.print(f"Second factor of {issued.username} (shown once; give it to them by a safe channel):")
    typer.echo(f"key: {issued.secret}")
    typer.echo(f"uri: {issued.uri}")


@user_app.command("reset-totp")
def reset_totp(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Issue a new TOTP second factor (the old one stops working) and print its key once."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        issued = issue_second_factor(session, ws.keys, users.actor_for(session, cli.user), username)
    if cli.json:
        cli.emit({"username": username, "totp_secret": issued.secret, "totp_uri": issued.uri})
    else:
        _print_factor(issued)


@user_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List the accounts with their roles and state."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        rows = [{"username": u.username, "role": u.role, "organisation": u.organisation_id, "active": u.active,
                 "second_factor": u.totp_secret_sealed is not None}
                for u in users.list_users(session, users.actor_for(session, cli.user))]
    if cli.json:
        cli.emit(rows)
        return
    table = Table("username", "role", "organisation", "active", "second factor")
    for row in rows:
        table.add_row(row["username"], row["role"], row["organisation"] or "", "yes" if row["active"] else "no",
                      "yes" if row["second_factor"] else "no")
    console.print(table)


@user_app.command("role")
def role(ctx: typer.Context, username: str = typer.Argument(...), new_role: str = typer.Argument(..., metavar="ROLE")) -> None:
    """Change an account's role."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        user = users.change_role(session, ws.keys, users.actor_for(session, cli.user), username, new_role)
        missing = needs_second_factor(user) and user.totp_secret_sealed is None
    console.print(f"{username} is now {new_role}")
    if missing:
        console.print(f"{username} cannot sign in until a second factor is issued: redzone user reset-totp {username}")


def _set_active(ctx: typer.Context, username: str, active: bool) -> None:
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        users.set_active(session, ws.keys, users.actor_for(session, cli.user), username, active)
    console.print(f"{username} is {'enabled' if active else 'disabled'}")


@user_app.command("disable")
def disable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Disable an account: it keeps its history but can no longer sign in or act."""
    _set_active(ctx, username, False)


@user_app.command("enable")
def enable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Enable a disabled account again."""
    _set_active(ctx, username, True)


@user_app.command("password")
def password(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Set an account's password (clears a lockout); from REDZONE_NEW_PASSWORD or the prompt."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        actor = users.actor_for(session, cli.user)
        require(actor, "user.manage")
        set_password(session, ws.keys, actor.username, username, _new_password(username))
    console.print(f"password of {username} set")


@user_app.command("grant")
def grant(ctx: typer.Context, username: str = typer.Argument(...),
          person: str = typer.Argument(..., help="The person's pseudonymous code.")) -> None:
    """Let a user (e.g. a documentation officer) see one person's sealed identity."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        users.grant_access(session, ws.keys, users.actor_for(session, cli.user), username, person)
    console.print(f"{username} may see the identity of {person}")


@user_app.command("revoke")
def revoke(ctx: typer.Context, username: str = typer.Argument(...),
           person: str = typer.Argument(..., help="The person's pseudonymous code.")) -> None:
    """Withdraw a user's access to one person's identity."""
    cli = state(ctx)
    with cli.open() as ws, ws.store.session() as session:
        had = users.revoke_access(session, ws.keys, users.actor_for(session, cli.user), username, person)
    console.print(f"{username} may no longer see the identity of {person}" if had else
                  f"{username} had no grant for {person}")
