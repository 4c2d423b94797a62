"""Your account: language, API tokens for scripts (shown once), second-factor status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.accounts import create_token, list_tokens, revoke_token
from redzone.records.models import User
from redzone.web.deps import CurrentPrincipal, DbSession, WorkspaceDep
from redzone.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/account")
def account(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    user = session.get(User, principal.actor.user_id)
    return render(request, "account.html", tokens=list_tokens(session, principal.actor.username),
                  has_second_factor=user.totp_secret_sealed is not None, new_token=None)


@router.post("/account/tokens")
def new_token(request: Request, session: DbSession, workspace: WorkspaceDep, principal: CurrentPrincipal,
              name: Annotated[str, Form(max_length=80)], days: Annotated[int, Form(ge=1, le=3650)] = 90) -> Response:
    token, _ = create_token(session, workspace.keys, principal.actor.username, name, days)
    user = session.get(User, principal.actor.user_id)
    return render(request, "account.html", tokens=list_tokens(session, principal.actor.username),
                  has_second_factor=user.totp_secret_sealed is not None, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(session: DbSession, workspace: WorkspaceDep, principal: CurrentPrincipal, token_id: int) -> Response:
    revoke_token(session, workspace.keys, principal.actor.username, token_id)
    return RedirectResponse("/account", status_code=303)
