"""The dashboard: counts of acts by violation, province, year and perpetrator role (suppressed),
as charts and tables, and the map of places with incident counts."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from redzone.stats import statistics, summary
from redzone.web import i18n
from redzone.web.caching import cached
from redzone.web.deps import DbSession, WorkspaceDep, requires
from redzone.web.rendering import label, render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)
DIMENSIONS = ("violation", "province", "year", "role")
_LABEL_KIND = {"violation": "violation", "province": "place", "role": "role"}


def dashboard_tables(request: Request, session, workspace) -> dict:  # noqa: ANN001
    """Suppressed tables for the four dimensions, cached until the next write."""
    threshold = workspace.config.settings.suppression_threshold

    def compute() -> dict:
        tables = {dimension: statistics(session, (dimension,), threshold=threshold) for dimension in DIMENSIONS}
        return {"tables": tables, "summary": summary(session), "threshold": threshold}

    return cached(request, session, "tables", compute)


def _rows(dimension: str, table) -> list[dict]:  # noqa: ANN001
    kind = _LABEL_KIND.get(dimension)
    rows = []
    for cell in table.cells:
        code = cell.key[0]
        name = code if kind is None or code == "unknown" else label(kind, code)
        if code == "unknown":
            name = i18n.gettext_("unknown")
        rows.append({"code": code, "label": name, "count": cell.count, "suppressed": cell.suppressed})
    if dimension == "year":
        rows.sort(key=lambda r: r["code"])
    else:
        rows.sort(key=lambda r: -(r["count"] or 0))
    return rows


def incident_map(request: Request, session, actor, threshold: int) -> Markup | None:  # noqa: ANN001
    """The map's SVG in the page's language, cached like the tables (per role: what a role may see may differ)."""
    try:
        from redzone.maps import render_incident_map
    except ImportError:
        return None
    language = i18n.current_language()
    return cached(request, session, ("map", actor.role, language), lambda: Markup(
        render_incident_map(session, actor, threshold=threshold, lang=language)))


@router.get("/", dependencies=[requires("stats.view")])
def dashboard(request: Request, session: DbSession, workspace: WorkspaceDep) -> Response:
    data = dashboard_tables(request, session, workspace)
    charts = {dimension: _rows(dimension, table) for dimension, table in data["tables"].items()}
    titles = {"violation": i18n.gettext_("Acts by violation"), "province": i18n.gettext_("Acts by province"),
              "year": i18n.gettext_("Acts by year"), "role": i18n.gettext_("Acts by perpetrator role")}
    chart_data = json.dumps({d: {"title": titles[d], "rows": [r for r in rows if not r["suppressed"]]}
                             for d, rows in charts.items()}, ensure_ascii=False).replace("<", "\\u003c")
    principal = request.state.principal
    return render(request, "dashboard.html", charts=charts, titles=titles, chart_data=Markup(chart_data),
                  summary=data["summary"], threshold=data["threshold"],
                  map_svg=incident_map(request, session, principal.actor, data["threshold"]), demo=workspace.config.demo)
