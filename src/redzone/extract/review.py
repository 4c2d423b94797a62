"""Review: a person confirms, edits or rejects the facts proposed from a source's text, and only
then are records written — Acts with their Event and perpetrators, Claims, people — each attested
by the character span it came from. The web page and `redzone review` are thin layers over this.

Proposals are computed from the sealed text every time (`propose`), never stored; what a reviewer
decided is read back from the audit log, where every decision is an entry (`extract.accept`,
`extract.reject`) naming the proposal by type, span and code — never by the quoted text, which may
name a person. Accepting re-derives the proposal from the text, so a caller cannot attest a span
the text does not hold. Accepting a violation takes the place, date, perpetrators and price found in
its sentence (shown with the proposal as `context`, each overridable by an edit); those proposals
are then decided too.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound, Problem, ValidationError
from redzone.extract.facts import Fact
from redzone.extract.methods import extract
from redzone.extract.triggers import sentence_ends
from redzone.messages import Message
from redzone.records.corrections import place_in_journey
from redzone.records.entry import (ActDetails, AttestationSpec, Context, PerpetratorSpec, add_act, add_claim,
                                   add_event, add_journey, add_person, attest_event, province_of, remember_text_length,
                                   require_text, source_text_context)
from redzone.records.identity import Identity
from redzone.records.models import Act, ActPerpetrator, Attestation, AuditEntry, Event, Person, Source
from redzone.security.keys import KeyRing
from redzone.security.policy import Actor, require
from redzone.vocab import load_vocabulary

ACCEPT, REJECT = "extract.accept", "extract.reject"
# Why a proposal is rejected: codes, not free text, so the audit log never holds a reviewer's words about a person.
REJECT_REASONS = ("not_an_act", "negated", "hypothetical", "wrong_type", "wrong_span", "duplicate", "not_relevant",
                  "other")
# The event an accepted act happened in, by violation code, then by category.
EVENT_KINDS = {"trafficking.sale": "sale", "trafficking.transport": "transfer", "marriage.forced": "marriage",
               "refoulement.forced_repatriation": "repatriation", "detention.arbitrary": "detention",
               "child.denied_registration": "birth", "trafficking.abduction": "crossing"}
CATEGORY_EVENT_KINDS = {"trafficking": "exploitation", "sexual": "exploitation", "labour": "exploitation",
                        "reproductive": "exploitation", "detention": "detention", "life": "detention",
                        "physical": "exploitation", "corruption": "other", "child": "birth", "marriage": "marriage"}
PRICED = ("trafficking.sale", "corruption.bribery", "corruption.extortion")
_EDITS = {
    "violation": {"code", "victim", "place_id", "date", "perpetrators", "price_amount", "price_currency", "event_kind",
                  "notes", "start", "end"},
    "perpetrator": {"role", "act", "start", "end"},
    "place": {"place_id", "act", "event_kind", "start", "end", "journey"},
    "date": {"date", "act", "event_kind", "start", "end", "journey"},
    "money": {"amount", "currency", "act", "measure", "scope", "year", "start", "end"},
    "quantity": {"value", "max", "qualifier", "unit", "measure", "scope", "year", "start", "end"},
    "age": {"min", "max", "person", "year", "start", "end"},
    "person": {"person_role", "start", "end"},
}


@dataclass(frozen=True)
class Proposal:
    """One proposed fact of one source, with what the reviewer decided about it so far."""

    id: str  # type, span and code: "violation:120-126:trafficking.sale"; never the quoted text
    number: int  # 1-based position in the source's list, for keyboards and the command line
    fact: Fact
    status: str = "open"  # open | accepted | rejected
    record: str | None = None  # code of the record an acceptance wrote
    context: dict[str, Any] = field(default_factory=dict)  # ids of related proposals in the same sentence

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, **self.fact.to_dict(), "status": self.status,
                "record": self.record, "context": self.context}


def proposal_id(fact: Fact) -> str:
    value = {"violation": "code", "perpetrator": "role", "place": "gazetteer_id"}.get(fact.type)
    suffix = f":{fact.get(value)}" if value else ""
    return f"{fact.type}:{fact.start}-{fact.end}{suffix}"


# ---- reading ---------------------------------------------------------------------------------------


def _source(session: Session, source_id: int | str) -> Source:
    column = Source.code if isinstance(source_id, str) else Source.id
    source = session.scalar(sa.select(Source).where(column == source_id))
    if source is None:
        raise NotFound(Message("no source %(source_id)s", source_id=repr(source_id)))
    if source.text_sealed is None:
        raise ValidationError(Problem("source", Message("%(code)s has no text to extract facts from",
                                                        code=source.code)))
    return source


def _text(ctx: Context, source: Source) -> str:
    require_text(ctx, source)  # an interviewer reviews the texts of their own cases only
    # noted, so the spans that accepting checks against the text do not open it a second time
    return remember_text_length(ctx, source, ctx.keys.fields.unseal_text(source.text_sealed,
                                                                         source_text_context(source.code)))


def decisions(session: Session, source: Source) -> dict[str, tuple[str, str | None]]:
    """proposal id -> (status, record code), from the audit log; the latest decision wins."""
    rows = session.execute(sa.select(AuditEntry.action, AuditEntry.detail)
                           .where(AuditEntry.record_type == "source", AuditEntry.record_id == source.code,
                                  AuditEntry.action.in_((ACCEPT, REJECT))).order_by(AuditEntry.id))
    found: dict[str, tuple[str, str | None]] = {}
    for action, detail in rows:
        status = "accepted" if action == ACCEPT else "rejected"
        for pid in [detail.get("proposal"), *detail.get("used", [])]:
            if pid:
                found[pid] = (status, detail.get("record"))
    return found


def _sentence_of(ends: list[int], position: int) -> int:
    return sum(1 for end in ends if end <= position)


def _context(fact: Fact, facts: list[Fact], ends: list[int], text: str) -> dict[str, Any]:
    """The place, date, perpetrators and price in the violation's sentence (the date may come from
    earlier in its paragraph: a testimony gives the year once and tells what followed)."""
    sentence = _sentence_of(ends, fact.start)
    same = [f for f in facts if _sentence_of(ends, f.start) == sentence and f is not fact]
    context: dict[str, Any] = {"perpetrators": [proposal_id(f) for f in same if f.type == "perpetrator"]}
    places = [f for f in same if f.type == "place"]
    if places:
        context["place"] = proposal_id(min(places, key=lambda f: abs(f.start - fact.start)))
    dates = [f for f in same if f.type == "date"]
    if not dates:
        paragraph_start = text.rfind("\n\n", 0, fact.start)
        dates = [f for f in facts if f.type == "date" and paragraph_start < f.start < fact.start][-1:]
    if dates:
        context["date"] = proposal_id(min(dates, key=lambda f: abs(f.start - fact.start)))
    money = [f for f in same if f.type == "money"]
    if money and fact.get("code") in PRICED:
        context["money"] = proposal_id(min(money, key=lambda f: abs(f.start - fact.start)))
    return context


def _proposals(ctx: Context, source: Source, method: str | None = None) -> tuple[str, list[Proposal]]:
    text = _text(ctx, source)
    facts = extract(text, source.language if source.language in ("en", "ko", "zh") else "auto", method).facts
    ends = sentence_ends(text)
    decided = decisions(ctx.session, source)
    proposals = []
    for number, fact in enumerate(facts, start=1):
        pid = proposal_id(fact)
        status, record = decided.get(pid, ("open", None))
        context = _context(fact, facts, ends, text) if fact.type == "violation" else {}
        proposals.append(Proposal(pid, number, fact, status, record, context))
    return text, proposals


def propose(session: Session, keys: KeyRing, actor: Actor, source_id: int | str,
            method: str | None = None) -> list[Proposal]:
    """The facts proposed for a source (by row id or code), each with its status so far.
    Reading the text is a read of a testimony: checked and audited as `source.view_text`."""
    ctx = Context(session, keys, actor)
    source = _source(session, source_id)
    require_text(ctx, source)
    ctx.audit("source.view_text", "source", source.code, {"purpose": "extract.review"})
    return _proposals(ctx, source, method)[1]


# ---- deciding --------------------------------------------------------------------------------------


def _find(ctx: Context, source: Source, proposal: Proposal | str) -> tuple[str, list[Proposal], Proposal]:
    wanted = proposal.id if isinstance(proposal, Proposal) else proposal
    text, proposals = _proposals(ctx, source)
    found = next((p for p in proposals if p.id == wanted or str(p.number) == wanted), None)
    if found is None:
        raise NotFound(Message("proposal %(wanted)s is not among the facts proposed for source %(code)s",
                               wanted=repr(wanted), code=source.code))
    if found.status != "open":
        raise ValidationError(Problem("proposal", f"{found.id} is already {found.status}"
                                                  + (f" as {found.record}" if found.record else "")))
    return text, proposals, found


def _check_edits(fact: Fact, edits: dict[str, Any], text: str) -> tuple[int, int]:
    unknown = sorted(set(edits) - _EDITS[fact.type])
    if unknown:
        editable = ", ".join(sorted(_EDITS[fact.type]))
        raise ValidationError([Problem(name, Message("cannot be edited on a %(type)s proposal (editable: %(editable)s)",
                                                     type=fact.type, editable=editable)) for name in unknown])
    start, end = edits.get("start", fact.start), edits.get("end", fact.end)
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise ValidationError(Problem("start", Message("the span must satisfy 0 ≤ start < end ≤ %(count)s",
                                                       count=len(text))))
    return start, end


def date_bounds(value: str) -> tuple[dt.date, dt.date | None, str]:
    """(start, end, precision) of an ISO 8601 date as extraction writes it: 2019, 2019-03, 2019-03-12,
    or a range a/b of those."""
    def bounds(part: str) -> tuple[dt.date, dt.date, str]:
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", part)
        if not match:
            raise ValueError(part)
        year, month, day = int(match[1]), match[2] and int(match[2]), match[3] and int(match[3])
        if day:
            return dt.date(year, month, day), dt.date(year, month, day), "day"
        if month:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), "month"
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"

    try:
        if "/" in value:
            first, second = value.split("/", 1)
            return bounds(first)[0], bounds(second)[1], "range"
        start, end, precision = bounds(value)
    except (ValueError, TypeError):
        raise ValidationError(Problem("date", Message("%(value)s is not an ISO 8601 date (2019, 2019-03, 2019-03-12 "
                                                      "or a/b)",
                                                      value=repr(value)))) \
            from None
    return start, (end if precision != "day" else None), precision


def _event_kind(code: str) -> str:
    return EVENT_KINDS.get(code) or CATEGORY_EVENT_KINDS.get(code.split(".")[0], "other")


def _by_id(proposals: list[Proposal]) -> dict[str, Proposal]:
    return {p.id: p for p in proposals}


def _usable(proposals: list[Proposal], pid: str | None) -> Proposal | None:
    """A context proposal not rejected: open, or already taken into another act of the same sentence
    (the two acts of "sold as a bride" share their place, date and perpetrators)."""
    proposal = _by_id(proposals).get(pid or "")
    return proposal if proposal is not None and proposal.status != "rejected" else None


def _acts_in_sentence(ctx: Context, text: str, proposals: list[Proposal], fact: Fact, named: str | None) -> list[Act]:
    """The act an edit names, else the acts accepted from violations in the fact's sentence."""
    if named:
        act = ctx.session.scalar(sa.select(Act).where(Act.code == named))
        if act is None:
            raise NotFound(Message("no act %(named)s", named=repr(named)))
        return [act]
    ends = sentence_ends(text)
    sentence = _sentence_of(ends, fact.start)
    codes = [p.record for p in proposals if p.fact.type == "violation" and p.status == "accepted" and p.record
             and _sentence_of(ends, p.fact.start) == sentence]
    return list(ctx.session.scalars(sa.select(Act).where(Act.code.in_(codes)))) if codes else []


