"""Your account: language, API tokens for scripts (shown once), and the second factor — optional
for most roles, so they may enrol one here; an administrator's is issued by another administrator."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.accounts import (IssuedFactor, confirm_own_enrolment, create_token, list_tokens, needs_second_factor,
                              pending_enrolment, revoke_token, start_own_enrolment)
from redzone.errors import ValidationError
from redzone.records.models import User
from redzone.web import i18n
from redzone.web.deps import CurrentPrincipal, DbSession, Principal, WorkspaceDep
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)


def _page(request: Request, session, principal: Principal, new_token: str | None = None,  # noqa: ANN001
          enrolment: tuple[IssuedFactor, str] | None = None, error: str | None = None,
          status_code: int = 200) -> Response:
    user = session.get(User, principal.actor.user_id)
    qr = segno.make(enrolment[0].uri, error="m").png_data_uri(scale=4, border=2) if enrolment else None
    return render(request, "account.html", status_code=status_code, new_token=new_token,
                  tokens=list_tokens(session, principal.actor.username),
                  has_second_factor=user.totp_secret_sealed is not None,
                  may_enrol=user.totp_secret_sealed is None and not needs_second_factor(user),
                  enrolment=enrolment[0] if enrolment else None, pending=enrolment[1] if enrolment else "",
                  qr=qr, enrol_error=error)


@router.get("/account")
def account(request: Request, session: DbSession, principal: CurrentPrincipal) -> Response:
    return _page(request, session, principal)


@router.post("/account/tokens")
def new_token(request: Request, session: DbSession, workspace: WorkspaceDep, principal: CurrentPrincipal,
              name: Annotated[str, Form(max_length=80)], days: Annotated[int, Form(ge=1, le=3650)] = 90) -> Response:
    token, _ = create_token(session, workspace.keys, principal.actor.username, name, days)
    return _page(request, session, principal, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(session: DbSession, workspace: WorkspaceDep, principal: CurrentPrincipal, token_id: int) -> Response:
    revoke_token(session, workspace.keys, principal.actor.username, token_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/second-factor/start")
def start_enrolment(request: Request, session: DbSession, workspace: WorkspaceDep,
                    principal: CurrentPrincipal) -> Response:
    """A new key to add to an authenticator; nothing is stored until a code from it is confirmed."""
    return _page(request, session, principal, enrolment=start_own_enrolment(workspace.keys, principal.actor))


@router.post("/account/second-factor")
def confirm_enrolment(request: Request, session: DbSession, workspace: WorkspaceDep, principal: CurrentPrincipal,
                      pending: Annotated[str, Form(max_length=2000)], code: Annotated[str, Form(max_length=20)],
                      password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    client = request.client.host if request.client else "unknown"
    try:
        confirm_own_enrolment(session, workspace.keys, principal.actor, pending, code, client, password,
                              request.app.state.settings.login)
    except ValidationError as error:
        fields = {p.field for p in error.problems}
        if not fields & {"code", "password"}:
            raise
        # A wrong code or password: the same key again, the problem beside its field (the failure is audited).
        errors = {"code": i18n.gettext_("That code is not valid. Enter the current 6-digit code from your authenticator."),
                  "password": i18n.gettext_("Wrong password.")}
        return _page(request, session, principal, enrolment=(pending_enrolment(workspace.keys, principal.actor, pending), pending),
                     error={field: errors[field] for field in fields if field in errors}, status_code=422)
    return RedirectResponse("/account?enrolled=1", status_code=303)
