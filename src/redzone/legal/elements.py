"""Legal-element analysis: for one victim, which elements of each provision her recorded acts
evidence, by which acts and which graded sources, which are missing, which the law does not
require (a child needs no "means" of trafficking) and which belong to the situation.

The mapping from violation types to elements is the vocabulary's (`vocab/data/*.yaml`): an
attested act of a type *can* evidence the elements its type lists. This is a proposal for the
legal analyst to review, never a finding. Rules, in the order they apply, in docs/legal-elements.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from redzone.errors import NotFound
from redzone.legal.facts import SourceRef, age_range, age_text, describe_date, independent_lines
from redzone.legal.situation import SituationFinding, situation_findings
from redzone.messages import Message, join
from redzone.records.models import Act, ActPerpetrator, Attestation, Person, Source
from redzone.security.policy import Actor, require
from redzone.vocab import load_vocabulary
from redzone.vocab.model import Element, Provision, Vocabulary

ELEMENT_STATUSES = ("evidenced", "missing", "not_required", "uncertain", "situation_level")
# Provision outcomes, best first; a provision takes the worst of its own and of those it requires.
OUTCOMES = ("satisfied", "needs_context", "uncertain", "not_satisfied")
_MET = ("evidenced", "not_required")


@dataclass(frozen=True)
class ActRef:
    """An act of the victim's, with its corroboration: the number of independent lines of sources."""

    code: str
    violation: str
    violation_label: str
    date: str | None
    place_id: str | None
    place: str | None
    perpetrators: tuple[tuple[str, str | None], ...]  # (role, group code)
    sources: tuple[SourceRef, ...]
    independent_sources: int


@dataclass(frozen=True)
class ElementFinding:
    id: str
    label: str
    level: str
    status: str  # one of ELEMENT_STATUSES
    reason: str
    acts: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    independent_sources: int
    recorded_for: tuple[str, ...] = ()  # situation-level: "situation" or "group GRP-…"


@dataclass(frozen=True)
class ProvisionFinding:
    id: str
    instrument: str
    article: str
    label: str
    combine: str
    outcome: str  # one of OUTCOMES
    reason: str
    elements: tuple[ElementFinding, ...]
    requires: tuple[str, ...]
    required_by: tuple[str, ...]

    @property
    def satisfied(self) -> bool:
        return self.outcome == "satisfied"


@dataclass(frozen=True)
class PersonAnalysis:
    person: str
    person_role: str
    sex: str
    birth_years: tuple[int | None, int | None]
    vocabulary_version: str
    acts: tuple[ActRef, ...]
    provisions: tuple[ProvisionFinding, ...]
    notes: tuple[str, ...]

    def provision(self, provision_id: str) -> ProvisionFinding:
        for finding in self.provisions:
            if finding.id == provision_id:
                return finding
        raise KeyError(provision_id)

    def element(self, element_id: str) -> ElementFinding:
        provision = self.provision(element_id.rsplit(".", 1)[0])
        return next(e for e in provision.elements if e.id == element_id)

    def to_dict(self) -> dict:
        """JSON-ready; holds codes, grades and labels only, never a sealed value."""
        data = asdict(self)
        data["birth_years"] = list(self.birth_years)
        for act in data["acts"]:
            act["perpetrators"] = [{"role": role, "group": group} for role, group in act["perpetrators"]]
        for provision, finding in zip(data["provisions"], self.provisions):
            provision["satisfied"] = finding.satisfied
        return data


def analyse_person(session: Session, person_code: str, *, actor: Actor) -> PersonAnalysis:
    """The element-by-element analysis of every provision the person's acts (as victim) engage."""
    require(actor, "elements.view")
    vocabulary = load_vocabulary()
    person = session.scalars(sa.select(Person).where(Person.code == person_code)).one_or_none()
    if person is None:
        raise NotFound(f"no person with code {person_code!r}")
    acts = list(session.scalars(
        sa.select(Act).where(Act.victim_id == person.id).order_by(Act.id)
        .options(selectinload(Act.event), selectinload(Act.perpetrators).selectinload(ActPerpetrator.group),
                 selectinload(Act.attestations).selectinload(Attestation.source))))
    notes: list[str] = []
    unknown = [a.code for a in acts if a.violation not in vocabulary.violations]
    if unknown:
        notes.append(Message("acts with a violation code the vocabulary no longer has, left out: %(codes)s",
                             codes=", ".join(unknown)))
    acts = sorted((a for a in acts if a.violation in vocabulary.violations), key=_act_order)
    if not acts:
        notes.append(Message("no act is recorded with this person as victim: there is nothing to analyse"))
    if person.birth_year_min is None and person.birth_year_max is None:
        notes.append(Message("birth year not recorded: the age at the time of each act cannot be worked out"))
    findings = situation_findings(session)
    cited = {code for f in findings for code in f.sources}
    situation_sources = {s.code: s for s in session.scalars(sa.select(Source).where(Source.code.in_(cited)))} \
        if cited else {}
    context = _Analysis(vocabulary, person, acts, findings, situation_sources)
    return PersonAnalysis(
        person=person.code, person_role=person.person_role, sex=person.sex,
        birth_years=(person.birth_year_min, person.birth_year_max), vocabulary_version=vocabulary.version,
        acts=tuple(context.act_ref(a) for a in acts), provisions=context.provisions(), notes=tuple(notes))


