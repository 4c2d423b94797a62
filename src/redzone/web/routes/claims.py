"""The claims ledger: each measure with every figure asserted for it, side by side, traced to the
source that asserted it."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response

from redzone.records.models import Claim, Source
from redzone.web.deps import DbSession, requires
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
def claims_ledger(request: Request, session: DbSession, measure: str = "") -> Response:
    groups = ledger(session, measure)
    widest = {m: max((c.value_max or c.value) for c, _ in rows) or 1 for m, rows in groups.items()}
    measures = list(session.scalars(sa.select(Claim.measure).distinct().order_by(Claim.measure)))
    return render(request, "claims.html", groups=groups, widest=widest, measure=measure, measures=measures)