def _attest(ctx: Context, act: Act, source: Source, start: int, end: int) -> None:
    exists = ctx.session.scalar(sa.select(Attestation.id).where(
        Attestation.act_id == act.id, Attestation.source_id == source.id, Attestation.span_start == start,
        Attestation.span_end == end))
    if exists is None:
        act.attestations.append(Attestation(source_id=source.id, span_start=start, span_end=end))


def _set_event(ctx: Context, act: Act, *, place_id: str | None = None, date: str | None = None) -> None:
    if act.event is None:
        start, end, precision = date_bounds(date) if date else (None, None, "unknown")
        act.event = add_event(ctx, kind=_event_kind(act.violation), place_id=place_id, date_start=start,
                              date_end=end, date_precision=precision)
        return
    if place_id:
        act.event.place_id, act.event.province_id = place_id, province_of(place_id)
    if date:
        start, end, precision = date_bounds(date)
        act.event.date_start, act.event.date_end, act.event.date_precision = start, end, precision
        act.event.year = start.year
    ctx.audit("event.edit", "event", act.event.code, {"fields": [n for n, v in (("place", place_id), ("date", date)) if v]})


def _year_near(proposals: list[Proposal], fact: Fact, text: str) -> int | None:
    """The year of the closest date before or in the fact's paragraph, for claims and ages."""
    paragraph_start = text.rfind("\n\n", 0, fact.start)
    dates = [p.fact for p in proposals if p.fact.type == "date" and paragraph_start < p.fact.start]
    if not dates:
        return None
    return int(min(dates, key=lambda d: abs(d.start - fact.start)).get("value")[:4])


