"""Routes whose database session lives in the route's own thread: opened when the route starts,
committed (or rolled back) when it returns, so what it wrote is committed before the answer is sent.

FastAPI runs a sync generator dependency (`deps.database`) in thread-pool hops of its own: one to
open the session, one to close it. With scope="function" the closing hop came before the answer
(the commit order the sign-in and testimony redirects need), adding a fourth hand-over between the
event loop and the thread pool to every page: principal, open, route, close. Under 20 clients each
hand-over waits for the interpreter lock behind the threads rendering other pages. Here the route's
own hop does all three, so a page costs two (the principal's and the route's).

A sync route taking `DbSession` or `ReadSession` is called with those parameters filled in the
thread it runs in; FastAPI never sees them. Async routes and dependencies keep FastAPI's handling.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

from redzone.web.deps import database, read_database

OPENERS = (database, read_database)  # the generator dependencies a route's thread opens itself
REQUEST = "_redzone_request"         # added to a route that does not take the request itself


class SessionInRouteThread(APIRoute):
    """The route class of every Redzone router (`APIRouter(route_class=SessionInRouteThread)`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, sessions_in_route_thread(endpoint), **kwargs)


def _opener(annotation: Any) -> Callable | None:
    for marker in getattr(annotation, "__metadata__", ()):
        if getattr(marker, "dependency", None) in OPENERS:
            return marker.dependency
    return None


def sessions_in_route_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` with its session parameters opened and closed around it, in the calling thread."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint  # runs on the event loop: opening a session there would block it
    signature = inspect.signature(endpoint, eval_str=True)
    openers = {name: opener for name, parameter in signature.parameters.items()
               if (opener := _opener(parameter.annotation)) is not None}
    if not openers:
        return endpoint
    kept = [parameter for name, parameter in signature.parameters.items() if name not in openers]
    request_name = next((p.name for p in kept if p.annotation is Request), None)
    if request_name is None:
        request_name = REQUEST
        variadic = [p for p in kept if p.kind is inspect.Parameter.VAR_KEYWORD]
        kept = [p for p in kept if p.kind is not inspect.Parameter.VAR_KEYWORD]
        kept += [inspect.Parameter(REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request), *variadic]

    @functools.wraps(endpoint)
    def with_sessions(**values: Any) -> Any:
        request = values[request_name] if request_name != REQUEST else values.pop(REQUEST)
        # Closed in reverse order on the way out: committed if the route returned, rolled back if it raised.
        with contextlib.ExitStack() as stack:
            for name, opener in openers.items():
                values[name] = stack.enter_context(contextlib.contextmanager(opener)(request))
            return endpoint(**values)

    with_sessions.__signature__ = signature.replace(parameters=kept)
    return with_sessions
