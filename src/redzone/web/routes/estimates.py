"""Estimates: documented against estimated, whole or by stratum, each with its interval, and the
competing methods side by side so a reader sees how much the choice matters — with every warning
in plain words. `redzone.estimate.estimate_workspace` does the work.

The page itself runs only the quick methods without bootstrap (cached until the data change);
bootstrap intervals and the latent-class model run in the background on request."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from redzone.errors import Problem, ValidationError
from redzone.estimate import DEFAULT_METHODS, METHODS, StratumEstimate, estimate_workspace
from redzone.messages import Message
from redzone.records.models import LinkDecision, LinkRun, Person
from redzone.web import i18n
from redzone.web.deps import DbSession, WorkspaceDep, requires
from redzone.web.forms import Problems, optional_int
from redzone.web.jobs import jobs_of
from redzone.web.rendering import label, render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)
JOB = "estimates"
STRATIFY = ("province", "crossing_period", "crossing_year", "birth_decade")
SLOW = ("lcmcr",)  # about 7 s a table (Kosovo, defaults): only in the background
REPLICATES = (0, 100, 200, 500, 1000)
CACHE_SECONDS = 600.0


def _n(message: str) -> str:  # marks a string for extraction; translated when shown
    return message


METHOD_NAMES = {"bic": _n("Log-linear, chosen by BIC"), "aic": _n("Log-linear, chosen by AIC"),
                "stepwise": _n("Log-linear, stepwise (p 0.02)"), "lcmcr": _n("Bayesian latent classes (LCMCR)"),
                "chao": _n("Chao lower bound"), "lincoln-petersen": _n("Lincoln–Petersen (two largest lists)")}
STRATUM_NAMES = {"": _n("Whole workspace"), "province": _n("Province of origin"),
                 "crossing_period": _n("Period of crossing (5 years)"), "crossing_year": _n("Year of crossing"),
                 "birth_decade": _n("Decade of birth")}


def method_name(method: str) -> str:
    return i18n.gettext_(METHOD_NAMES.get(method, method))


def stratum_label(stratify: str, stratum: str | None) -> str:
    if stratum is None:
        return i18n.gettext_("Whole workspace")
    if stratum == "unknown":
        return i18n.gettext_("unknown")
    return label("place", stratum) if stratify == "province" else str(stratum)


def _choices(stratify: str, methods: list[str]) -> tuple[str, tuple[str, ...]]:
    problems = Problems()
    if stratify and stratify not in STRATIFY:
        problems.append(Problem("stratify", Message("%(stratify)s: choose one of %(items)s or none",
                                                    stratify=repr(stratify[:30]), items=', '.join(STRATIFY))))
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        problems.append(Problem("methods", Message("unknown %(unknown)s; choose from %(choices)s",
                                                   unknown=", ".join(repr(m[:20]) for m in unknown),
                                                   choices=", ".join(METHODS))))
    problems.raise_if_any()
    return stratify, tuple(m for m in METHODS if m in methods) or DEFAULT_METHODS


def data_version(session) -> tuple:  # noqa: ANN001
    """What the estimates depend on: the person records and the linkage (runs and decisions). Edits
    to a person's fields are not seen here: the cache also expires, and "Recompute" skips it."""
    return tuple(session.scalar(sa.select(sa.func.max(column))) or 0
                 for column in (Person.id, LinkRun.id, LinkDecision.id))


def _quick(request: Request, session, actor, stratify: str, methods: tuple[str, ...],  # noqa: ANN001
           fresh: bool) -> tuple[list[StratumEstimate], float]:
    """The quick methods without bootstrap, cached per (data version, choice); returns when computed."""
    cache = _cache(request)
    key = (data_version(session), stratify, methods)
    entry = cache.get(key)
    if entry and not fresh and time.monotonic() - entry[0] < CACHE_SECONDS:
        return entry[1], entry[2]
    found = estimate_workspace(session, actor, methods=[m for m in methods if m not in SLOW],
                               stratify=stratify or None)
    if len(cache) >= 8:
        cache.pop(next(iter(cache)))
    cache[key] = (time.monotonic(), found, time.time())
    return found, time.time()


def _cache(request: Request) -> dict:
    state = request.app.state
    if not hasattr(state, "estimate_cache"):
        state.estimate_cache = {}
    return state.estimate_cache


def _rows(stratify: str, strata: list[StratumEstimate]) -> list[dict[str, Any]]:
    """Plain rows for the template and the chart: per stratum, documented and each method."""
    out = []
    for found in strata:
        methods = []
        for result in found.results:
            interval = result.interval
            methods.append({"method": result.method, "name": method_name(result.method),
                            "estimate": round(float(result.estimate), 1),
                            "low": None if interval is None else round(float(interval[0]), 1),
                            "high": None if interval is None else round(float(interval[1]), 1),
                            "model": result.model, "warnings": result.warnings,
                            "interval_method": result.details.get("interval_method", ""),
                            "bootstrap": "bootstrap" in result.details})
        failed = [{"method": m, "name": method_name(m), "reason": reason} for m, reason in found.failures.items()]
        head = next((m for m in methods if m["method"] != "chao"), methods[0] if methods else None)
        competing = [{**c, "name": method_name(c["method"]), "estimate": round(c["estimate"], 1)}
                     for c in found.competing_models(top=5)]
        out.append({"stratum": found.stratum, "label": stratum_label(stratify, found.stratum), "competing": competing,
                    "observed": found.observed, "lists": list(found.lists), "methods": methods, "failed": failed,
                    "warnings": found.warnings, "spread": found.spread, "headline": head})
    return out


