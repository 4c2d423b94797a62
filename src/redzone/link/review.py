"""The review queue and the reviewer's acts: accept or reject a pair, reopen it, merge two records the
model did not pair, split a record out of a cluster, and undo any of these — each one a logged
decision that records exactly which pair decisions it changed (so undo restores them), followed by a
fresh clustering and an audit entry.
Deciding, merging, splitting and undoing work on person and incident pairs alike (`pairs.PairKind`);
the person queue and views are here, the incident ones in `incident_review`.

What a reviewer sees of a pair: the two records' pseudonymous codes and analysable fields (birth
year, origin, crossing year, sex — what `person.view` already shows), the match probability and the
waterfall of match weights with each comparison's level label. Never a name.

A reviewer's note is free text: it is kept in the decision log (shown to `link.review` roles) and,
sealed, in the audit entry (so the chain covers it and an administrator reading the activity log
sees no words). No export carries it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound, PermissionDenied, Problem, ValidationError
from redzone.link.engine import TrainedModel
from redzone.link.pairs import INCIDENT_ROLE, PERSON_PAIRS, PairKind, is_linked, kind_of, refresh_clusters
from redzone.link.runs import current_run
from redzone.messages import Message, Term
from redzone.records.entry import Context
from redzone.records.models import LinkDecision, LinkPair, LinkRun, Person, PersonCluster, utcnow
from redzone.security.policy import allowed, require

DECISIONS = {"accept": "accepted", "reject": "rejected", "reopen": None}


def require_view(actor) -> None:  # noqa: ANN001
    """Seeing the queue, a pair or the decision log needs `link.review` too; a refusal says what was
    asked for (seeing), not what the action also allows (deciding)."""
    if not allowed(actor, "link.review"):
        raise PermissionDenied(actor.username, Message("see linkage pairs, their evidence or the decision log"))


def note_context(decision_id: int) -> str:
    """Where a decision's sealed note is bound: it cannot be moved to another entry unnoticed."""
    return f"audit:link_decision:{decision_id}:note"


def unseal_note(keys, entry_detail: dict, decision_id: int) -> str:  # noqa: ANN001
    """The note sealed in a decision's audit entry ('' when there was none)."""
    sealed = entry_detail.get("note")
    return keys.fields.unseal_text(base64.b64decode(sealed), note_context(decision_id)) if sealed else ""


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of the waterfall: a comparison, the level reached (its label) and the weight it adds."""

    comparison: str
    label: str
    weight: float
    cumulative: float


def _record(person: Person, cluster: str | None) -> dict:
    birth = None if person.birth_year_min is None else (
        str(person.birth_year_min) if person.birth_year_min == person.birth_year_max
        else f"{person.birth_year_min}–{person.birth_year_max}")
    return {"code": person.code, "organisation": person.organisation_id, "cluster": cluster, "sex": person.sex,
            "birth_year": birth, "origin": person.origin_place_id, "crossing_year": person.crossing_year}


def waterfall(pair: LinkPair, run: LinkRun) -> list[WaterfallStep]:  # an IncidentPair alike
    """The prior, then each comparison's level and weight, in the model's order; the last cumulative
    value is the pair's match weight."""
    model = TrainedModel.from_dict(run.model)
    total = model.prior_weight
    steps = [WaterfallStep("prior", "probability that two records match before comparing them", total, total)]
    for name, (gamma, weight) in pair.levels.items():
        level = model.level(name, int(gamma))
        total += float(weight)
        steps.append(WaterfallStep(name, level.label if level else f"level {gamma}", float(weight), total))
    return steps


def pair_view(session: Session, pair: LinkPair, run: LinkRun | None = None) -> dict:
    """Everything a reviewer needs about a pair, as plain data (pseudonymous)."""
    run = run or session.get(LinkRun, pair.run_id)
    people = {p.id: p for p in session.scalars(sa.select(Person).where(
        Person.id.in_((pair.person_a_id, pair.person_b_id))))}
    clusters = dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code).where(
        PersonCluster.person_id.in_((pair.person_a_id, pair.person_b_id)))).all())
    in_band = run.review_low <= pair.match_probability < run.review_high
    return {
        "pair": pair.id, "run": run.code,
        "a": _record(people[pair.person_a_id], clusters.get(pair.person_a_id)),
        "b": _record(people[pair.person_b_id], clusters.get(pair.person_b_id)),
        "match_probability": round(pair.match_probability, 6), "match_weight": round(pair.match_weight, 3),
        "linked": is_linked(pair, run), "decision": pair.decision, "decided_by": pair.decided_by,
        "in_review": in_band and pair.decision is None, "origin": pair.origin,
        "waterfall": [{"comparison": s.comparison, "level": s.label, "weight": round(s.weight, 3),
                       "cumulative": round(s.cumulative, 3)} for s in waterfall(pair, run)],
    }