def _act_order(act: Act) -> tuple:
    start = act.event.date_start if act.event else None
    return (start is None, start or 0, act.id)


class _Analysis:
    """One run of the analysis for one person: the acts, the vocabulary and the situation findings."""

    def __init__(self, vocabulary: Vocabulary, person: Person, acts: list[Act], findings: list[SituationFinding],
                 situation_sources: dict[str, Source]) -> None:
        self.vocabulary = vocabulary
        self.person = person
        self.acts = acts
        self.findings = findings
        self.situation_sources = situation_sources

    def act_ref(self, act: Act) -> ActRef:
        sources, lines = independent_lines(a.source for a in act.attestations)
        place = self.vocabulary.places.get(act.event.place_id) if act.event and act.event.place_id else None
        return ActRef(code=act.code, violation=act.violation,
                      violation_label=self.vocabulary.violations[act.violation].label_en,
                      date=describe_date(act.event), place_id=act.event.place_id if act.event else None,
                      place=place.name_en if place else None,
                      perpetrators=tuple((p.role, p.group.code if p.group else None) for p in act.perpetrators),
                      sources=sources, independent_sources=lines)

    def evidencing(self, element_id: str) -> list[Act]:
        return [a for a in self.acts if element_id in self.vocabulary.violations[a.violation].elements]

    def engaging(self, provision: Provision) -> list[Act]:
        ids = {e.id for e in provision.elements}
        return [a for a in self.acts if ids & set(self.vocabulary.violations[a.violation].elements)]

    def provisions(self) -> tuple[ProvisionFinding, ...]:
        provisions = self.vocabulary.provisions
        engaged = {p for a in self.acts for p in self.vocabulary.violations[a.violation].provisions}
        required_by: dict[str, list[str]] = {}
        queue, shown_ids = sorted(engaged), set(engaged)
        while queue:  # the provisions required, and those they require in turn
            provision_id = queue.pop()
            for needed in provisions[provision_id].requires:
                required_by.setdefault(needed, []).append(provision_id)
                if needed not in shown_ids:
                    shown_ids.add(needed)
                    queue.append(needed)
        done: dict[str, ProvisionFinding] = {}
        visiting: set[str] = set()

        def analyse(provision_id: str) -> None:
            if provision_id in done or provision_id in visiting:
                return
            visiting.add(provision_id)
            for needed in provisions[provision_id].requires:
                analyse(needed)  # a provision reads the outcome of those it requires
            if provision_id in engaged:
                acts = self.engaging(provisions[provision_id])
            else:  # a contextual provision: the acts of the provisions that require it
                acts = list({a.id: a for r in required_by[provision_id] for a in self.engaging(provisions[r])}.values())
            done[provision_id] = self.provision_finding(provisions[provision_id], acts,
                                                        tuple(sorted(set(required_by.get(provision_id, ())))), done)

        shown = [p for p in provisions.values() if p.id in shown_ids]
        for provision in shown:
            analyse(provision.id)
        return tuple(done[p.id] for p in shown)

    def provision_finding(self, provision: Provision, acts: list[Act], required_by: tuple[str, ...],
                          done: dict[str, ProvisionFinding]) -> ProvisionFinding:
        minor = self.minor_state(provision, acts) if provision.minor_age is not None else None
        groups = {p.group.code for a in acts for p in a.perpetrators if p.group is not None}
        elements = tuple(self.element_finding(provision, e, minor, groups) for e in provision.elements)
        outcome, reason = _own_outcome(provision, elements)
        for needed in provision.requires:
            other = done.get(needed)
            if other is not None and OUTCOMES.index(other.outcome) > OUTCOMES.index(outcome):
                outcome, reason = other.outcome, Message("its own elements are met, but it requires %(provision)s: "
                                                         "%(reason)s", provision=needed, reason=other.reason)
        if minor is not None and minor[1]:
            reason += Message(" (victim %(why)s)", why=minor[1])
        return ProvisionFinding(id=provision.id, instrument=provision.instrument, article=provision.article,
                                label=provision.label_en, combine=provision.combine, outcome=outcome, reason=reason,
                                elements=elements, requires=provision.requires, required_by=required_by)

    def minor_state(self, provision: Provision, acts: list[Act]) -> tuple[str, str]:
        """("minor" | "adult" | "uncertain", why) at the time of the acts engaging the provision.

        Minor when she was certainly under the age at the time of at least one of them.
        """
        limit = provision.minor_age
        assert limit is not None
        doubts: list[str] = []
        for act in acts:
            found = age_range(self.person, act.event)
            if isinstance(found, str):
                doubts.append(Message("%(act)s: %(why)s", act=act.code, why=found))
                continue
            low, high = found
            if high < limit:
                return "minor", Message("under %(age)s at the time of %(act)s, %(aged)s", age=limit, act=act.code,
                                        aged=age_text(low, high))
            if low < limit:
                doubts.append(Message("%(act)s: %(aged)s, either side of %(age)s", act=act.code,
                                      aged=age_text(low, high), age=limit))
        if doubts:
            return "uncertain", Message("age at the time uncertain (%(doubts)s)", doubts=join("; ", doubts))
        if not acts:
            return "uncertain", Message("no act engages the provision, so no age at the time")
        return "adult", Message("%(age)s or older at the time of every act engaging it", age=limit)

    def element_finding(self, provision: Provision, element: Element, minor: tuple[str, str] | None,
                        groups: set[str]) -> ElementFinding:
        if element.level == "situation":
            return self.situation_element(element, groups)
        acts = self.evidencing(element.id)
        sources, lines = independent_lines(at.source for a in acts for at in a.attestations)
        status = "evidenced" if acts else "missing"
        if acts:
            reason = Message("evidenced by %(acts)s act(s), %(lines)s independent line(s) of sources",
                             acts=len(acts), lines=lines)
            if not sources:
                reason = Message("coded in %(acts)s act(s), but no source attests them", acts=len(acts))
        elif provision.combine == "any":
            reason = Message("not shown; one of the alternatives suffices")
        else:
            could = [v.code for v in self.vocabulary.violations.values() if element.id in v.elements]
            reason = (Message("no recorded act evidences it; an act coded as %(codes)s would", codes=", ".join(could))
                      if could else Message("no recorded act evidences it"))
        if minor is not None and element.id in provision.minor_waives:
            state, why = minor
            if state == "minor":
                status, reason = "not_required", Message("not required: the victim was %(why)s", why=why)
                if acts:
                    reason += Message("; shown anyway by %(acts)s act(s)", acts=len(acts))
            elif state == "uncertain":
                if acts:
                    reason += Message("; it would not be needed for a child, but the %(why)s", why=why)
                else:
                    status, reason = "uncertain", Message("needed unless the victim was under %(age)s; %(why)s",
                                                          age=provision.minor_age, why=why)
            elif not acts:
                reason += Message("; the victim was %(why)s, so it must be shown", why=why)
        return ElementFinding(id=element.id, label=element.label_en, level=element.level, status=status,
                              reason=reason, acts=tuple(a.code for a in acts), sources=sources,
                              independent_sources=lines)

    def situation_element(self, element: Element, groups: set[str]) -> ElementFinding:
        applicable = [f for f in self.findings
                      if f.element_id == element.id and (f.group is None or f.group in groups)]
        if not applicable:
            return ElementFinding(
                id=element.id, label=element.label_en, level=element.level, status="situation_level",
                reason=Message("recorded once for the situation or for a perpetrator group, not by an act; "
                               "not recorded yet"),
                acts=(), sources=(), independent_sources=0)
        scopes = tuple(dict.fromkeys(f.scope for f in applicable))
        sources, lines = independent_lines(self.situation_sources[c] for f in applicable for c in f.sources
                                           if c in self.situation_sources)
        return ElementFinding(id=element.id, label=element.label_en, level=element.level, status="evidenced",
                              reason=Message("recorded for the %(scopes)s", scopes=_and(scopes)), acts=(),
                              sources=sources, independent_sources=lines, recorded_for=scopes)