def accept(ctx: Context, source_id: int | str, proposal: Proposal | str, edits: dict[str, Any] | None = None) -> str:
    """Record what a proposal says, as confirmed (and perhaps edited) by the actor; returns the code of
    the record written (an act, event, claim or person). See `_EDITS` for what each type may change."""
    require(ctx.actor, "extract.review")
    edits = dict(edits or {})
    source = _source(ctx.session, source_id)
    text, proposals, found = _find(ctx, source, proposal)
    fact = found.fact
    start, end = _check_edits(fact, edits, text)
    used: list[str] = []
    record = {"violation": _accept_violation, "perpetrator": _accept_perpetrator, "place": _accept_place,
              "date": _accept_date, "money": _accept_money, "quantity": _accept_quantity, "age": _accept_age,
              "person": _accept_person}[fact.type](ctx, source, text, proposals, found, edits, start, end, used)
    ctx.audit(ACCEPT, "source", source.code, {"proposal": found.id, "type": fact.type, "record": record,
                                               "edited": sorted(edits), "used": used})
    return record


def reject(ctx: Context, source_id: int | str, proposal: Proposal | str, reason: str) -> None:
    """Mark a proposal as wrong; `reason` is one of REJECT_REASONS. Nothing else is written."""
    require(ctx.actor, "extract.review")
    if reason not in REJECT_REASONS:
        raise ValidationError(Problem("reason", Message("%(reason)s: use one of %(items)s",
                                                        reason=repr(reason), items=', '.join(REJECT_REASONS))))
    source = _source(ctx.session, source_id)
    _, _, found = _find(ctx, source, proposal)
    ctx.audit(REJECT, "source", source.code, {"proposal": found.id, "type": found.fact.type, "reason": reason})


