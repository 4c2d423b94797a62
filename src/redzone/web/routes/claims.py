"""The claims ledger: each measure with every figure asserted for it, side by side, traced to the
source that asserted it (and to the quoted passage); and recording a new claim."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from redzone.errors import Problem
from redzone.records.entry import add_claim
from redzone.records.models import Claim, Source
from redzone.vocab import load_vocabulary
from redzone.web.deps import DbSession, WorkspaceDep, context, requires
from redzone.web.forms import Problems, optional_float, optional_int
from redzone.web.rendering import render

router = APIRouter(include_in_schema=False)


def ledger(session, measure: str = "") -> dict[str, list[tuple[Claim, Source]]]:  # noqa: ANN001
    query = sa.select(Claim, Source).join(Source, Source.id == Claim.source_id)
    if measure:
        query = query.where(Claim.measure == measure)
    groups: dict[str, list[tuple[Claim, Source]]] = {}
    for claim, source in session.execute(query.order_by(Claim.measure, Claim.year, Source.date, Claim.id).limit(2000)):
        groups.setdefault(claim.measure, []).append((claim, source))
    return groups


@router.get("/claims", dependencies=[requires("claim.view")])
def claims_ledger(request: Request, session: DbSession, measure: str = "", source: str = "",
                  recorded: str = "") -> Response:
    groups = ledger(session, measure)
    widest = {m: max((c.value_max or c.value) for c, _ in rows) or 1 for m, rows in groups.items()}
    measures = list(session.scalars(sa.select(Claim.measure).distinct().order_by(Claim.measure)))
    units = list(session.scalars(sa.select(Claim.unit).distinct().order_by(Claim.unit).limit(200)))
    return render(request, "claims.html", groups=groups, widest=widest, measure=measure, measures=measures,
                  units=units, qualifiers=list(load_vocabulary().lists["qualifiers"]), source_code=source[:40],
                  recorded=recorded[:40])


def _figure(problems: Problems, name: str, value: str) -> float | None:
    """A figure as people write it: 500000, 500,000 or 500 000."""
    return optional_float(problems, name, value.replace(",", "").replace(" ", "").replace("\u00a0", ""))


@router.post("/claims", dependencies=[requires("claim.create")])
def record_claim(
    request: Request, session: DbSession, workspace: WorkspaceDep,
    source: Annotated[str, Form(max_length=40)] = "",
    measure: Annotated[str, Form(max_length=120)] = "",
    qualifier: Annotated[str, Form(max_length=20)] = "exact",
    value: Annotated[str, Form(max_length=30)] = "",
    value_max: Annotated[str, Form(max_length=30)] = "",
    unit: Annotated[str, Form(max_length=40)] = "persons",
    scope: Annotated[str, Form(max_length=200)] = "",
    year: Annotated[str, Form(max_length=6)] = "",
    quote: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    problems = Problems()
    asserting = session.scalar(sa.select(Source).where(Source.code == source.strip())) if source.strip() else None
    if asserting is None:
        problems.append(Problem("source", f"no source with code {source.strip()[:40]!r}" if source.strip()
                                else "name the source that asserts the figure (its code)"))
    figure = _figure(problems, "value", value)
    if figure is None and not any(p.field == "value" for p in problems):
        problems.append(Problem("value", "the figure is missing"))
    highest = _figure(problems, "value_max", value_max)
    when = optional_int(problems, "year", year, 1900, 2100)
    problems.raise_if_any()
    claim = add_claim(context(session, workspace, request.state.principal), source=asserting, measure=measure,
                      value=figure, value_max=highest, qualifier=qualifier, unit=unit, scope=scope, year=when,
                      quote=quote or None)
    query = urlencode({"measure": claim.measure, "recorded": claim.code})
    return RedirectResponse(f"/claims?{query}#claim-{claim.code}", status_code=303)
