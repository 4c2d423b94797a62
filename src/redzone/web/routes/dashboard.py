"""The dashboard: counts of acts by violation, province, year and perpetrator role (suppressed),
as charts and tables, and the map of places with incident counts.

All of it below the menu is the same for every user of a role reading in one language until the
next write, so it is rendered once (`_dashboard_content.html`) and cached: a request reads the data
version, renders the menu and its user's name around the cached part, and nothing else."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from redzone.stats import statistics, summary
from redzone.web import i18n
from redzone.web.caching import cached, data_version
from redzone.web.deps import ReadSession, WorkspaceDep, requires
from redzone.web.rendering import label, render, templates
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)
DIMENSIONS = ("violation", "province", "year", "role")
_LABEL_KIND = {"violation": "violation", "province": "place", "role": "role"}


def dashboard_tables(request: Request, session, workspace, version: int | None = None) -> dict:  # noqa: ANN001
    """Suppressed tables for the four dimensions, cached until the next write."""
    threshold = workspace.config.settings.suppression_threshold

    def compute() -> dict:
        tables = {dimension: statistics(session, (dimension,), threshold=threshold) for dimension in DIMENSIONS}
        return {"tables": tables, "summary": summary(session), "threshold": threshold}

    return cached(request, session, "tables", compute, version)


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


def incident_map(request: Request, session, actor, threshold: int,  # noqa: ANN001
                 version: int | None = None) -> Markup | None:
    """The map's SVG in the page's language, cached like the tables (per role: what a role may see may differ)."""
    try:
        from redzone.maps import render_incident_map
    except ImportError:
        return None
    language = i18n.current_language()
    return cached(request, session, ("map", actor.role, language), lambda: Markup(
        render_incident_map(session, actor, threshold=threshold, lang=language)), version)


def dashboard_content(request: Request, session, workspace, actor, version: int) -> Markup:  # noqa: ANN001
    """Everything below the menu, rendered in the current language for `actor`'s role."""
    data = dashboard_tables(request, session, workspace, version)
    charts = {dimension: _rows(dimension, table) for dimension, table in data["tables"].items()}
    titles = {"violation": i18n.gettext_("Acts by violation"), "province": i18n.gettext_("Acts by province"),
              "year": i18n.gettext_("Acts by year"), "role": i18n.gettext_("Acts by perpetrator role")}
    chart_data = json.dumps({d: {"title": titles[d], "rows": [r for r in rows if not r["suppressed"]]}
                             for d, rows in charts.items()}, ensure_ascii=False).replace("<", "\\u003c")
    return Markup(templates.get_template("_dashboard_content.html").render(
        charts=charts, titles=titles, chart_data=Markup(chart_data), summary=data["summary"],
        threshold=data["threshold"], map_svg=incident_map(request, session, actor, data["threshold"], version),
        demo=workspace.config.demo))


@router.get("/", dependencies=[requires("stats.view")])
def dashboard(request: Request, session: ReadSession, workspace: WorkspaceDep) -> Response:
    actor = request.state.principal.actor
    version = data_version(session)  # once: the cached parts below are all checked against it
    content = cached(request, session, ("dashboard", actor.role, i18n.current_language()),
                     lambda: dashboard_content(request, session, workspace, actor, version), version)
    return render(request, "dashboard.html", content=content)
