"""Situation-level legal elements: findings recorded once for the whole situation or for one
perpetrator group, not per act — the widespread or systematic attack, the State policy and the
knowledge that crimes against humanity require, and what returnees face in North Korea.

They are kept, with the sources that support them, under one `WorkspaceMeta` key
(`legal.situation_elements`), so no schema change is needed. A finding for a group applies to a
victim whose acts that group perpetrated; a finding with no group applies to every victim.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import Problem, ValidationError
from redzone.messages import Message
from redzone.records.entry import Context
from redzone.records.models import Group, Source, WorkspaceMeta, utcnow
from redzone.security.policy import require
from redzone.vocab import load_vocabulary

META_KEY = "legal.situation_elements"


@dataclass(frozen=True)
class SituationFinding:
    """A situation-level element found, for the whole situation (group None) or for one group."""

    element_id: str
    group: str | None
    sources: tuple[str, ...]
    note: str
    recorded_by: str
    recorded_at: str

    @property
    def scope(self) -> str:
        return Message("group %(code)s", code=self.group) if self.group else Message("situation")

    def to_dict(self) -> dict:
        return {**asdict(self), "sources": list(self.sources), "scope": self.scope}


def situation_findings(session: Session) -> list[SituationFinding]:
    """Every recorded finding, oldest first."""
    meta = session.get(WorkspaceMeta, META_KEY)
    if meta is None:
        return []
    return [SituationFinding(element_id=f["element_id"], group=f.get("group"), sources=tuple(f.get("sources", ())),
                             note=f.get("note", ""), recorded_by=f.get("recorded_by", ""),
                             recorded_at=f.get("recorded_at", ""))
            for f in meta.value.get("findings", [])]


def record_situation_element(ctx: Context, element_id: str, *, sources: list[str], group: str | None = None,
                             note: str = "") -> SituationFinding:
    """Record that a situation-level element is evidenced, by which sources, for which scope."""
    require(ctx.actor, "elements.record")
    vocabulary = load_vocabulary()
    problems: list[Problem] = []
    element = vocabulary.elements.get(element_id)
    if element is None:
        problems.append(Problem("element", Message("%(element_id)s is not a legal element of the vocabulary",
                                                   element_id=repr(element_id))))
    elif element.level != "situation":
        problems.append(Problem("element", Message("%(element_id)s is %(level)s-level: it is evidenced by acts, not "
                                                   "recorded for the situation",
                                                   element_id=repr(element_id), level=element.level)))
    if not sources:
        problems.append(Problem("sources", "name at least one source that supports the finding"))
    known = set(ctx.session.scalars(sa.select(Source.code).where(Source.code.in_(sources)))) if sources else set()
    for code in sources:
        if code not in known:
            problems.append(Problem("sources", Message("no source with code %(code)s", code=repr(code))))
    if group is not None and ctx.session.scalar(sa.select(Group.id).where(Group.code == group)) is None:
        problems.append(Problem("group", Message("no perpetrator group with code %(group)s", group=repr(group))))
    if len(note) > 2000:
        problems.append(Problem("note", "is longer than 2000 characters"))
    if problems:
        raise ValidationError(problems)
    finding = SituationFinding(element_id=element_id, group=group, sources=tuple(dict.fromkeys(sources)), note=note,
                               recorded_by=ctx.actor.username, recorded_at=utcnow().isoformat(timespec="seconds"))
    meta = ctx.session.get(WorkspaceMeta, META_KEY, with_for_update=True)
    stored = {k: v for k, v in finding.to_dict().items() if k != "scope"}
    if meta is None:
        ctx.session.add(WorkspaceMeta(key=META_KEY, value={"findings": [stored]}))
    else:  # a new dict, so the JSON column is seen as changed
        meta.value = {**meta.value, "findings": [*meta.value.get("findings", []), stored]}
    ctx.session.flush()
    ctx.audit("elements.record", "element", element_id, {"group": group, "sources": list(finding.sources)})
    return finding
