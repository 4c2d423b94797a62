"""Evidence: the list, uploading a file (stored encrypted; its SHA-256 shown), one file's custody log."""

from __future__ import annotations

from typing import Annotated, BinaryIO

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from redzone.errors import NotFound, Problem, ValidationError
from redzone.evidence import add_evidence, custody_mismatches, open_evidence
from redzone.messages import Message
from redzone.records.models import CustodyEntry, Evidence, Source
from redzone.web.deps import DbSession, WorkspaceDep, context, requires
from redzone.web.rendering import render
from redzone.web.routing import SessionInRouteThread

router = APIRouter(include_in_schema=False, route_class=SessionInRouteThread)


class UploadTooLarge(ValidationError):
    """A file over `WebSettings.max_upload_bytes`: 413, naming the field."""

    http_status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(Problem("file", Message("is larger than the limit of %(limit)s bytes", limit=f"{limit:,}")))


class _Limited:
    """A read-only view of an upload that raises once more than `limit` bytes have been read, so the
    evidence store stops sealing mid-stream and removes its temporary file."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream, self._limit, self._read = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        # Ask for one byte beyond what is left, so a file exactly at the limit passes and one over fails.
        left = self._limit - self._read + 1
        chunk = self._stream.read(left if size is None or size < 0 else min(size, left))
        self._read += len(chunk)
        if self._read > self._limit:
            raise UploadTooLarge(self._limit)
        return chunk


@router.get("/evidence", dependencies=[requires("evidence.view")])
def evidence_list(request: Request, session: DbSession) -> Response:
    rows = session.execute(sa.select(Evidence, Source.code).outerjoin(Source, Source.id == Evidence.source_id)
                           .order_by(Evidence.id.desc()).limit(200)).all()
    return render(request, "evidence_list.html", rows=rows)


@router.post("/evidence", dependencies=[requires("evidence.add")])
def upload_evidence(request: Request, session: DbSession, workspace: WorkspaceDep, file: Annotated[UploadFile, File()],
                    source: Annotated[str, Form(max_length=40)] = "",
                    acquisition_method: Annotated[str, Form(max_length=200)] = "",
                    acquired_by: Annotated[str, Form(max_length=80)] = "") -> Response:
    limit = request.app.state.settings.max_upload_bytes
    if file.size is not None and file.size > limit:  # known from the parsed form: refuse before any write
        raise UploadTooLarge(limit)
    ctx = context(session, workspace, request.state.principal)
    evidence = add_evidence(ctx, workspace.evidence_dir, _Limited(file.file, limit), source=source.strip() or None,
                            acquisition_method=acquisition_method, acquired_by=acquired_by,
                            original_name=(file.filename or "")[:200] or None,
                            media_type=None)
    return RedirectResponse(f"/evidence/{evidence.code}?added=1", status_code=303)


@router.get("/evidence/{code}", dependencies=[requires("evidence.view")])
def evidence_detail(request: Request, session: DbSession, workspace: WorkspaceDep, code: str) -> Response:
    """One file's facts and its custody log, marked when the log no longer matches the audit chain."""
    evidence = session.scalar(sa.select(Evidence).where(Evidence.code == code))
    if evidence is None:
        raise NotFound(Message("no evidence with code %(code)s", code=repr(code)))
    custody = list(session.scalars(sa.select(CustodyEntry).where(CustodyEntry.evidence_id == evidence.id)
                                   .order_by(CustodyEntry.id)))
    mismatch = custody_mismatches(context(session, workspace, request.state.principal), [evidence.id]).get(evidence.id)
    source = session.get(Source, evidence.source_id) if evidence.source_id else None
    return render(request, "evidence.html", evidence=evidence, custody=custody, source=source, mismatch=mismatch)


@router.get("/evidence/{code}/file", dependencies=[requires("evidence.open")])
def evidence_file(request: Request, session: DbSession, workspace: WorkspaceDep, code: str) -> Response:
    """The decrypted file, its digest checked first; a custody entry and an audit entry record the view.
    Always a download (never rendered in the page's origin: a file may hold markup)."""
    ctx = context(session, workspace, request.state.principal)
    content = open_evidence(ctx, workspace.evidence_dir, code, purpose="web download")
    return Response(content, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{code}.bin"',
                             "Content-Security-Policy": "default-src 'none'; sandbox"})