def queued_pairs(session: Session, run: LinkRun, limit: int) -> list:
    """The run's undecided pairs in its review band, the most uncertain (closest to even odds) first."""
    pair = kind_of(run).pair
    return session.scalars(sa.select(pair).where(
        pair.run_id == run.id, pair.decision.is_(None), pair.match_probability >= run.review_low,
        pair.match_probability < run.review_high)
        .order_by(sa.func.abs(pair.match_probability - 0.5), pair.id).limit(limit)).all()


def review_queue(session: Session, actor, person_role: str = "victim", limit: int = 50) -> list[dict]:  # noqa: ANN001
    """Undecided pairs in the review band, the most uncertain (closest to even odds) first."""
    require_view(actor)
    run = current_run(session, person_role)
    return [pair_view(session, pair, run) for pair in queued_pairs(session, run, limit)]


def get_pair(session: Session, pair_id: int, kind: PairKind = PERSON_PAIRS) -> LinkPair:
    """A pair of the current run (person pairs, or `kind`'s), or NotFound / ValidationError saying why not."""
    pair = session.get(kind.pair, pair_id)
    if pair is None:
        raise NotFound(Message("no pair #%(pair)s", pair=pair_id) if kind is PERSON_PAIRS
                       else Message("no incident pair #%(pair_id)s", pair_id=pair_id))
    run = session.get(LinkRun, pair.run_id)
    latest = current_run(session, run.person_role)
    if latest.id != run.id:
        raise ValidationError(Problem("pair", Message("#%(pair)s belongs to run %(run)s, not to the current run "
                                                      "%(current)s; review the current run's pairs",
                                                      pair=pair_id, run=run.code, current=latest.code)))
    return pair


def _apply(ctx: Context, run: LinkRun, verb: str, changes: list[tuple[LinkPair, str | None]], note: str,
           undoes: LinkDecision | None = None) -> dict:
    """Set each pair's decision, log one decision row, recluster and audit."""
    kind = kind_of(run)
    now = utcnow()
    logged = []
    for pair, after in changes:
        logged.append([pair.id, pair.decision, after])
        pair.decision = after
        pair.decided_by = ctx.actor.username if after else None
        pair.decided_at = now if after else None
    decision = LinkDecision(run_id=run.id, kind=verb, actor=ctx.actor.username, at=now, changes=logged, note=note)
    ctx.session.add(decision)
    ctx.session.flush()
    if undoes is not None:
        undoes.undone_by = decision.id
    clusters = refresh_clusters(ctx.session, run)
    ends = [kind.ends(p) for p, _ in changes]
    codes = dict(ctx.session.execute(sa.select(kind.record.id, kind.record.code).where(
        kind.record.id.in_({record for pair in ends for record in pair}))).all())
    action = f"link.{verb}" if kind is PERSON_PAIRS else f"link.incidents.{verb}"
    sealed = base64.b64encode(ctx.keys.fields.seal(note, note_context(decision.id))).decode() if note else None
    ctx.audit(action, "link_decision", str(decision.id), {
        "run": run.code, "pairs": [[p.id, codes[a], codes[b], before, after]
                                   for (p, _), (a, b), (_, before, after) in zip(changes, ends, logged)],
        **({"undoes": undoes.id} if undoes is not None else {}), **({"note": sealed} if sealed else {})})
    touched = {clusters[record] for pair in ends for record in pair}
    return {"decision": decision.id, "kind": verb, "records": kind.name, "pairs": [row[0] for row in logged],
            "clusters": sorted(touched)}


