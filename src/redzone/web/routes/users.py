"""Users, for administrators: accounts and roles, deactivation, password resets, and the grants
that let one documentation officer see one person's sealed identity."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.accounts import set_password
from redzone.records.models import AccessGrant, Person, User
from redzone.records.users import change_role, create_user, grant_access, list_users, revoke_access, set_active
from redzone.security.policy import ROLES
from redzone.web.deps import DbSession, WorkspaceDep, requires
from redzone.web.rendering import render

router = APIRouter(include_in_schema=False)


def _done(message: str) -> Response:
    return RedirectResponse(f"/users?done={message}", status_code=303)


@router.get("/users", dependencies=[requires("user.manage")])
def users_page(request: Request, session: DbSession) -> Response:
    actor = request.state.principal.actor
    grants = session.execute(sa.select(AccessGrant, User.username, Person.code)
                             .join(User, User.id == AccessGrant.user_id).join(Person, Person.id == AccessGrant.person_id)
                             .order_by(AccessGrant.id.desc()).limit(200)).all()
    return render(request, "users.html", users=list_users(session, actor), roles=ROLES, grants=grants)


@router.post("/users", dependencies=[requires("user.manage")])
def add_user(request: Request, session: DbSession, workspace: WorkspaceDep,
             username: Annotated[str, Form(max_length=80)], role: Annotated[str, Form(max_length=40)],
             password: Annotated[str, Form(max_length=1000)],
             display_name: Annotated[str, Form(max_length=200)] = "") -> Response:
    create_user(session, workspace.keys, request.state.principal.actor, username.strip(), role, password=password,
                display_name=display_name.strip())
    return _done("created")


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
