"""The audit log for administrators: who created, edited, viewed what and when (never a value),
and whether the hash chain is intact."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response

from redzone.records.models import AuditEntry
from redzone.security import audit as audit_log
from redzone.security.audit_actions import AUDIT_ACTIONS, RECORD_TYPES
from redzone.security.policy import allowed
from redzone.web.deps import DbSession, WorkspaceDep, requires
from redzone.web.forms import like_pattern
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)


@router.get("/audit", dependencies=[requires("audit.view")])
def audit_page(request: Request, session: DbSession, workspace: WorkspaceDep, actor: str = "", action: str = "",
               record: str = "", before: int | None = None, verify: bool = False) -> Response:
    query = sa.select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor[:80])
    if action:
        query = query.where(AuditEntry.action.like(like_pattern(action[:60]), escape="\\"))
    if record:
        query = query.where(AuditEntry.record_id == record[:60])
    if before:
        query = query.where(AuditEntry.id < before)
    entries = list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(100)))
    report = audit_log.verify(session, workspace.keys.audit_key) \
        if verify and allowed(request.state.principal.actor, "audit.verify") else None
    return render(request, "audit.html", entries=entries, actor_filter=actor, action=action, record=record,
                  report=report, action_labels=AUDIT_ACTIONS, record_labels=RECORD_TYPES,
                  next_before=entries[-1].id if len(entries) == 100 else None)