# ---- one function per fact type: (ctx, source, text, proposals, proposal, edits, start, end, used) -> record code


def _accept_violation(ctx, source, text, proposals, found, edits, start, end, used) -> str:  # noqa: ANN001
    fact, context = found.fact, found.context
    code = edits.get("code", fact.get("code"))
    problems: list[Problem] = []
    if code not in load_vocabulary().violations:
        problems.append(Problem("code", Message("%(code)s is not a violation code of the vocabulary", code=repr(code))))

    def take(pid: str | None) -> Fact | None:
        """A context proposal's fact, marking it decided with this act if it was still open."""
        proposal = _usable(proposals, pid)
        if proposal is None:
            return None
        if proposal.status == "open":
            used.append(proposal.id)
        return proposal.fact

    place = None if "place_id" in edits else take(context.get("place"))
    place_id = edits["place_id"] if "place_id" in edits else place and place.get("gazetteer_id")
    date_fact = None if "date" in edits else take(context.get("date"))
    date = edits["date"] if "date" in edits else date_fact and date_fact.get("value")
    if "perpetrators" in edits:
        roles = list(edits["perpetrators"] or [])
    else:
        roles = [f.get("role") for pid in context.get("perpetrators", []) if (f := take(pid)) is not None]
    money = None if "price_amount" in edits else take(context.get("money"))
    amount = edits.get("price_amount", money and money.get("amount"))
    currency = edits.get("price_currency", money and money.get("currency"))
    victim = None
    if edits.get("victim"):
        victim = ctx.session.scalar(sa.select(Person).where(Person.code == edits["victim"]))
        if victim is None:
            problems.append(Problem("victim", Message("no person %(person)s", person=repr(edits["victim"]))))
    if problems:
        raise ValidationError(problems)
    event = None
    if place_id or date:
        date_start, date_end, precision = date_bounds(date) if date else (None, None, "unknown")
        event = add_event(ctx, kind=edits.get("event_kind", _event_kind(code)), place_id=place_id,
                          date_start=date_start, date_end=date_end, date_precision=precision)
    details = ActDetails(price_amount=amount, price_currency=currency, notes=edits.get("notes", ""),
                         perpetrators=[PerpetratorSpec(role) for role in dict.fromkeys(roles)],
                         attestations=[AttestationSpec(source, start, end)])
    act = add_act(ctx, victim=victim, violation=code, event=event, details=details)
    if victim is not None and event is not None:
        add_journey(ctx, victim, [event])  # the act's event is a step of her journey, in its place
    return act.code


