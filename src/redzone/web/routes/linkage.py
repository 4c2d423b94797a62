"""Linkage review: the current run, the queue of borderline pairs (pseudonyms, match weight and
probability, the waterfall of evidence), accept / reject / reopen / merge / split / undo — each reversible
and audited by `redzone.link` — and, for roles allowed `link.run`, a run in the background. Incident
pairs have their own pages (`linkage_incidents`); undo serves both.

Nothing here unseals an identity: the page shows only what `redzone.link.pair_view` returns."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from redzone.errors import NotFound, Problem, ValidationError
from redzone.link import LinkSettings, clusters, current_run, decide, decisions, pair_view, review_queue, run_linkage
from redzone.link import merge as merge_records
from redzone.link import split as split_out
from redzone.link import undo as undo_decision
from redzone.messages import Message
from redzone.records.models import LinkPair, LinkRun
from redzone.web.deps import DbSession, WorkspaceDep, context, requires
from redzone.web.forms import Problems, optional_float
from redzone.web.jobs import jobs_of
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)
PERSON_ROLES = ("victim", "witness", "perpetrator")
JOB = "linkage"


def _role(role: str) -> str:
    if role not in PERSON_ROLES:
        raise ValidationError(Problem("role", Message("%(role)s: choose one of %(items)s",
                                                      role=repr(role[:20]), items=', '.join(PERSON_ROLES))))
    return role


def waterfall_chart(steps: list[dict[str, Any]], width: int = 640) -> dict[str, Any]:
    """Geometry of the waterfall drawn as SVG (attributes, no inline styles): one row per comparison,
    a bar from the running total before it to the total after it; the last line is the match weight.

    The axis is labelled at round values (steps of 1, 2 or 5 times a power of ten) at least
    `_TICK_GAP` pixels apart, 0 always among them, each label centred on its tick: labels can
    never overlap, even when zero lies at one end of the axis (all totals negative, the usual case
    for a pair that does not match)."""
    row, label_width, value_width = 24, 190, 64
    plot = width - label_width - value_width
    totals = [0.0] + [s["cumulative"] for s in steps]
    low, high = min(totals), max(totals)
    span = (high - low) or 1.0
    low, high = low - span * 0.04, high + span * 0.04

    def x(value: float) -> float:
        return round(label_width + (value - low) / (high - low) * plot, 1)

    bars = []
    before = 0.0
    for i, step in enumerate(steps):
        after = step["cumulative"]
        left, right = sorted((x(before), x(after)))
        kind = "prior" if step["comparison"] == "prior" else ("positive" if step["weight"] >= 0 else "negative")
        bars.append({"y": 8 + i * row, "x": left, "width": max(right - left, 1.5), "kind": kind,
                     "label": step["comparison"], "level": step["level"], "weight": step["weight"],
                     "text_y": 8 + i * row + 15})
        before = after
    height = 8 + len(steps) * row + 26
    axis_y = height - 18
    ticks = [{"x": x(value), "label": _tick_label(value)} for value in _round_ticks(low, high, plot)]
    return {"width": width, "height": height, "bars": bars, "zero": x(0.0), "total": x(before),
            "axis_y": axis_y, "value_x": width - value_width + 6, "plot_left": label_width,
            "plot_right": label_width + plot, "ticks": ticks, "tick_text_y": height - 4}


_TICK_GAP = 48  # pixels between axis labels: room for "-100" in the 11px chart font and a space


def _round_ticks(low: float, high: float, plot: float) -> list[float]:
    """Multiples of the smallest round step (1, 2, 5 x 10^k) whose ticks lie `_TICK_GAP` apart."""
    smallest = (high - low) * _TICK_GAP / plot
    power = 10.0 ** math.floor(math.log10(smallest))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= smallest)
    first, last = math.ceil(low / step), math.floor(high / step)
    return [k * step for k in range(first, last + 1)]


def _tick_label(value: float) -> str:
    text = f"{value:.10g}"
    return "0" if text == "-0" else text.replace("-", "\u2212")


@router.get("/linkage", dependencies=[requires("link.review")])
def linkage_page(request: Request, session: DbSession, role: str = "victim") -> Response:
    actor = request.state.principal.actor
    role = _role(role)
    run = current_run(session, role, required=False)
    queue, log, groups = [], [], []
    if run is not None:
        queue = review_queue(session, actor, role, limit=50)
        log = decisions(session, actor, role, limit=20)
        groups = clusters(session, actor, role)
    job = jobs_of(request.app).latest(JOB)
    return render(request, "linkage.html", run=run, queue=queue, log=log, clusters=groups[:40],
                  cluster_total=len(groups), role=role, roles=PERSON_ROLES, job=job, defaults=LinkSettings())


def _current_pair(session, pair_id: int) -> tuple[LinkPair, LinkRun]:  # noqa: ANN001
    pair = session.get(LinkPair, pair_id)
    if pair is None:
        raise NotFound(Message("no linked pair #%(pair_id)s", pair_id=pair_id))
    run = session.get(LinkRun, pair.run_id)
    return pair, run


@router.get("/linkage/pairs/{pair_id}", dependencies=[requires("link.review")])
def pair_page(request: Request, session: DbSession, pair_id: int) -> Response:
    actor = request.state.principal.actor
    pair, run = _current_pair(session, pair_id)
    view = pair_view(session, pair, run)
    latest = current_run(session, run.person_role, required=False)
    queue = [p["pair"] for p in review_queue(session, actor, run.person_role, limit=50)] \
        if latest is not None and latest.id == run.id else []
    following = next((p for p in queue if p != pair.id), None)
    return render(request, "link_pair.html", view=view, run=run, chart=waterfall_chart(view["waterfall"]),
                  current=latest is not None and latest.id == run.id, following=following)


@router.post("/linkage/pairs/{pair_id}/decision", dependencies=[requires("link.review")])
def decide_pair(request: Request, session: DbSession, workspace: WorkspaceDep, pair_id: int,
                verb: Annotated[str, Form(max_length=10)], note: Annotated[str, Form(max_length=500)] = "",
                following: Annotated[str, Form(max_length=12)] = "",
                back_to: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Decided from the queue: back to the queue; from a pair's page: on to the next pair in the queue."""
    outcome = decide(context(session, workspace, request.state.principal), pair_id, verb, note.strip())
    done = f"done={outcome['kind']}&decision={outcome['decision']}"
    if back_to in PERSON_ROLES:
        return RedirectResponse(f"/linkage?role={back_to}&{done}#queue", status_code=303)
    target = f"/linkage/pairs/{int(following)}" if following.isdigit() else f"/linkage/pairs/{pair_id}"
    return RedirectResponse(f"{target}?{done}", status_code=303)


