"""The application factory: one open workspace, routers by resource, security headers on every
response, and one handler turning domain errors into a 4xx page or a JSON error."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from redzone.errors import RedzoneError, ValidationError
from redzone.web.config import WebSettings
from redzone.web.deps import SignInRequired, csrf_protect, use_language
from redzone.web.input_guard import refuse_nul_characters
from redzone.web.security import BodyLimit, SecurityHeaders
from redzone.workspace import Workspace

STATIC = Path(__file__).with_name("static")
API_PREFIX = "/api/v1"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _error_body(error: RedzoneError) -> dict:
    body: dict = {"error": type(error).__name__, "message": str(error)}
    if isinstance(error, ValidationError):
        body["problems"] = [{"field": p.field, "problem": p.problem} for p in error.problems]
    return body


def create_app(workspace: Workspace, settings: WebSettings | None = None) -> FastAPI:
    from redzone.web.routes import ROUTERS

    settings = settings or WebSettings()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.route_threads
        yield

    app = FastAPI(lifespan=lifespan, title="Redzone", version="1", summary="Testimony, sealed identities and numbers that hold up.",
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  dependencies=[Depends(refuse_nul_characters), Depends(csrf_protect), Depends(use_language)])
    app.state.workspace = workspace
    app.state.settings = settings
    app.state.secure_cookies = lambda request: settings.secure_cookies or request.url.scheme == "https"
    app.state.dashboard_cache = {}
    app.add_middleware(BodyLimit, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(RedzoneError)
    async def domain_error(request: Request, error: RedzoneError) -> Response:
        if isinstance(error, SignInRequired) and not _is_api(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={target if target.startswith('/') else '/'}", status_code=303)
        status = error.http_status if 400 <= error.http_status < 500 else 400
        if isinstance(error, SignInRequired):
            status = 401
        if _is_api(request):
            return JSONResponse(_error_body(error), status_code=status,
                                headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)
        from redzone.web.rendering import render

        return render(request, "error.html", status_code=status, error=error, status=status)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, error: RequestValidationError) -> Response:
        problems = [{"field": ".".join(str(part) for part in e["loc"][1:]) or str(e["loc"][0]), "problem": e["msg"]}
                    for e in error.errors()]
        message = "invalid input: " + "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:10])
        if _is_api(request):
            return JSONResponse({"error": "ValidationError", "message": message, "problems": problems},
                                status_code=422)
        from redzone.web.rendering import render

        return render(request, "error.html", status_code=422, error=message, status=422)

    return app


def create_app_from_environment() -> FastAPI:
    """Uvicorn's factory for `redzone serve --workers N`: each worker process opens the workspace
    itself from REDZONE_WORKSPACE and REDZONE_PASSPHRASE (set by the parent for its children only)."""
    workspace = Workspace.open(Path(os.environ["REDZONE_WORKSPACE"]), os.environ["REDZONE_PASSPHRASE"])
    return create_app(workspace, WebSettings(secure_cookies=os.environ.get("REDZONE_SECURE_COOKIES") == "1"))
