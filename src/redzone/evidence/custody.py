"""Chain of custody: every hand an evidence file passed through and every use made of it.

Threat: a court or a UN mechanism will ask who held a recording, who opened it and whether it
is the file first acquired; a gap or a silent edit makes the evidence worthless, and an insider
may want to hide a view. Mechanism: custody entries are only ever appended (no function here
updates or deletes one), each names the actor, the action, the holder after it and, when the
file was read, the SHA-256 found; every append is mirrored by an entry of the HMAC-chained
audit log (`security/audit.py`) naming the custody entry's id, holder and digest, and
`custody_mismatches` compares the two: a custody row edited, deleted or added behind the
application's back no longer matches its twin, and the twin cannot be edited to match without
breaking the chain that `redzone audit verify` checks.

Actions: acquired, viewed, transferred, exported, verified.
"""

from __future__ import annotations

import sqlalchemy as sa

from redzone.errors import NotFound, Problem, ValidationError
from redzone.messages import Message
from redzone.records.entry import Context
from redzone.records.models import AuditEntry, CustodyEntry, Evidence
from redzone.security.policy import require

CUSTODY_ACTIONS = ("acquired", "viewed", "transferred", "exported", "verified")
# Actions after which somebody else holds the file (the others leave the holder as it was).
_HAND_OVER = ("acquired", "transferred")


def find_evidence(ctx: Context, code: str) -> Evidence:
    evidence = ctx.session.scalars(sa.select(Evidence).where(Evidence.code == code)).one_or_none()
    if evidence is None:
        raise NotFound(Message("no evidence with code %(code)s", code=repr(code)))
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


def custody_mismatches(ctx: Context, evidence_ids: list[int] | None = None) -> dict[int, str]:
    """Evidence id -> the first custody entry that does not match its audit twin, for every file
    (or the files given) whose custody log differs from the audit chain; two queries in all.

    The twin is the `evidence.<action>` audit entry whose detail names the custody entry's id; the
    action, the file's code, the actor, the holder and the digest must agree, and every twin must
    have its row. The chain itself is checked by `audit verify`, not here."""
    evidence_query = sa.select(Evidence.id, Evidence.code)
    row_query = sa.select(CustodyEntry.id, CustodyEntry.evidence_id, CustodyEntry.action, CustodyEntry.actor,
                          CustodyEntry.holder, CustodyEntry.sha256)
    if evidence_ids is not None:
        evidence_query = evidence_query.where(Evidence.id.in_(evidence_ids))
        row_query = row_query.where(CustodyEntry.evidence_id.in_(evidence_ids))
    codes = dict(ctx.session.execute(evidence_query).all())
    rows = ctx.session.execute(row_query).all()
    twin_query = sa.select(AuditEntry.id, AuditEntry.action, AuditEntry.actor, AuditEntry.record_id, AuditEntry.detail) \
        .where(AuditEntry.record_type == "evidence",
               AuditEntry.action.in_([f"evidence.{action}" for action in CUSTODY_ACTIONS]))
    if evidence_ids is not None:
        twin_query = twin_query.where(AuditEntry.record_id.in_(list(codes.values())))
    twins = ctx.session.execute(twin_query).all()
    by_custody_id: dict[int, tuple] = {}
    findings: dict[int, list[tuple[int, str]]] = {}  # evidence id -> (custody id, what is wrong)
    ids_by_code = {code: evidence_id for evidence_id, code in codes.items()}
    for twin in twins:
        detail = twin.detail if isinstance(twin.detail, dict) else {}
        custody_id = detail.get("custody_entry")
        if isinstance(custody_id, int):
            by_custody_id[custody_id] = twin
    for row in rows:
        twin = by_custody_id.pop(row.id, None)
        if twin is None:
            problem = Message("custody entry %(entry)s (%(action)s) has no audit entry (added or renumbered outside "
                              "Redzone)", entry=row.id, action=row.action)
        else:
            detail = twin.detail
            differing = [name for name, ours, theirs in (
                ("action", f"evidence.{row.action}", twin.action), ("file", codes.get(row.evidence_id), twin.record_id),
                ("actor", row.actor, twin.actor), ("holder", row.holder, detail.get("holder")),
                ("sha256", row.sha256, detail.get("sha256"))) if ours != theirs]
            if not differing:
                continue
            problem = Message("custody entry %(entry)s (%(action)s) differs from audit entry %(audit)s in %(fields)s",
                              entry=row.id, action=row.action, audit=twin.id, fields=", ".join(differing))
        findings.setdefault(row.evidence_id, []).append((row.id, problem))
    for custody_id, twin in by_custody_id.items():  # twins left over: their rows are gone
        evidence_id = ids_by_code.get(twin.record_id)
        if evidence_id is not None:
            findings.setdefault(evidence_id, []).append(
                (custody_id, Message("custody entry %(entry)s (%(action)s) recorded by audit entry %(audit)s is "
                                     "missing from the custody log (deleted)", entry=custody_id,
                                     action=twin.action.removeprefix("evidence."), audit=twin.id)))
    return {evidence_id: min(found)[1] for evidence_id, found in findings.items()}


def check_text(problems: list[Problem], name: str, value: str, limit: int, required: bool = False) -> None:
    if required and not value.strip():
        problems.append(Problem(name, "must not be empty"))
    if len(value) > limit:
        problems.append(Problem(name, Message("is longer than %(limit)s characters", limit=limit)))


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

    `store.export_evidence` calls it itself; an exporter that hands a decrypted copy out must call it
    for every file it copies. A backup carries the files still encrypted and records no custody entry
    (the backup itself is audited as `backup.run`). The holder of the original does not change.
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