def _accept_perpetrator(ctx, source, text, proposals, found, edits, start, end, used) -> str:  # noqa: ANN001
    require(ctx.actor, "act.edit")
    role = edits.get("role", found.fact.get("role"))
    if role not in load_vocabulary().roles:
        raise ValidationError(Problem("role", Message("%(role)s is not a perpetrator role of the vocabulary",
                                                      role=repr(role))))
    acts = _acts_in_sentence(ctx, text, proposals, found.fact, edits.get("act"))
    if not acts:
        raise ValidationError(Problem("act", "a perpetrator is recorded on an act: accept the act in this sentence "
                                             "first, or give the act's code"))
    for act in acts:
        if not any(p.role == role for p in act.perpetrators):
            act.perpetrators.append(ActPerpetrator(role=role))
        _attest(ctx, act, source, start, end)
        ctx.audit("act.edit", "act", act.code, {"added": "perpetrator", "role": role})
    return acts[0].code


def _accept_place(ctx, source, text, proposals, found, edits, start, end, used) -> str:  # noqa: ANN001
    place_id = edits.get("place_id", found.fact.get("gazetteer_id"))
    if place_id not in load_vocabulary().places:
        raise ValidationError(Problem("place_id", Message("%(place_id)s is not a gazetteer place id",
                                                          place_id=repr(place_id))))
    return _place_or_date(ctx, source, text, proposals, found, edits, start, end, place_id=place_id)


def _accept_date(ctx, source, text, proposals, found, edits, start, end, used) -> str:  # noqa: ANN001
    date = edits.get("date", found.fact.get("value"))
    date_bounds(date)
    return _place_or_date(ctx, source, text, proposals, found, edits, start, end, date=date)


def _journey_person(ctx: Context, source: Source, edits: dict[str, Any]) -> Person | None:
    """Whose journey an accepted place or date joins: `edits['journey']` names a person (or is False
    for nobody); by default the source's subject, the interviewee, when known."""
    wanted = edits.get("journey", True)
    if wanted is False or wanted == "":
        return None
    if wanted is True:
        return ctx.session.get(Person, source.interviewee_id) if source.interviewee_id else None
    person = ctx.session.scalar(sa.select(Person).where(Person.code == wanted))
    if person is None:
        raise ValidationError(Problem("journey", Message("no person %(wanted)s", wanted=repr(wanted))))
    return person


