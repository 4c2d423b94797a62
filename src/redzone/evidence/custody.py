"""Chain of custody: every hand an evidence file passed through and every use made of it.

Threat: a court or a UN mechanism will ask who held a recording, who opened it and whether it
is the file first acquired; a gap or a silent edit makes the evidence worthless, and an insider
may want to hide a view. Mechanism: custody entries are only ever appended (no function here
updates or deletes one), each names the actor, the action, the holder after it and, when the
file was read, the SHA-256 found; every append is mirrored by an entry of the HMAC-chained
audit log (`security/audit.py`), so an edited custody row no longer matches the chain.

Actions: acquired, viewed, transferred, exported, verified.
"""

from __future__ import annotations

import sqlalchemy as sa

from redzone.errors import NotFound, Problem, ValidationError
from redzone.records.entry import Context
from redzone.records.models import CustodyEntry, Evidence
from redzone.security.policy import require

CUSTODY_ACTIONS = ("acquired", "viewed", "transferred", "exported", "verified")
# Actions after which somebody else holds the file (the others leave the holder as it was).
_HAND_OVER = ("acquired", "transferred")


def find_evidence(ctx: Context, code: str) -> Evidence:
    evidence = ctx.session.scalars(sa.select(Evidence).where(Evidence.code == code)).one_or_none()
    if evidence is None:
        raise NotFound(f"no evidence with code {code!r}")
    return evidence


def custody_log(ctx: Context, code: str) -> list[CustodyEntry]:
    """Every custody entry of one evidence file, oldest first."""
    require(ctx.actor, "evidence.view")
    evidence = find_evidence(ctx, code)
    return list(ctx.session.scalars(
        sa.select(CustodyEntry).where(CustodyEntry.evidence_id == evidence.id).order_by(CustodyEntry.id)))


def current_holder(ctx: Context, evidence: Evidence) -> str:
    """Who holds the file now: the holder named by the latest acquisition or transfer."""
    holder = ctx.session.scalar(
        sa.select(CustodyEntry.holder).where(CustodyEntry.evidence_id == evidence.id,
                                             CustodyEntry.action.in_(_HAND_OVER))
        .order_by(CustodyEntry.id.desc()).limit(1))
    return holder or ""


def append_entry(ctx: Context, evidence: Evidence, action: str, *, holder: str | None = None, note: str = "",
                 sha256: str | None = None) -> CustodyEntry:
    """Append one custody entry and its audit twin. The caller has checked the policy."""
    if action not in CUSTODY_ACTIONS:
        raise ValueError(f"unknown custody action {action!r}")
    entry = CustodyEntry(evidence_id=evidence.id, actor=ctx.actor.username, action=action,
                         holder=holder if holder is not None else current_holder(ctx, evidence),
                         note=note, sha256=sha256)
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.audit(f"evidence.{action}", "evidence", evidence.code,
              {"custody_entry": entry.id, "holder": entry.holder, "sha256": sha256})
    return entry


def check_text(problems: list[Problem], name: str, value: str, limit: int, required: bool = False) -> None:
    if required and not value.strip():
        problems.append(Problem(name, "must not be empty"))
    if len(value) > limit:
        problems.append(Problem(name, f"is longer than {limit} characters"))


def transfer(ctx: Context, code: str, holder: str, note: str = "") -> CustodyEntry:
    """Record that the file (or the medium holding it) passed to `holder`."""
    require(ctx.actor, "evidence.add")
    problems: list[Problem] = []
    check_text(problems, "holder", holder, 200, required=True)
    check_text(problems, "note", note, 2000)
    if problems:
        raise ValidationError(problems)
    return append_entry(ctx, find_evidence(ctx, code), "transferred", holder=holder.strip(), note=note)


def record_export(ctx: Context, code: str, recipient: str = "", note: str = "",
                  sha256: str | None = None) -> CustodyEntry:
    """Record that a decrypted copy left the workspace (to a file, a partner, a mechanism).

    Exporters that hand out evidence (exchange/, backup/) call this for every file they copy;
    `store.export_evidence` calls it itself. The holder of the original does not change.
    """
    require(ctx.actor, "evidence.open")
    problems: list[Problem] = []
    check_text(problems, "recipient", recipient, 200)
    check_text(problems, "note", note, 2000)
    if problems:
        raise ValidationError(problems)
    evidence = find_evidence(ctx, code)
    text = f"copy to {recipient}" + (f": {note}" if note else "") if recipient else note
    return append_entry(ctx, evidence, "exported", note=text, sha256=sha256)