def _chart_data(rows: list[dict[str, Any]]) -> Markup:
    data = {"documented": i18n.gettext_("documented"),
            "strata": [{"label": r["label"], "observed": r["observed"],
                        "methods": [{k: m[k] for k in ("method", "name", "estimate", "low", "high")}
                                    for m in r["methods"]],
                        "competing": [{k: c[k] for k in ("name", "estimate", "rank", "chosen")}
                                      for c in r["competing"] if not c["chosen"]]} for r in rows]}
    return Markup(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))


@router.get("/estimates", dependencies=[requires("estimate.run")])
def estimates_page(request: Request, session: DbSession, workspace: WorkspaceDep, stratify: str = "",
                   methods: Annotated[list[str], Query()] = [], fresh: bool = False) -> Response:  # noqa: B006
    actor = request.state.principal.actor
    stratify, chosen = _choices(stratify, methods)
    job = jobs_of(request.app).latest(JOB)
    version = data_version(session)
    source = "quick"
    if (job is not None and job.status == "done" and job.parameters.get("stratify") == stratify
            and job.parameters.get("methods") == list(chosen) and job.parameters.get("version") == list(version)):
        strata, source, computed = [StratumEstimate.from_dict(s) for s in job.result], "job", job.finished
    else:
        strata, computed = _quick(request, session, actor, stratify, chosen, fresh)
    rows = _rows(stratify, strata)
    # Warnings every stratum shares (the linkage still under review…) are said once, above them all.
    shared = [w for w in rows[0]["warnings"] if all(w in r["warnings"] for r in rows)] if len(rows) > 1 else []
    for row in rows:
        row["warnings"] = [w for w in row["warnings"] if w not in shared]
        for method in row["methods"]:
            method["warnings"] = [w for w in method["warnings"] if w not in shared]
    slow_missing = [m for m in chosen if m in SLOW] if source == "quick" else []
    return render(request, "estimates.html", rows=rows, chart_data=_chart_data(rows), stratify=stratify,
                  chosen=chosen, methods=METHODS, method_name=method_name, stratify_choices=STRATIFY,
                  stratum_names={k: i18n.gettext_(v) for k, v in STRATUM_NAMES.items()}, job=job, source=source,
                  replicates=REPLICATES, slow_missing=slow_missing, shared=shared,
                  computed=dt.datetime.fromtimestamp(computed or time.time()).strftime("%H:%M:%S"), demo=workspace.config.demo,
                  job_matches=job is not None and job.parameters.get("stratify") == stratify
                  and job.parameters.get("methods") == list(chosen))


@router.post("/estimates/compute", dependencies=[requires("estimate.run")])
def compute(request: Request, session: DbSession, workspace: WorkspaceDep,
            replicates: Annotated[str, Form(max_length=6)],
            stratify: Annotated[str, Form(max_length=30)] = "",
            methods: Annotated[list[str], Form()] = [],  # noqa: B006
            seed: Annotated[str, Form(max_length=10)] = "") -> Response:
    actor = request.state.principal.actor
    stratify, chosen = _choices(stratify, methods)
    problems = Problems()
    n_boot = optional_int(problems, "replicates", replicates, 0, 5000)
    chosen_seed = optional_int(problems, "seed", seed, 0, 2**31 - 1)
    problems.raise_if_any()
    if n_boot not in REPLICATES:
        raise ValidationError(Problem("replicates", Message("choose one of %(items)s",
                                                            items=', '.join(map(str, REPLICATES)))))
    version = data_version(session)
    jobs_of(request.app).start(  # kept as JSON, so that any server process can show it
        JOB, actor.username,
        lambda: [found.to_dict(details=True) for found in estimate_workspace(
            workspace, actor, methods=list(chosen), stratify=stratify or None, n_boot=n_boot,
            seed=1234 if chosen_seed is None else chosen_seed)],
        stratify=stratify, methods=list(chosen), version=list(version), replicates=n_boot)
    query = "&".join([f"stratify={stratify}"] + [f"methods={m}" for m in chosen])
    return RedirectResponse(f"/estimates?{query}&started=1", status_code=303)


@router.get("/estimates/status", dependencies=[requires("estimate.run")])
def status(request: Request) -> Response:
    job = jobs_of(request.app).latest(JOB)
    return JSONResponse(job.to_dict() if job else {"status": "none"})
