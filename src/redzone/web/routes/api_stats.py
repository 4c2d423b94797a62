"""REST API, aggregates and lookups: suppressed statistics, search, gazetteer places, who am I."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from redzone.security.policy import ACTIONS, allowed
from redzone.stats import statistics
from redzone.web.api_models import CellOut, MeOut, PlaceOut, StatsOut
from redzone.web.deps import CurrentPrincipal, DbSession, Principal, WorkspaceDep, requires
from redzone.web.forms import suggest_places
from redzone.web.rendering import label
from redzone.web.routes.api_records import ERRORS, bearer
from redzone.web.routing import SessionInRouteThread

router = APIRouter(prefix="/api/v1", route_class=SessionInRouteThread,
                   tags=["aggregates"], responses=ERRORS, dependencies=[Depends(bearer)])
_LABEL_KIND = {"violation": "violation", "province": "place", "role": "role"}


@router.get("/stats/{dimension}", response_model=StatsOut)
def get_statistics(dimension: Literal["violation", "province", "year", "role", "organisation", "sex"],
                   session: DbSession, workspace: WorkspaceDep,
                   principal: Annotated[Principal, requires("stats.view")],
                   unit: Literal["acts", "victims"] = "acts") -> StatsOut:
    """Counts by one dimension with small-cell suppression (hidden counts are null)."""
    threshold = workspace.config.settings.suppression_threshold
    table = statistics(session, (dimension,), unit=unit, threshold=threshold)
    kind = _LABEL_KIND.get(dimension)
    cells = [CellOut(key=c.key[0], label=label(kind, c.key[0]) if kind and c.key[0] != "unknown" else c.key[0],
                     count=c.count, suppressed=c.suppressed) for c in table.cells]
    return StatsOut(dimension=dimension, unit=unit, threshold=threshold, total=table.total, cells=cells)


@router.get("/places", response_model=list[PlaceOut])
def find_places(principal: CurrentPrincipal, q: Annotated[str, Query(max_length=80)] = "") -> list[PlaceOut]:
    """Gazetteer places matching a name in English, Korean or Chinese (or a variant)."""
    return [PlaceOut(**p) for p in suggest_places(q)]


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal) -> MeOut:
    return MeOut(username=principal.actor.username, role=principal.actor.role,
                 actions=[a for a in ACTIONS if allowed(principal.actor, a)])


@router.get("/search")
def api_search(session: DbSession, workspace: WorkspaceDep, principal: Annotated[Principal, requires("source.view")],
               q: Annotated[str, Query(min_length=1, max_length=200)],
               limit: Annotated[int, Query(ge=1, le=100)] = 25,
               offset: Annotated[int, Query(ge=0, le=10_000)] = 0) -> dict:
    """Full-text search over what this role may see."""
    from redzone.web.routes.search import run_search

    hits = run_search(session, workspace, principal.actor, q, limit, offset)
    if hits is None:
        return {"available": False, "items": []}
    return {"available": True, "items": [hit_dict(h) for h in hits]}


def hit_dict(hit) -> dict:  # noqa: ANN001
    from dataclasses import asdict, is_dataclass

    return asdict(hit) if is_dataclass(hit) else dict(hit)
