"""What routes declare in their signatures: the open workspace, one database transaction, who is
acting (a browser session or a script's bearer token), the action the policy must allow, and the
CSRF check. Routes ask; `security.policy` decides."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from redzone.accounts import SessionInfo, find_session, language_of, verify_token
from redzone.errors import RedzoneError
from redzone.records.entry import Context
from redzone.security.policy import Actor, require
from redzone.web import i18n
from redzone.workspace import Workspace

SESSION_COOKIE = "rz_session"
PRE_SESSION_COOKIE = "rz_pre"     # anonymous visitors: the CSRF token of the sign-in form
LANGUAGE_COOKIE = "rz_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(RedzoneError):
    """No valid session or token: pages redirect to the sign-in form, the API answers 401."""

    http_status = 401

    def __init__(self) -> None:
        super().__init__("sign in first: no valid session or API token")


class CsrfRefused(RedzoneError):
    http_status = 403

    def __init__(self) -> None:
        super().__init__("csrf_token: missing or wrong; reload the page and try again")


@dataclass(frozen=True)
class Principal:
    """Who is acting in this request, and through what."""

    actor: Actor
    via: str                              # 'session' or 'token'
    session: SessionInfo | None = None    # the browser session (None for tokens)
    session_id: str | None = None

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""


def workspace_of(request: Request) -> Workspace:
    return request.app.state.workspace


async def workspace_dependency(request: Request) -> Workspace:
    return request.app.state.workspace  # async: no trip through the thread pool for an attribute read


def database(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises."""
    with workspace_of(request).store.session() as session:
        yield session


def read_database(request: Request) -> Iterator[Session]:
    """For pages that only read: statements outside a transaction (`Store.autocommit()`), each
    seeing the newest commits, as they would inside one on PostgreSQL, without its two round trips.
    A route that writes takes `DbSession`."""
    with workspace_of(request).store.autocommit() as session:
        yield session


# The session must commit when the route returns, before the answer is sent: closed after the answer
# has left (FastAPI's default), a client following a redirect at once could ask for what was not yet
# committed (a new testimony, the session a sign-in opened). Sync routes of a `SessionInRouteThread`
# router (all of Redzone's) open and close it in the route's own thread (web/routing.py); anywhere
# else scope="function" gives the same order at the cost of two more thread-pool hops.
DbSession = Annotated[Session, Depends(database, scope="function")]
ReadSession = Annotated[Session, Depends(read_database, scope="function")]
WorkspaceDep = Annotated[Workspace, Depends(workspace_dependency)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def optional_principal(request: Request) -> Principal | None:
    """The signed-in user if any (full sessions only), else None. Sets the request's language.

    Looked up apart from the request's transaction, so that it stays read-only until the route
    writes: a service that audits in a separate transaction never waits on it. In
    `Store.autocommit()`, not a transaction: one statement finds the session, its user and language
    (a token takes two, each as fresh as a transaction's would be), and the only writes (a session's
    last-seen time, a token's last use, an expired session's removal) are single statements."""
    if "principal" in request.state._state:
        return request.state.principal
    principal = None
    language = None
    with workspace_of(request).store.autocommit() as session:
        token = _bearer(request)
        if token is not None:
            actor = verify_token(session, token)
            if actor is None:
                raise SignInRequired()
            principal = Principal(actor, "token")
        else:
            session_id = request.cookies.get(SESSION_COOKIE)
            info = find_session(session, session_id)
            if info is not None and info.stage == "full":
                principal = Principal(info.actor, "session", info, session_id)
                language = info.language
        if principal is not None and language is None and principal.actor.user_id is not None:
            language = language_of(session, principal.actor.user_id)
    request.state.principal = principal
    request.state.language = (language or request.cookies.get(LANGUAGE_COOKIE)
                              or i18n.negotiate(request.headers.get("accept-language")))
    return principal


async def use_language(request: Request,
                       principal: Annotated[Principal | None, Depends(optional_principal)]) -> None:
    """Set the request's interface language. Async on purpose: a context variable set here, in the
    request's task, is seen by the route (sync routes run in a thread with a copy of this context)."""
    i18n.set_language(request.state.language)


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise SignInRequired()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class RequireAction:
    """A route dependency naming the policy action the route needs; the route × role test reads
    `.action` from every route to know what to expect."""

    def __init__(self, action: str) -> None:
        self.action = action

    async def __call__(self, principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
        # async: pure computation, no thread hop; the principal straight from its lookup, not through
        # current_principal: each dependency layer costs FastAPI's resolution on every request.
        if principal is None:
            raise SignInRequired()
        require(principal.actor, self.action)
        return principal


def requires(action: str) -> Depends:
    return Depends(RequireAction(action))


def context(session: Session, workspace: Workspace, principal: Principal) -> Context:
    return Context(session, workspace.keys, principal.actor)


async def csrf_protect(request: Request) -> None:
    """Every state-changing request from a browser must echo its CSRF token (form field
    `csrf_token` or header `X-CSRF-Token`). Bearer-token requests carry no ambient authority and
    are exempt. Anonymous forms (sign-in) are checked against the pre-session cookie."""
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    expected = None
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        store = workspace_of(request).store
        with store.session() as session:
            info = find_session(session, session_id, touch=False)
        expected = info.csrf_token if info is not None and info.stage == "full" else None
    if expected is None:
        expected = request.cookies.get(PRE_SESSION_COOKIE)
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()
