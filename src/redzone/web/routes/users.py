"""Users, for administrators: accounts and roles, deactivation, password resets, second factors
(issued here and shown once to the issuing administrator), and the grants that let one
documentation officer see one person's sealed identity."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.accounts import IssuedFactor, issue_second_factor, needs_second_factor, set_password
from redzone.records.models import AccessGrant, Person, User
from redzone.records.users import change_role, create_user, grant_access, list_users, revoke_access, set_active
from redzone.security.policy import ROLES
from redzone.web.deps import DbSession, WorkspaceDep, requires
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)


def _done(message: str) -> Response:
    return RedirectResponse(f"/users?done={message}", status_code=303)


def _page(request: Request, session, issued: IssuedFactor | None = None) -> Response:  # noqa: ANN001
    actor = request.state.principal.actor
    grants = session.execute(sa.select(AccessGrant, User.username, Person.code)
                             .join(User, User.id == AccessGrant.user_id).join(Person, Person.id == AccessGrant.person_id)
                             .order_by(AccessGrant.id.desc()).limit(200)).all()
    accounts = list_users(session, actor)
    return render(request, "users.html", users=accounts, roles=ROLES, grants=grants, issued=issued,
                  missing_factor={u.username for u in accounts if needs_second_factor(u) and u.totp_secret_sealed is None})


@router.get("/users", dependencies=[requires("user.manage")])
def users_page(request: Request, session: DbSession) -> Response:
    return _page(request, session)


@router.post("/users", dependencies=[requires("user.manage")])
def add_user(request: Request, session: DbSession, workspace: WorkspaceDep,
             username: Annotated[str, Form(max_length=80)], role: Annotated[str, Form(max_length=40)],
             password: Annotated[str, Form(max_length=1000)],
             display_name: Annotated[str, Form(max_length=200)] = "",
             second_factor: Annotated[bool, Form()] = False) -> Response:
    """Create an account; an administrator's (or, when asked, anyone's) second factor is issued at
    once and its key shown on the answer, once."""
    actor = request.state.principal.actor
    user = create_user(session, workspace.keys, actor, username.strip(), role, password=password,
                       display_name=display_name.strip())
    if second_factor or needs_second_factor(user):
        return _page(request, session, issue_second_factor(session, workspace.keys, actor, user.username))
    return _done("created")


@router.post("/users/{username}/second-factor", dependencies=[requires("user.manage")])
def reset_second_factor(request: Request, session: DbSession, workspace: WorkspaceDep, username: str) -> Response:
    """Issue a new second factor (the old one stops working); its key is shown once, here."""
    return _page(request, session, issue_second_factor(session, workspace.keys, request.state.principal.actor, username))


@router.post("/users/{username}/role", dependencies=[requires("user.manage")])
def set_role(request: Request, session: DbSession, workspace: WorkspaceDep, username: str,
             role: Annotated[str, Form(max_length=40)]) -> Response:
    change_role(session, workspace.keys, request.state.principal.actor, username, role)
    return _done("role")


@router.post("/users/{username}/active", dependencies=[requires("user.manage")])
def activate(request: Request, session: DbSession, workspace: WorkspaceDep, username: str,
             active: Annotated[bool, Form()]) -> Response:
    set_active(session, workspace.keys, request.state.principal.actor, username, active)
    return _done("active")


@router.post("/users/password", dependencies=[requires("user.manage")])
def reset_password(request: Request, session: DbSession, workspace: WorkspaceDep,
                   username: Annotated[str, Form(max_length=80)],
                   password: Annotated[str, Form(max_length=1000)]) -> Response:
    set_password(session, workspace.keys, request.state.principal.actor, username, password)
    return _done("password")


@router.post("/grants", dependencies=[requires("grant.manage")])
def add_grant(request: Request, session: DbSession, workspace: WorkspaceDep,
              username: Annotated[str, Form(max_length=80)], person: Annotated[str, Form(max_length=40)]) -> Response:
    grant_access(session, workspace.keys, request.state.principal.actor, username.strip(), person.strip())
    return _done("granted")


@router.post("/grants/revoke", dependencies=[requires("grant.manage")])
def remove_grant(request: Request, session: DbSession, workspace: WorkspaceDep,
                 username: Annotated[str, Form(max_length=80)], person: Annotated[str, Form(max_length=40)]) -> Response:
    revoke_access(session, workspace.keys, request.state.principal.actor, username, person)
    return _done("revoked")
