"""Incident review: the current incident run, the queue of borderline pairs of event records (codes,
kinds, places, dates at their precision, match probability, the waterfall of evidence), accept /
reject / reopen / merge / split — reversible and audited by `redzone.link`, undone through the decision log
the person review shares — and, for roles allowed `link.run`, an incident run in the background.

Nothing here shows a name or an event's free-text description: only what `incident_pair_view` returns."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from redzone.errors import NotFound
from redzone.link import (LinkSettings, current_run, decide_incident, incident_clusters, incident_decisions,
                          incident_pair_view, incident_review_queue, merge_incident, run_incident_linkage,
                          split_incident)
from redzone.messages import Message
from redzone.records.models import IncidentPair, LinkRun
from redzone.web.deps import DbSession, WorkspaceDep, context, requires
from redzone.web.forms import Problems, optional_float
from redzone.web.jobs import jobs_of
from redzone.web.rendering import render
from redzone.web.routes.linkage import waterfall_chart
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)
JOB = "incident-linkage"
ROLE = "incident"


@router.get("/linkage/incidents", dependencies=[requires("link.review")])
def incidents_page(request: Request, session: DbSession) -> Response:
    actor = request.state.principal.actor
    run = current_run(session, ROLE, required=False)
    queue, log, groups = [], [], []
    if run is not None:
        queue = incident_review_queue(session, actor, limit=50)
        log = incident_decisions(session, actor, limit=20)
        groups = incident_clusters(session, actor)
    return render(request, "linkage_incidents.html", run=run, queue=queue, log=log, incidents=groups[:40],
                  incident_total=len(groups), job=jobs_of(request.app).latest(JOB), defaults=LinkSettings())


@router.get("/linkage/incidents/pairs/{pair_id}", dependencies=[requires("link.review")])
def pair_page(request: Request, session: DbSession, pair_id: int) -> Response:
    actor = request.state.principal.actor
    pair = session.get(IncidentPair, pair_id)
    if pair is None:
        raise NotFound(Message("no incident pair #%(pair_id)s", pair_id=pair_id))
    run = session.get(LinkRun, pair.run_id)
    view = incident_pair_view(session, pair, run)
    latest = current_run(session, ROLE, required=False)
    current = latest is not None and latest.id == run.id
    queue = [p["pair"] for p in incident_review_queue(session, actor, limit=50)] if current else []
    return render(request, "incident_pair.html", view=view, run=run, chart=waterfall_chart(view["waterfall"]),
                  current=current, following=next((p for p in queue if p != pair.id), None))


@router.post("/linkage/incidents/pairs/{pair_id}/decision", dependencies=[requires("link.review")])
def decide_pair(request: Request, session: DbSession, workspace: WorkspaceDep, pair_id: int,
                verb: Annotated[str, Form(max_length=10)], note: Annotated[str, Form(max_length=500)] = "",
                following: Annotated[str, Form(max_length=12)] = "",
                back_to: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Decided from the queue: back to the queue; from a pair's page: on to the next pair in the queue."""
    outcome = decide_incident(context(session, workspace, request.state.principal), pair_id, verb, note.strip())
    done = f"done={outcome['kind']}&decision={outcome['decision']}"
    if back_to == "queue":
        return RedirectResponse(f"/linkage/incidents?{done}#queue", status_code=303)
    target = f"/linkage/incidents/pairs/{int(following) if following.isdigit() else pair_id}"
    return RedirectResponse(f"{target}?{done}", status_code=303)


@router.post("/linkage/incidents/split", dependencies=[requires("link.review")])
def split_event(request: Request, session: DbSession, workspace: WorkspaceDep,
                incident: Annotated[str, Form(max_length=40)], event: Annotated[str, Form(max_length=40)],
                note: Annotated[str, Form(max_length=500)] = "") -> Response:
    outcome = split_incident(context(session, workspace, request.state.principal), incident.strip(), event.strip(),
                             note.strip())
    return RedirectResponse(f"/linkage/incidents?done=split&decision={outcome['decision']}#decisions",
                            status_code=303)


@router.post("/linkage/incidents/merge", dependencies=[requires("link.review")])
def merge_events(request: Request, session: DbSession, workspace: WorkspaceDep,
                 event_a: Annotated[str, Form(max_length=40)], event_b: Annotated[str, Form(max_length=40)],
                 note: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Two event records the model did not pair, linked by hand as one incident."""
    outcome = merge_incident(context(session, workspace, request.state.principal), event_a.strip(), event_b.strip(),
                             note.strip())
    return RedirectResponse(f"/linkage/incidents?done=merge&decision={outcome['decision']}#decisions",
                            status_code=303)


@router.post("/linkage/incidents/run", dependencies=[requires("link.run")])
def start_run(request: Request, workspace: WorkspaceDep,
              threshold: Annotated[str, Form(max_length=10)],
              review_low: Annotated[str, Form(max_length=10)],
              review_high: Annotated[str, Form(max_length=10)]) -> Response:
    """The form always sends the three thresholds (prefilled), so an empty POST starts nothing."""
    actor = request.state.principal.actor
    problems = Problems()
    changes: dict[str, Any] = {}
    for name, value in (("threshold", threshold), ("review_low", review_low), ("review_high", review_high)):
        number = optional_float(problems, name, value)
        if number is not None:
            changes[name] = number
    problems.raise_if_any()
    settings = LinkSettings().with_changes(**changes)  # checked here, so a wrong value is a 422 now
    jobs_of(request.app).start(JOB, actor.username, lambda: run_incident_linkage(workspace, actor, settings))
    return RedirectResponse("/linkage/incidents?started=1", status_code=303)


@router.get("/linkage/incidents/run/status", dependencies=[requires("link.review")])
def run_status(request: Request) -> Response:
    job = jobs_of(request.app).latest(JOB)
    return JSONResponse(job.to_dict() if job else {"status": "none"})