def decide_pair(ctx: Context, kind: PairKind, pair_id: int, verb: str, note: str = "") -> dict:
    """Accept, reject or reopen a pair of `kind` (persons or incidents)."""
    require(ctx.actor, "link.review")
    if verb not in DECISIONS:
        raise ValidationError(Problem("decision", Message("expected accept, reject or reopen, got %(verb)s",
                                                          verb=repr(verb))))
    pair = get_pair(ctx.session, pair_id, kind)
    run = ctx.session.get(LinkRun, pair.run_id)
    if pair.decision == DECISIONS[verb]:
        raise ValidationError(Problem("pair", Message("#%(pair)s is already %(decision)s", pair=pair_id,
                                                      decision=pair.decision or "undecided")))
    return _apply(ctx, run, verb, [(pair, DECISIONS[verb])], note)


def decide(ctx: Context, pair_id: int, verb: str, note: str = "") -> dict:
    """`verb` is accept, reject or reopen (back to the model's verdict)."""
    return decide_pair(ctx, PERSON_PAIRS, pair_id, verb, note)


def merge_pair(ctx: Context, kind: PairKind, code_a: str, code_b: str, note: str = "") -> dict:
    """Link two records of `kind` the model did not pair (blocked out, or scored below the floor where
    pairs are stored): a pair of origin 'manual' is added to the current run, accepted. A stored pair
    of the two is accepted instead. Undo sets the pair back to undecided, which leaves the two apart
    (a manual pair carries only the prior's weight); a later run carries the accepted pair over.
    Refusals name the field at fault: person_a / person_b, or event_a / event_b."""
    require(ctx.actor, "link.review")
    session = ctx.session
    noun = kind.record.__tablename__  # person, event
    fields = tuple(side.removesuffix("_id") for side in kind.sides)
    problems, records = [], []
    for field, code in zip(fields, (code_a, code_b)):
        record = session.scalar(sa.select(kind.record).where(kind.record.code == code.strip()))
        if record is None:
            shown = repr(code.strip()[:40])
            problems.append(Problem(field, Message("no person with code %(code)s", code=shown) if noun == "person"
                                    else Message("no event with code %(code)s", code=shown)))
        records.append(record)
    first, second = records
    if first is not None and second is not None:
        if first.id == second.id:
            problems.append(Problem(fields[1], Message("%(second)s is the same record as %(first)s", second=second.code,
                                                       first=fields[0])))
        elif kind is PERSON_PAIRS and first.person_role != second.person_role:
            problems.append(Problem(fields[1], Message(
                "%(second)s is a %(second_role)s record and %(first)s a %(first_role)s record; link records of one "
                "role", second=second.code, second_role=Term("person_roles", second.person_role, second.person_role),
                first=first.code, first_role=Term("person_roles", first.person_role, first.person_role))))
    if problems:
        raise ValidationError(problems)
    run = current_run(session, first.person_role if kind is PERSON_PAIRS else INCIDENT_ROLE)
    ends = dict(zip(kind.sides, sorted((first.id, second.id))))
    pair = session.scalar(sa.select(kind.pair).where(kind.pair.run_id == run.id, kind.left == ends[kind.sides[0]],
                                                     kind.right == ends[kind.sides[1]]))
    if pair is not None and pair.decision == "accepted":
        raise ValidationError(Problem(fields[1], Message("%(first)s and %(second)s are already linked: pair "
                                                         "#%(pair)s was accepted by %(user)s", first=first.code,
                                                         second=second.code, pair=pair.id, user=pair.decided_by)))
    if pair is None:
        model = TrainedModel.from_dict(run.model)
        pair = kind.pair(run_id=run.id, **ends, match_weight=model.prior_weight, match_probability=model.prior,
                         levels={}, origin="manual")
        session.add(pair)
        session.flush()
    return _apply(ctx, run, "merge", [(pair, "accepted")], note)


def merge(ctx: Context, code_a: str, code_b: str, note: str = "") -> dict:
    """Link two person records the model did not pair (`merge_pair`); refusals name person_a / person_b."""
    return merge_pair(ctx, PERSON_PAIRS, code_a, code_b, note)