def _own_outcome(provision: Provision, elements: tuple[ElementFinding, ...]) -> tuple[str, str]:
    statuses = [e.status for e in elements]
    missing = [e.id.rsplit(".", 1)[-1] for e in elements if e.status == "missing"]
    pending = [e.id.rsplit(".", 1)[-1] for e in elements if e.status == "situation_level"]
    doubtful = [e.id.rsplit(".", 1)[-1] for e in elements if e.status == "uncertain"]
    if provision.combine == "any":
        if any(s in _MET for s in statuses):
            shown = [e.id.rsplit(".", 1)[-1] for e in elements if e.status in _MET]
            return "satisfied", Message("evidenced as %(elements)s (any one suffices)", elements=", ".join(shown))
        if doubtful:
            return "uncertain", Message("uncertain: %(elements)s", elements=", ".join(doubtful))
        if pending:
            return "needs_context", Message("situation-level elements not recorded yet: %(elements)s",
                                            elements=", ".join(pending))
        return "not_satisfied", Message("none of the alternative elements is evidenced")
    if missing:
        return "not_satisfied", Message("missing: %(elements)s", elements=", ".join(missing))
    if doubtful:
        return "uncertain", Message("uncertain: %(elements)s", elements=", ".join(doubtful))
    if pending:
        return "needs_context", Message("situation-level elements not recorded yet: %(elements)s",
                                        elements=", ".join(pending))
    return "satisfied", Message("every element is evidenced or not required")


def _and(parts: tuple[str, ...]) -> str:
    """"a and b and c", each part and each "and" translatable."""
    text = parts[0]
    for part in parts[1:]:
        text = Message("%(first)s and %(second)s", first=text, second=part)
    return text