@router.post("/linkage/split", dependencies=[requires("link.review")])
def split_record(request: Request, session: DbSession, workspace: WorkspaceDep,
                 cluster: Annotated[str, Form(max_length=40)], person: Annotated[str, Form(max_length=40)],
                 note: Annotated[str, Form(max_length=500)] = "") -> Response:
    outcome = split_out(context(session, workspace, request.state.principal), cluster.strip(), person.strip(),
                        note.strip())
    return RedirectResponse(f"/linkage?done=split&decision={outcome['decision']}#decisions", status_code=303)


@router.post("/linkage/merge", dependencies=[requires("link.review")])
def merge_pair(request: Request, session: DbSession, workspace: WorkspaceDep,
               person_a: Annotated[str, Form(max_length=40)], person_b: Annotated[str, Form(max_length=40)],
               note: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Two records the model did not pair, linked by hand (person codes only)."""
    outcome = merge_records(context(session, workspace, request.state.principal), person_a.strip(), person_b.strip(),
                            note.strip())
    return RedirectResponse(f"/linkage?done=merge&decision={outcome['decision']}#decisions", status_code=303)


@router.post("/linkage/decisions/{decision_id}/undo", dependencies=[requires("link.review")])
def undo(request: Request, session: DbSession, workspace: WorkspaceDep, decision_id: int,
         note: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Undoes a person or an incident decision (one log); back to the page that lists it."""
    outcome = undo_decision(context(session, workspace, request.state.principal), decision_id, note.strip())
    page = "/linkage/incidents" if outcome["records"] == "incident" else "/linkage"
    return RedirectResponse(f"{page}?done=undo&decision={outcome['decision']}#decisions", status_code=303)


@router.post("/linkage/run", dependencies=[requires("link.run")])
def start_run(request: Request, workspace: WorkspaceDep,
              person_role: Annotated[str, Form(max_length=20)],
              threshold: Annotated[str, Form(max_length=10)] = "",
              review_low: Annotated[str, Form(max_length=10)] = "",
              review_high: Annotated[str, Form(max_length=10)] = "") -> Response:
    actor = request.state.principal.actor
    problems = Problems()
    changes: dict[str, Any] = {"person_role": _role(person_role)}
    for name, value in (("threshold", threshold), ("review_low", review_low), ("review_high", review_high)):
        number = optional_float(problems, name, value)
        if number is not None:
            changes[name] = number
    problems.raise_if_any()
    settings = LinkSettings().with_changes(**changes)  # checked here, so a wrong value is a 422 now
    jobs_of(request.app).start(JOB, actor.username, lambda: run_linkage(workspace, actor, settings).to_dict(),
                               person_role=settings.person_role)
    return RedirectResponse(f"/linkage?role={settings.person_role}&started=1", status_code=303)


@router.get("/linkage/run/status", dependencies=[requires("link.review")])
def run_status(request: Request) -> Response:
    job = jobs_of(request.app).latest(JOB)
    return JSONResponse(job.to_dict() if job else {"status": "none"})
