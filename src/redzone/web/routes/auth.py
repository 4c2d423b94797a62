"""Signing in and out: password, then the TOTP second factor, the language switch. Each step issues
a new session id (no fixation). Nobody enrols a second factor while signing in: an administrator's
is issued by another administrator (users page, `redzone user reset-totp`), and an account that
needs one and has none is refused here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.accounts import (authenticate, end_session, find_session, promote_session, set_language,
                              start_session)
from redzone.accounts import second_factor as check_code
from redzone.web import i18n
from redzone.web.deps import LANGUAGE_COOKIE, SESSION_COOKIE, DbSession, WorkspaceDep, optional_principal
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)
STAGE_PAGES = {"second_factor": "/login/second-factor"}


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _set_session(request: Request, response: Response, session_id: str) -> None:
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict", path="/",
                        secure=request.app.state.secure_cookies(request))


def _partial(request: Request, session: DbSession, stage: str):  # noqa: ANN202
    info = find_session(session, request.cookies.get(SESSION_COOKIE))
    return info if info is not None and info.stage == stage else None


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    optional_principal(request)
    return render(request, "login.html", next=safe_next(next))


@router.post("/login")
def login(request: Request, session: DbSession, workspace: WorkspaceDep, username: Annotated[str, Form(max_length=200)],
          password: Annotated[str, Form(max_length=1000)], next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    optional_principal(request)
    outcome = authenticate(session, workspace.keys, username.strip(), password, _client(request),
                           request.app.state.settings.login)
    if not outcome.passed_password:
        status = {"throttled": 429, "locked": 403, "no_second_factor": 403}.get(outcome.status, 401)
        messages = {"throttled": i18n.gettext_("Too many failed sign-ins from this address. Wait a few minutes."),
                    "locked": i18n.gettext_("This account is locked after repeated failures. Try again later."),
                    "no_second_factor": i18n.gettext_("This account needs a second factor. Ask an administrator "
                                                      "to issue one: they will give you its key.")}
        return render(request, "login.html", status_code=status, next=safe_next(next), username=username,
                      error=messages.get(outcome.status, i18n.gettext_("Wrong username or password.")))
    stage = "full" if outcome.status == "ok" else outcome.status
    info = start_session(session, outcome.user_id, stage, replaces=request.cookies.get(SESSION_COOKIE))
    target = safe_next(next) if stage == "full" else f"{STAGE_PAGES[stage]}?next={safe_next(next)}"
    response = RedirectResponse(target, status_code=303)
    _set_session(request, response, info.session_id)
    return response


@router.get("/login/second-factor")
def second_factor_form(request: Request, session: DbSession, next: str = "/") -> Response:
    if _partial(request, session, "second_factor") is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "second_factor.html", next=safe_next(next))


@router.post("/login/second-factor")
def second_factor(request: Request, session: DbSession, workspace: WorkspaceDep, code: Annotated[str, Form(max_length=20)],
                  next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    return _finish(request, session, workspace, "second_factor", code, next, "second_factor.html")


def _finish(request, session, workspace, stage, code, next, template):  # noqa: ANN001, ANN202
    info = _partial(request, session, stage)
    if info is None:
        return RedirectResponse("/login", status_code=303)
    outcome = check_code(session, workspace.keys, info.user_id, code, _client(request), request.app.state.settings.login)
    if outcome.status in ("locked", "throttled"):
        # The password-only session ends: whoever guesses codes must start again from the password.
        end_session(session, request.cookies[SESSION_COOKIE])
        error = (i18n.gettext_("This account is locked after repeated failures. Try again later.")
                 if outcome.status == "locked" else
                 i18n.gettext_("Too many failed sign-ins from this address. Wait a few minutes."))
        response = render(request, "login.html", status_code=403 if outcome.status == "locked" else 429,
                          next=safe_next(next), error=error)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    if outcome.status != "ok":
        error = i18n.gettext_("That code is not valid. Enter the current 6-digit code from your authenticator.")
        return render(request, template, status_code=401, next=safe_next(next), error=error)
    full = promote_session(session, request.cookies[SESSION_COOKIE])
    response = RedirectResponse(safe_next(next), status_code=303)
    _set_session(request, response, full.session_id)
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    if session_id := request.cookies.get(SESSION_COOKIE):
        end_session(session, session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def language(request: Request, session: DbSession, language: Annotated[str, Form(max_length=8)],
             next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    principal = optional_principal(request)
    if principal is not None and principal.actor.user_id is not None:
        set_language(session, principal.actor.user_id, language)
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in ("en", "ko"):
        response.set_cookie(LANGUAGE_COOKIE, language, httponly=True, samesite="strict", path="/",
                            max_age=365 * 86400, secure=request.app.state.secure_cookies(request))
    return response