def _place_or_date(ctx, source, text, proposals, found, edits, start, end, **where) -> str:  # noqa: ANN001
    """Set the place or date of the events of the acts in the sentence (each then in its place on its
    victim's journey), else record an event of its own — a step of the subject's journey, attested by
    the source at the quoted span."""
    subject = _journey_person(ctx, source, edits)
    acts = _acts_in_sentence(ctx, text, proposals, found.fact, edits.get("act"))
    if acts:
        require(ctx.actor, "act.edit")
        for act in acts:
            _set_event(ctx, act, **where)
            _attest(ctx, act, source, start, end)
            victim = ctx.session.get(Person, act.victim_id) if act.victim_id else None
            if victim is not None and edits.get("journey", True) not in (False, ""):
                place_in_journey(ctx, victim, act.event)
        return acts[0].event.code
    date_start, date_end, precision = date_bounds(where["date"]) if where.get("date") else (None, None, "unknown")
    event = add_event(ctx, kind=edits.get("event_kind", "other"), place_id=where.get("place_id"),
                      date_start=date_start, date_end=date_end, date_precision=precision)
    attest_event(ctx, event, AttestationSpec(source, start, end))
    if subject is not None:
        add_journey(ctx, subject, [event])
    return event.code


def _accept_money(ctx, source, text, proposals, found, edits, start, end, used) -> str:  # noqa: ANN001
    amount = edits.get("amount", found.fact.get("amount"))
    currency = edits.get("currency", found.fact.get("currency"))
    acts = [a for a in _acts_in_sentence(ctx, text, proposals, found.fact, edits.get("act"))
            if edits.get("act") or a.violation in PRICED]
    if acts and "measure" not in edits:
        require(ctx.actor, "act.edit")
        act = acts[0]
        if currency not in load_vocabulary().lists["currencies"]:
            raise ValidationError(Problem("currency", Message("%(currency)s is not a vocabulary currency",
                                                              currency=repr(currency))))
        act.price_amount, act.price_currency = float(amount), currency
        _attest(ctx, act, source, start, end)
        ctx.audit("act.edit", "act", act.code, {"added": "price"})
        return act.code
    claim = add_claim(ctx, source=source, measure=edits.get("measure", "amount of money"), value=float(amount),
                      qualifier=found.fact.get("qualifier") or "exact", unit=currency, scope=edits.get("scope", ""),
                      year=edits.get("year", _year_near(proposals, found.fact, text)), span=(start, end))
    return claim.code


def _accept_quantity(ctx, source, text, proposals, found, edits, start, end, used) -> str:  # noqa: ANN001
    fact = found.fact
    unit = edits.get("unit", fact.get("unit")) or "count"
    claim = add_claim(ctx, source=source, measure=edits.get("measure", unit), value=float(edits.get("value", fact.get("value"))),
                      value_max=edits.get("max", fact.get("max")), qualifier=edits.get("qualifier", fact.get("qualifier")),
                      unit="percent" if unit == "%" else unit[:40], scope=edits.get("scope", ""),
                      year=edits.get("year", _year_near(proposals, fact, text)), span=(start, end))
    return claim.code


def _accept_age(ctx, source, text, proposals, found, edits, start, end, used) -> str:  # noqa: ANN001
    require(ctx.actor, "person.edit")
    low, high = int(edits.get("min", found.fact.get("min"))), int(edits.get("max", found.fact.get("max")))
    person = None
    if edits.get("person"):
        person = ctx.session.scalar(sa.select(Person).where(Person.code == edits["person"]))
    else:
        victims = [a.victim for a in _acts_in_sentence(ctx, text, proposals, found.fact, None) if a.victim]
        person = victims[0] if victims else None
    if person is None:
        raise ValidationError(Problem("person", "an age is recorded on a person: give the person's code"))
    year = edits.get("year") or _year_near(proposals, found.fact, text)
    if year is None:
        raise ValidationError(Problem("year", "the text gives no year for this age: give the year it refers to"))
    # Aged 19 in 2011: born in 1991 or 1992 (before or after the birthday).
    person.birth_year_min, person.birth_year_max = int(year) - high - 1, int(year) - low
    ctx.audit("person.edit", "person", person.code, {"fields": ["birth_year_min", "birth_year_max"]})
    return person.code


def _accept_person(ctx, source, text, proposals, found, edits, start, end, used) -> str:  # noqa: ANN001
    name = text[start:end]
    hangul = bool(re.search(r"[가-힣]", name))
    identity = Identity(hangul_name=name) if hangul else Identity(legal_name=name)
    person = add_person(ctx, person_role=edits.get("person_role", "victim"), identity=identity)
    return person.code