def split_pairs(ctx: Context, run: LinkRun, record_id: int, members: set[int], note: str) -> dict:
    """Reject every linked pair of `run` that ties `record_id` to another of `members` (its cluster)."""
    kind = kind_of(run)
    pairs = ctx.session.scalars(sa.select(kind.pair).where(
        kind.pair.run_id == run.id, kind.linked(run),
        sa.or_(sa.and_(kind.left == record_id, kind.right.in_(members)),
               sa.and_(kind.right == record_id, kind.left.in_(members))))).all()
    return _apply(ctx, run, "split", [(pair, "rejected") for pair in pairs], note)


def split(ctx: Context, cluster: str, person_code: str, note: str = "") -> dict:
    """Take a record out of its cluster: every link that ties it to another member is rejected. The
    other members stay together wherever their own links hold them together."""
    require(ctx.actor, "link.review")
    person = ctx.session.scalar(sa.select(Person).where(Person.code == person_code))
    if person is None:
        raise NotFound(Message("no person with code %(code)s", code=repr(person_code)))
    run = current_run(ctx.session, person.person_role)
    members = set(ctx.session.scalars(sa.select(PersonCluster.person_id).where(PersonCluster.cluster_code == cluster)))
    if person.id not in members:
        raise ValidationError(Problem("person", Message("%(person)s is not in cluster %(cluster)s", person=person_code,
                                                        cluster=cluster)))
    if len(members) == 1:
        raise ValidationError(Problem("cluster", Message(
            "%(cluster)s holds %(person)s alone; there is nothing to split", cluster=cluster, person=person_code)))
    return split_pairs(ctx, run, person.id, members, note)


def undo(ctx: Context, decision_id: int, note: str = "") -> dict:
    """Restore the pair decisions a logged decision changed, if nothing has changed them since."""
    require(ctx.actor, "link.review")
    decision = ctx.session.get(LinkDecision, decision_id)
    if decision is None:
        raise NotFound(Message("no linkage decision #%(decision)s", decision=decision_id))
    if decision.undone_by is not None:
        raise ValidationError(Problem("decision", Message("#%(decision)s was already undone by #%(undone_by)s",
                                                          decision=decision_id, undone_by=decision.undone_by)))
    run = ctx.session.get(LinkRun, decision.run_id)
    latest = current_run(ctx.session, run.person_role)
    if latest.id != run.id:
        raise ValidationError(Problem("decision", Message("#%(decision)s belongs to an earlier run (%(run)s)",
                                                          decision=decision_id, run=run.code)))
    changes = []
    for pair_id, before, after in decision.changes:
        pair = ctx.session.get(kind_of(run).pair, pair_id)
        if pair is None or pair.decision != after:
            raise ValidationError(Problem("decision", Message("pair #%(pair)s has been decided again since "
                                                              "#%(decision)s; undo the later decision first",
                                                              pair=pair_id, decision=decision_id)))
        changes.append((pair, before))
    return _apply(ctx, run, "undo", changes, note, undoes=decision)


def decisions(session: Session, actor, person_role: str = "victim", limit: int = 50) -> list[dict]:  # noqa: ANN001
    """The current run's decision log, newest first."""
    require_view(actor)
    run = current_run(session, person_role)
    rows = session.scalars(sa.select(LinkDecision).where(LinkDecision.run_id == run.id)
                           .order_by(LinkDecision.id.desc()).limit(limit))
    return [{"decision": d.id, "kind": d.kind, "actor": d.actor, "at": d.at.isoformat(), "note": d.note,
             "pairs": [c[0] for c in d.changes], "undone_by": d.undone_by} for d in rows]


def clusters(session: Session, actor, person_role: str = "victim", min_size: int = 2) -> list[dict]:  # noqa: ANN001
    """Clusters of at least `min_size` records, with their members' codes and organisations."""
    require(actor, "person.view")
    rows = session.execute(sa.select(PersonCluster.cluster_code, Person.code, Person.organisation_id)
                           .join(Person, Person.id == PersonCluster.person_id)
                           .where(Person.person_role == person_role)
                           .order_by(PersonCluster.cluster_code, Person.code))
    grouped: dict[str, list[dict]] = {}
    for code, member, organisation in rows:
        grouped.setdefault(code, []).append({"code": member, "organisation": organisation})
    return [{"cluster": code, "members": members} for code, members in grouped.items() if len(members) >= min_size]
