"""The claims ledger: each measure with every figure asserted for it, side by side, traced to the
source that asserted it (and to the quoted passage); recording a new claim, correcting or deleting
one. A rejected form comes back with its problems beside the fields and what was typed."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.errors import Problem, ValidationError
from redzone.messages import Message
from redzone.records.corrections import get_claim, remove_claim, update_claim
from redzone.records.entry import add_claim
from redzone.records.models import Claim, Source
from redzone.vocab import load_vocabulary
from redzone.web.deps import DbSession, WorkspaceDep, context, requires
from redzone.web.form_errors import by_field, rejected
from redzone.web.forms import Problems, optional_float, optional_int
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)


def ledger(session, measure: str = "") -> dict[str, list[tuple[Claim, Source]]]:  # noqa: ANN001
    query = sa.select(Claim, Source).join(Source, Source.id == Claim.source_id)
    if measure:
        query = query.where(Claim.measure == measure)
    groups: dict[str, list[tuple[Claim, Source]]] = {}
    for claim, source in session.execute(query.order_by(Claim.measure, Claim.year, Source.date, Claim.id).limit(2000)):
        groups.setdefault(claim.measure, []).append((claim, source))
    return groups


CLAIM_FIELDS = ("source", "measure", "qualifier", "value", "value_max", "unit", "scope", "year", "quote")
RENAMES = {"span": "quote"}


def _ledger_page(request: Request, session, measure: str = "", source: str = "", recorded: str = "",  # noqa: ANN001
                 values: dict | None = None, errors: dict | None = None, status_code: int = 200) -> Response:
    groups = ledger(session, measure)
    widest = {m: max((c.value_max or c.value) for c, _ in rows) or 1 for m, rows in groups.items()}
    measures = list(session.scalars(sa.select(Claim.measure).distinct().order_by(Claim.measure)))
    units = list(session.scalars(sa.select(Claim.unit).distinct().order_by(Claim.unit).limit(200)))
    values = values or {"source": source[:40], "qualifier": "exact", "unit": "persons"}
    return render(request, "claims.html", status_code=status_code, groups=groups, widest=widest, measure=measure,
                  measures=measures, units=units, qualifiers=list(load_vocabulary().lists["qualifiers"]),
                  source_code=values.get("source", ""), recorded=recorded[:40], values=values, errors=errors or {},
                  removed=request.query_params.get("removed", "")[:40],
                  corrected=request.query_params.get("corrected", "")[:40])


@router.get("/claims", dependencies=[requires("claim.view")])
def claims_ledger(request: Request, session: DbSession, measure: str = "", source: str = "",
                  recorded: str = "") -> Response:
    return _ledger_page(request, session, measure, source, recorded)


def _figure(problems: Problems, name: str, value: str) -> float | None:
    """A figure as people write it: 500000, 500,000 or 500 000."""
    return optional_float(problems, name, value.replace(",", "").replace(" ", "").replace("\u00a0", ""))


def _figures(problems: Problems, value: str, value_max: str, year: str) -> tuple:  # noqa: ANN001
    figure = _figure(problems, "value", value)
    if figure is None and not any(p.field == "value" for p in problems):
        problems.append(Problem("value", "the figure is missing"))
    return figure, _figure(problems, "value_max", value_max), optional_int(problems, "year", year, 1900, 2100)


Text = Annotated[str, Form(max_length=200)]


@router.post("/claims", dependencies=[requires("claim.create")])
def record_claim(
    request: Request, session: DbSession, workspace: WorkspaceDep,
    source: Annotated[str, Form(max_length=40)] = "",
    measure: Annotated[str, Form(max_length=120)] = "",
    qualifier: Annotated[str, Form(max_length=20)] = "exact",
    value: Annotated[str, Form(max_length=30)] = "",
    value_max: Annotated[str, Form(max_length=30)] = "",
    unit: Annotated[str, Form(max_length=40)] = "persons",
    scope: Text = "",
    year: Annotated[str, Form(max_length=6)] = "",
    quote: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        problems = Problems()
        asserting = session.scalar(sa.select(Source).where(Source.code == source.strip())) if source.strip() else None
        if asserting is None:
            problems.append(Problem("source", Message("no source with code %(code)s", code=repr(source.strip()[:40]))
                                    if source.strip() else "name the source that asserts the figure (its code)"))
        figure, highest, when = _figures(problems, value, value_max, year)
        problems.raise_if_any()
        claim = add_claim(context(session, workspace, request.state.principal), source=asserting, measure=measure,
                          value=figure, value_max=highest, qualifier=qualifier, unit=unit, scope=scope, year=when,
                          quote=quote or None)
    except ValidationError as error:
        typed = dict(zip(CLAIM_FIELDS, (source, measure, qualifier, value, value_max, unit, scope, year, quote)))
        return rejected(session, workspace, lambda fresh: _ledger_page(
            request, fresh, values=typed, errors=by_field(error, RENAMES), status_code=422))
    query = urlencode({"measure": claim.measure, "recorded": claim.code})
    return RedirectResponse(f"/claims?{query}#claim-{claim.code}", status_code=303)


def _edit_page(request: Request, session, code: str, values: dict | None = None, errors: dict | None = None,  # noqa: ANN001
               status_code: int = 200) -> Response:
    claim = get_claim(session, code)
    source = session.get(Source, claim.source_id)
    if values is None:
        values = {"measure": claim.measure, "qualifier": claim.qualifier, "unit": claim.unit, "scope": claim.scope,
                  "value": f"{claim.value:,.0f}" if claim.value == int(claim.value) else str(claim.value),
                  "value_max": "" if claim.value_max is None else (f"{claim.value_max:,.0f}" if claim.value_max == int(
                      claim.value_max) else str(claim.value_max)),
                  "year": "" if claim.year is None else str(claim.year), "quote": ""}
    return render(request, "claim_edit.html", status_code=status_code, claim=claim, source=source, values=values,
                  errors=errors or {}, qualifiers=list(load_vocabulary().lists["qualifiers"]))


@router.get("/claims/{code}/edit", dependencies=[requires("claim.edit")])
def claim_edit_form(request: Request, session: DbSession, code: str) -> Response:
    return _edit_page(request, session, code)


@router.post("/claims/{code}/edit", dependencies=[requires("claim.edit")])
def correct_claim(
    request: Request, session: DbSession, workspace: WorkspaceDep, code: str,
    measure: Annotated[str, Form(max_length=120)] = "",
    qualifier: Annotated[str, Form(max_length=20)] = "exact",
    value: Annotated[str, Form(max_length=30)] = "",
    value_max: Annotated[str, Form(max_length=30)] = "",
    unit: Annotated[str, Form(max_length=40)] = "persons",
    scope: Text = "",
    year: Annotated[str, Form(max_length=6)] = "",
    quote: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Correct a claim; its quoted passage stays unless new quoted words are given."""
    claim = get_claim(session, code)
    try:
        problems = Problems()
        figure, highest, when = _figures(problems, value, value_max, year)
        problems.raise_if_any()
        update_claim(context(session, workspace, request.state.principal), claim, measure=measure, value=figure,
                     value_max=highest, qualifier=qualifier, unit=unit, scope=scope, year=when, quote=quote or None,
                     keep_span=True)
    except ValidationError as error:
        typed = dict(zip(CLAIM_FIELDS[1:], (measure, qualifier, value, value_max, unit, scope, year, quote)))
        return rejected(session, workspace, lambda fresh: _edit_page(
            request, fresh, code, values=typed, errors=by_field(error, RENAMES), status_code=422))
    query = urlencode({"measure": claim.measure, "corrected": claim.code})
    return RedirectResponse(f"/claims?{query}#claim-{claim.code}", status_code=303)


@router.post("/claims/{code}/delete", dependencies=[requires("claim.edit")])
def delete_claim(request: Request, session: DbSession, workspace: WorkspaceDep, code: str) -> Response:
    claim = get_claim(session, code)
    measure = claim.measure
    remove_claim(context(session, workspace, request.state.principal), claim)
    return RedirectResponse(f"/claims?{urlencode({'measure': measure, 'removed': code})}", status_code=303)
