"""Full-text search over what the signed-in role may see (redzone.search decides what that is)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from redzone.web.deps import DbSession, WorkspaceDep, requires
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)


def run_search(session, workspace, actor, q: str, limit: int, offset: int):  # noqa: ANN001, ANN201
    """Hits from redzone.search, or None when this installation has no search index module."""
    try:
        from redzone.search import search
    except ImportError:
        return None
    return search(session, workspace.keys, actor, q, limit=limit, offset=offset)


@router.get("/search", dependencies=[requires("source.view")])
def search_page(request: Request, session: DbSession, workspace: WorkspaceDep, q: str = "", page: int = 1) -> Response:
    size = request.app.state.settings.page_size
    page = max(1, min(page, 1000))
    hits = run_search(session, workspace, request.state.principal.actor, q[:200], size, (page - 1) * size) \
        if q.strip() else []
    return render(request, "search.html", q=q, hits=hits, page=page, available=hits is not None, size=size)
