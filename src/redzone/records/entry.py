"""Recording: the service functions that write one record at a time, validated against the
vocabulary, sealed where the brief says so, and audited. The CLI, the web and the importers
call these; none of them writes to the tables directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NoReturn

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from redzone.errors import NotFound, PermissionDenied, Problem, ValidationError
from redzone.messages import Message
from redzone.records.codes import new_code
from redzone.records.identity import Identity, seal_identity
from redzone.records.models import (Act, ActPerpetrator, Attestation, Claim, Event, EventAttestation, Group,
                                    Organisation, Participation, Person, Source)
from redzone.records.text_scope import may_read_text
from redzone.security import audit
from redzone.security.keys import KeyRing
from redzone.security.policy import ACTIONS, Actor, require
from redzone.store.engine import Store
from redzone.vocab import load_vocabulary


@dataclass(frozen=True)
class Context:
    """Who is acting, with which keys, in which transaction."""

    session: Session
    keys: KeyRing
    actor: Actor

    def audit(self, action: str, record_type: str, record_id: str, detail: dict | None = None) -> None:
        audit.append(self.session, self.keys.audit_key, self.actor.username, action, record_type, record_id, detail)


def _check_term(problems: list[Problem], field_name: str, list_name: str, value: str | None, optional: bool = False) -> None:
    if value is None and optional:
        return
    terms = load_vocabulary().lists[list_name]
    if value not in terms:
        problems.append(Problem(field_name, Message("%(value)s is not in the vocabulary's %(list_name)s (%(items)s)",
                                                    value=repr(value), list_name=list_name, items=', '.join(terms))))


def _check_place(problems: list[Problem], field_name: str, place_id: str | None) -> None:
    if place_id is not None and place_id not in load_vocabulary().places:
        problems.append(Problem(field_name, Message("%(place_id)s is not a gazetteer place id",
                                                    place_id=repr(place_id))))


# The languages a source may be in: those the vocabulary names places in (English, Korean, Chinese)
# and extraction reads. A code outside them is a typing mistake more often than a new language.
SOURCE_LANGUAGES = ("en", "ko", "zh")


def today_utc() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def _check_not_future(problems: list[Problem], field_name: str, date: dt.date | None) -> None:
    today = today_utc()
    if date is not None and date > today:
        problems.append(Problem(field_name, Message("%(date)s is later than today (%(today)s, UTC)",
                                                    date=date.isoformat(), today=today.isoformat())))


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


def add_organisation(ctx: Context, org_id: str, name: str, kind: str = "ngo") -> Organisation:
    require(ctx.actor, "source.create")
    organisation = Organisation(id=org_id, name=name, kind=kind)
    ctx.session.add(organisation)
    ctx.session.flush()
    ctx.audit("organisation.create", "organisation", org_id)
    return organisation


def add_person(ctx: Context, *, person_role: str = "victim", sex: str = "unknown", birth_year_min: int | None = None,
               birth_year_max: int | None = None, origin_place_id: str | None = None, crossing_year: int | None = None,
               organisation_id: str | None = None, identity: Identity | None = None, code: str | None = None) -> Person:
    require(ctx.actor, "person.create")
    problems: list[Problem] = []
    _check_term(problems, "person_role", "person_roles", person_role)
    _check_term(problems, "sex", "sexes", sex)
    _check_place(problems, "origin_place_id", origin_place_id)
    this_year = dt.date.today().year
    for name, year in (("birth_year_min", birth_year_min), ("birth_year_max", birth_year_max), ("crossing_year", crossing_year)):
        if year is not None and not 1900 <= year <= this_year:
            problems.append(Problem(name, Message("%(year)s is not a year between 1900 and %(this_year)s",
                                                  year=year, this_year=this_year)))
    if birth_year_min and birth_year_max and birth_year_min > birth_year_max:
        problems.append(Problem("birth_year_max", "is before birth_year_min"))
    _raise(problems)
    code = code or new_code("person")
    person = Person(code=code, person_role=person_role, sex=sex, birth_year_min=birth_year_min,
                    birth_year_max=birth_year_max if birth_year_max is not None else birth_year_min,
                    origin_place_id=origin_place_id, crossing_year=crossing_year, organisation_id=organisation_id,
                    identity_sealed=seal_identity(ctx.keys.fields, code, identity or Identity()),
                    created_by=ctx.actor.username)
    ctx.session.add(person)
    ctx.session.flush()
    ctx.audit("person.create", "person", code, {"sealed": identity is not None and not identity.is_empty()})
    return person


def source_text_context(code: str) -> str:
    return f"source/{code}/text"


def add_source(ctx: Context, *, kind: str, title: str = "", language: str = "en", date: dt.date | None = None,
               reliability: str = "F", credibility: int = 6, text: str | None = None,
               organisation_id: str | None = None, interviewee: Person | None = None,
               consent_scopes: Sequence[str] = (), code: str | None = None) -> Source:
    require(ctx.actor, "source.create")
    problems: list[Problem] = []
    _check_term(problems, "kind", "source_kinds", kind)
    _check_term(problems, "reliability", "reliability", reliability)
    _check_term(problems, "credibility", "credibility", str(credibility))
    if language not in SOURCE_LANGUAGES:
        problems.append(Problem("language", Message("%(value)s is not a language of the vocabulary (%(items)s)",
                                                    value=repr(str(language)[:20]),
                                                    items=', '.join(SOURCE_LANGUAGES))))
    _check_not_future(problems, "date", date)
    for scope in consent_scopes:
        _check_term(problems, "consent_scopes", "consent_scopes", scope)
    if consent_scopes and kind != "interview" and interviewee is None:
        problems.append(Problem("consent_scopes", "consent is recorded for interviews (or a named interviewee) only"))
    _raise(problems)
    code = code or new_code("source")
    source = Source(code=code, kind=kind, title=title, language=language, date=date, reliability=reliability,
                    credibility=credibility, organisation_id=organisation_id,
                    interviewee_id=interviewee.id if interviewee else None, consent_scopes=list(consent_scopes),
                    consent_recorded_at=dt.date.today() if consent_scopes else None, created_by=ctx.actor.username)
    if text is not None:
        source.text_sealed = ctx.keys.fields.seal(text, source_text_context(code))
        source.text_digest = ctx.keys.digest(text)
        remember_text_length(ctx, source, text)
    ctx.session.add(source)
    ctx.session.flush()
    ctx.audit("source.create", "source", code, {"kind": kind, "has_text": text is not None})
    return source


def require_text(ctx: Context, source: Source) -> None:
    """Refuse unless the policy lets the actor read this source's text (an interviewer: their own
    cases only, see `records.text_scope`)."""
    if not may_read_text(ctx.session, ctx.actor, source):
        raise PermissionDenied(ctx.actor.username, Message("%(action)s %(code)s", action=ACTIONS["source.view_text"],
                                                           code=source.code))


def read_source_text(ctx: Context, source: Source, purpose: str | None = None) -> str | None:
    """The text of a source (None when it has none), if the policy allows; the read is audited."""
    require_text(ctx, source)
    if source.text_sealed is None:
        return None
    ctx.audit("source.view_text", "source", source.code, {"purpose": purpose} if purpose else None)
    return remember_text_length(ctx, source, ctx.keys.fields.unseal_text(source.text_sealed,
                                                                          source_text_context(source.code)))


def _text_lengths(ctx: Context) -> dict[tuple[str, bytes], int]:
    """Lengths of the source texts already opened in this transaction, keyed by the ciphertext too
    (a text sealed again is measured again): one decryption per source per request."""
    return ctx.session.info.setdefault("redzone.source_text_lengths", {})


def remember_text_length(ctx: Context, source: Source, text: str) -> str:
    """Note the length of a source's text just opened, so that spans checked later in the same
    transaction need not open it again; returns the text."""
    _text_lengths(ctx)[(source.code, source.text_sealed)] = len(text)
    return text


def source_text_length(ctx: Context, source: Source) -> int | None:
    """How many characters the source's text has (None when it has none), to check a span against.

    Not audited as `source.view_text`: only the length leaves this function, never the words, so no
    one read the testimony (and a source's text is not a person's identity, whose every read is
    audited). The act, claim or attestation recorded with the span is audited where it is written.
    The actor must still be allowed to read the text, since an error states its length."""
    if source.text_sealed is None:
        return None
    require_text(ctx, source)
    lengths = _text_lengths(ctx)
    key = (source.code, source.text_sealed)
    if key not in lengths:
        lengths[key] = len(ctx.keys.fields.unseal_text(source.text_sealed, source_text_context(source.code)))
    return lengths[key]


def refuse_text(store: Store, keys: KeyRing, actor: Actor, code: str, purpose: str | None = None) -> NoReturn:
    """Record a refused read of a source's text (`source.view_text.denied`) in a transaction of its
    own, so that it outlives the refused one, and raise. Call it before the refused request wrote."""
    with store.session() as session:
        audit.append(session, keys.audit_key, actor.username, "source.view_text.denied", "source", code,
                     {"purpose": purpose} if purpose else None)
    raise PermissionDenied(actor.username, Message("%(action)s %(code)s", action=ACTIONS["source.view_text"], code=code))


def open_source_text(store: Store, keys: KeyRing, actor: Actor, code: str, purpose: str | None = None) -> str | None:
    """A source's text by code for an interface (the API, a command): read and audited if the
    policy allows it, else the refusal audited and raised."""
    with store.session() as session:
        source = session.scalar(sa.select(Source).where(Source.code == code))
        if source is None:
            raise NotFound(Message("no source with code %(code)s", code=repr(code)))
        if may_read_text(session, actor, source):
            return read_source_text(Context(session, keys, actor), source, purpose)
    refuse_text(store, keys, actor, code, purpose)


def withdraw_consent(ctx: Context, source: Source, on: dt.date | None = None) -> None:
    require(ctx.actor, "source.edit")
    source.consent_withdrawn_at = on or dt.date.today()
    ctx.audit("source.consent_withdrawn", "source", source.code)


def add_group(ctx: Context, *, name: str, kind: str, place_id: str | None = None, code: str | None = None) -> Group:
    require(ctx.actor, "act.create")
    problems: list[Problem] = []
    _check_term(problems, "kind", "group_kinds", kind)
    _check_place(problems, "place_id", place_id)
    _raise(problems)
    group = Group(code=code or new_code("group"), name=name, kind=kind, place_id=place_id)
    ctx.session.add(group)
    ctx.session.flush()
    ctx.audit("group.create", "group", group.code)
    return group


def province_of(place_id: str | None) -> str | None:
    if place_id is None:
        return None
    province = load_vocabulary().province_of(place_id)
    return province.id if province else None


def _event_problems(prefix: str, kind: str, place_id: str | None, date_start: dt.date | None,
                    date_end: dt.date | None, date_precision: str) -> list[Problem]:
    """What is wrong with an event's fields, each named with `prefix` (e.g. 'journey[2].')."""
    problems: list[Problem] = []
    _check_term(problems, f"{prefix}kind", "event_kinds", kind)
    _check_term(problems, f"{prefix}date_precision", "date_precisions", date_precision)
    _check_place(problems, f"{prefix}place_id", place_id)
    if date_precision != "unknown" and date_start is None:
        problems.append(Problem(f"{prefix}date_start", Message("is required when date_precision is %(date_precision)s",
                                                               date_precision=repr(date_precision))))
    if date_precision == "range" and date_end is None:
        problems.append(Problem(f"{prefix}date_end", "is required when date_precision is 'range'"))
    if date_start and date_end and date_end < date_start:
        problems.append(Problem(f"{prefix}date_end", "is before date_start"))
    _check_not_future(problems, f"{prefix}date_start", date_start)
    _check_not_future(problems, f"{prefix}date_end", date_end)
    return problems


def _new_event(ctx: Context, kind: str, place_id: str | None, date_start: dt.date | None, date_end: dt.date | None,
               date_precision: str, description: str, code: str | None = None) -> Event:
    event = Event(code=code or new_code("event"), kind=kind, place_id=place_id, province_id=province_of(place_id),
                  date_start=date_start, date_end=date_end, date_precision=date_precision,
                  year=date_start.year if date_start else None, description=description)
    ctx.session.add(event)
    ctx.session.flush()
    ctx.audit("event.create", "event", event.code)
    return event


def add_event(ctx: Context, *, kind: str, place_id: str | None = None, date_start: dt.date | None = None,
              date_end: dt.date | None = None, date_precision: str = "unknown", description: str = "",
              code: str | None = None) -> Event:
    require(ctx.actor, "act.create")
    _raise(_event_problems("", kind, place_id, date_start, date_end, date_precision))
    return _new_event(ctx, kind, place_id, date_start, date_end, date_precision, description, code)


@dataclass(frozen=True)
class AttestationSpec:
    """A source attesting an act or an event, with the character span of the quoted passage (or none)."""

    source: Source
    span_start: int | None = None
    span_end: int | None = None


def _span_problems(ctx: Context, field_name: str, source: Source, span: tuple[int | None, int | None]) -> list[Problem]:
    """What is wrong with a span of a source's text: both ends or neither, 0 ≤ start < end ≤ the
    text's length, and no span at all on a source without text."""
    start, end = span
    if start is None and end is None:
        return []
    if start is None or end is None or start < 0 or end <= start:
        return [Problem(field_name, "needs 0 ≤ start < end, or neither")]
    length = source_text_length(ctx, source)
    if length is None:
        return [Problem(field_name, Message("source %(code)s has no text for a span to lie in", code=source.code))]
    if end > length:
        return [Problem(field_name, Message("ends at %(end)s, past the end of the text of source %(code)s "
                                            "(%(length)s characters)",
                                            end=end, code=source.code, length=length))]
    return []


def _attestation_problems(ctx: Context, field_name: str, attestation: AttestationSpec) -> list[Problem]:
    return _span_problems(ctx, field_name, attestation.source, (attestation.span_start, attestation.span_end))


def attest_event(ctx: Context, event: Event, attestation: AttestationSpec) -> EventAttestation | None:
    """Record that a source attests an event (at a span of its text, or as a whole); nothing new when
    that source already attests it at that span. Audited (`event.attest`) in the same transaction."""
    require(ctx.actor, "act.create")
    _raise(_attestation_problems(ctx, "span", attestation))
    source, start, end = attestation.source, attestation.span_start, attestation.span_end
    known = ctx.session.scalar(sa.select(EventAttestation.id).where(
        EventAttestation.event_id == event.id, EventAttestation.source_id == source.id,
        EventAttestation.span_start.is_(None) if start is None else EventAttestation.span_start == start,
        EventAttestation.span_end.is_(None) if end is None else EventAttestation.span_end == end))
    if known is not None:
        return None
    row = EventAttestation(event_id=event.id, source_id=source.id, span_start=start, span_end=end)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("event.attest", "event", event.code,
              {"source": source.code, "span": [start, end] if start is not None else None})
    return row


@dataclass(frozen=True)
class JourneyStep:
    """One movement of a person to record as a new event: a crossing, a sale, a transfer, an arrest,
    a detention, a repatriation… with the sources that tell it (`attestations`)."""

    kind: str
    place_id: str | None = None
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    date_precision: str = "unknown"
    description: str = ""
    attestations: tuple[AttestationSpec, ...] = ()


def _journey_position(steps: list[Participation], event: Event) -> int:
    """Where a new step goes: before the first dated step that starts after it (the journey stays in
    time order); at the end when it is undated or latest."""
    if event.date_start is not None:
        for index, step in enumerate(steps):
            if step.event.date_start is not None and step.event.date_start > event.date_start:
                return index
    return len(steps)


def add_journey(ctx: Context, person: Person, steps: Sequence[JourneyStep | Event],
                field_name: str = "journey", source: AttestationSpec | None = None) -> list[Participation]:
    """Add steps to a person's journey: each a new event (JourneyStep) or an event already recorded
    (the event of an act). Every step is checked before anything is written; a problem is named
    `<field_name>[i].<field>` (or just `<field>` when `field_name` is empty and there is one step).
    Dated steps take their place in time order among the steps already there; the sequence is
    renumbered 1, 2, 3… in the same transaction. A new step's event is attested by the step's own
    `attestations`, or else by `source` (the testimony it was recorded from), when given."""
    require(ctx.actor, "person.edit")
    problems: list[Problem] = []
    for index, step in enumerate(steps):
        if isinstance(step, JourneyStep):
            prefix = f"{field_name}[{index}]." if field_name else ""
            problems += _event_problems(prefix, step.kind, step.place_id, step.date_start, step.date_end,
                                        step.date_precision)
            if len(step.description) > 2000:
                problems.append(Problem(f"{prefix}description", "is longer than 2,000 characters"))
            for attestation in step.attestations or ((source,) if source else ()):
                problems += _attestation_problems(ctx, f"{prefix}span", attestation)
    _raise(problems)
    journey = journey_of(ctx.session, person)
    known = {step.event_id for step in journey}
    added: list[Participation] = []
    for step in steps:
        if isinstance(step, Event):
            event = step
        else:
            event = _new_event(ctx, step.kind, step.place_id, step.date_start, step.date_end, step.date_precision,
                               step.description)
            for attestation in step.attestations or ((source,) if source else ()):
                attest_event(ctx, event, attestation)
        if event.id in known:
            continue  # already a step of this journey
        participation = Participation(person_id=person.id, event_id=event.id, event=event)
        journey.insert(_journey_position(journey, event), participation)
        known.add(event.id)
        added.append(participation)
        ctx.session.add(participation)
    for sequence, participation in enumerate(journey, 1):
        participation.sequence = sequence
    ctx.session.flush()
    for participation in added:
        ctx.audit("journey.add", "person", person.code,
                  {"event": participation.event.code, "kind": participation.event.kind,
                   "sequence": participation.sequence})
    return added


def journey_of(session: Session, person: Person) -> list[Participation]:
    """A person's journey, in order, with its events loaded."""
    return list(session.scalars(sa.select(Participation).where(Participation.person_id == person.id)
                                .options(selectinload(Participation.event)).order_by(Participation.sequence)))


@dataclass(frozen=True)
class StepSource:
    """A source that tells a journey step: the event's own attestation, or an attestation of an act
    in that event (`act` names it); the span of the quoted passage when there is one."""

    source: Source
    span_start: int | None
    span_end: int | None
    act: str | None = None


def step_sources(session: Session, event_ids: Sequence[int]) -> dict[int, list[StepSource]]:
    """The sources of each event, by event id: its own attestations, then those of the acts recorded
    in it — each (source, span) once, the event's own first."""
    found: dict[int, list[StepSource]] = {}
    if not event_ids:
        return found
    ids = sorted(set(event_ids))
    own = session.execute(sa.select(EventAttestation.event_id, Source, EventAttestation.span_start,
                                    EventAttestation.span_end, sa.null())
                          .join(Source, Source.id == EventAttestation.source_id)
                          .where(EventAttestation.event_id.in_(ids)).order_by(EventAttestation.id))
    through_acts = session.execute(sa.select(Act.event_id, Source, Attestation.span_start, Attestation.span_end,
                                             Act.code)
                                   .join(Attestation, Attestation.act_id == Act.id)
                                   .join(Source, Source.id == Attestation.source_id)
                                   .where(Act.event_id.in_(ids)).order_by(Act.id, Attestation.id))
    seen: set[tuple[int, int, int | None, int | None]] = set()
    for event_id, source, start, end, act in [*own, *through_acts]:
        if (event_id, source.id, start, end) not in seen:
            seen.add((event_id, source.id, start, end))
            found.setdefault(event_id, []).append(StepSource(source, start, end, act))
    return found


@dataclass(frozen=True)
class PerpetratorSpec:
    role: str
    group: Group | None = None
    person: Person | None = None


@dataclass
class ActDetails:
    price_amount: float | None = None
    price_currency: str | None = None
    duration_days: int | None = None
    victim_count: int | None = None
    notes: str = ""
    perpetrators: list[PerpetratorSpec] = field(default_factory=list)
    attestations: list[AttestationSpec] = field(default_factory=list)


def add_act(ctx: Context, *, victim: Person | None, violation: str, event: Event | None,
            details: ActDetails | None = None, code: str | None = None) -> Act:
    require(ctx.actor, "act.create")
    details = details or ActDetails()
    vocabulary = load_vocabulary()
    problems: list[Problem] = []
    if violation not in vocabulary.violations:
        problems.append(Problem("violation", Message("%(violation)s is not a violation code of the vocabulary",
                                                     violation=repr(violation))))
    if (details.price_amount is None) != (details.price_currency is None):
        problems.append(Problem("price_currency", "a price needs both an amount and a currency"))
    if details.price_amount is not None and details.price_amount < 0:
        problems.append(Problem("price_amount", "must not be negative"))
    _check_term(problems, "price_currency", "currencies", details.price_currency, optional=True)
    for name in ("duration_days", "victim_count"):
        value = getattr(details, name)
        if value is not None and value < (1 if name == "victim_count" else 0):
            problems.append(Problem(name, "must be a positive number"))
    for index, perpetrator in enumerate(details.perpetrators):
        if perpetrator.role not in vocabulary.roles:
            problems.append(Problem(f"perpetrators[{index}].role", Message("%(role)s is not a perpetrator role",
                                                                           role=repr(perpetrator.role))))
    for index, attestation in enumerate(details.attestations):
        problems += _attestation_problems(ctx, f"attestations[{index}].span", attestation)
    _raise(problems)
    act = Act(code=code or new_code("act"), victim_id=victim.id if victim else None, violation=violation,
              event_id=event.id if event else None, price_amount=details.price_amount,
              price_currency=details.price_currency, duration_days=details.duration_days,
              victim_count=details.victim_count, notes=details.notes, created_by=ctx.actor.username)
    act.perpetrators = [ActPerpetrator(role=p.role, group_id=p.group.id if p.group else None,
                                       person_id=p.person.id if p.person else None) for p in details.perpetrators]
    act.attestations = [Attestation(source_id=a.source.id, span_start=a.span_start, span_end=a.span_end)
                        for a in details.attestations]
    ctx.session.add(act)
    ctx.session.flush()
    ctx.audit("act.create", "act", act.code, {"violation": violation, "sources": len(details.attestations)})
    return act


def _claim_problems(measure: str, value: float, value_max: float | None, qualifier: str, unit: str, scope: str,
                    year: int | None) -> list[Problem]:
    problems: list[Problem] = []
    _check_term(problems, "qualifier", "qualifiers", qualifier)
    if not measure.strip():
        problems.append(Problem("measure", "must not be empty"))
    for name, text, longest in (("measure", measure, 120), ("unit", unit, 40), ("scope", scope, 200)):
        if len(text) > longest:
            problems.append(Problem(name, Message("is longer than %(longest)s characters", longest=longest)))
    if not unit.strip():
        problems.append(Problem("unit", "must not be empty (persons, CNY, percent…)"))
    if value < 0:
        problems.append(Problem("value", "must not be negative"))
    if qualifier == "between" and value_max is None:
        problems.append(Problem("value_max", "is required when the qualifier is 'between'"))
    if value_max is not None and value_max < value:
        problems.append(Problem("value_max", "is below value"))
    this_year = dt.date.today().year
    if year is not None and not 1900 <= year <= this_year:
        problems.append(Problem("year", Message("%(year)s is not a year between 1900 and %(this_year)s",
                                                year=year, this_year=this_year)))
    return problems


def _quoted_span(ctx: Context, source: Source, quote: str) -> tuple[int, int] | None:
    """The span of `quote` in the source's text (an audited read), or None when it is not there."""
    text = read_source_text(ctx, source)
    start = text.find(quote) if text else -1
    return (start, start + len(quote)) if start >= 0 else None


def checked_claim(ctx: Context, source: Source, measure: str, value: float, value_max: float | None, qualifier: str,
                  unit: str, scope: str, year: int | None, span: tuple[int, int] | None,
                  quote: str | None) -> tuple[str, str, str, tuple[int, int] | None]:
    """A claim's fields checked as recorded (trimmed measure, unit and scope, and the span, found from
    the quoted words when those are given instead); every problem raised at once."""
    measure, unit, scope = (measure or "").strip(), (unit or "").strip(), (scope or "").strip()
    problems = _claim_problems(measure, value, value_max, qualifier, unit, scope, year)
    quote = (quote or "").strip()
    if quote and span is not None:
        problems.append(Problem("quote", "give the quoted words or the span, not both"))
    elif span is not None:
        problems += _span_problems(ctx, "span", source, span)
    elif quote:
        if source.text_sealed is None:
            problems.append(Problem("quote", Message("source %(code)s has no text to quote from", code=source.code)))
        else:
            span = _quoted_span(ctx, source, quote)
            if span is None:
                problems.append(Problem("quote", Message("these words are not in the text of source %(code)s",
                                                         code=source.code)))
    _raise(problems)
    return measure, unit, scope, span


def add_claim(ctx: Context, *, source: Source, measure: str, value: float, qualifier: str = "exact",
              unit: str = "persons", scope: str = "", year: int | None = None, value_max: float | None = None,
              span: tuple[int, int] | None = None, quote: str | None = None, code: str | None = None) -> Claim:
    """Record a figure a source asserts. The quoted passage is given either as a character span of
    the source's text or as the quoted words themselves (`quote`), found in the text."""
    require(ctx.actor, "claim.create")
    measure, unit, scope, span = checked_claim(ctx, source, measure, value, value_max, qualifier, unit, scope, year,
                                               span, quote)
    claim = Claim(code=code or new_code("claim"), source_id=source.id, measure=measure, value=value,
                  value_max=value_max, qualifier=qualifier, unit=unit, scope=scope, year=year,
                  span_start=span[0] if span else None, span_end=span[1] if span else None)
    ctx.session.add(claim)
    ctx.session.flush()
    ctx.audit("claim.create", "claim", claim.code, {"measure": measure, "source": source.code})
    return claim


def get_person(session: Session, code: str) -> Person:
    person = session.query(Person).filter_by(code=code).one_or_none()
    if person is None:
        raise NotFound(Message("no person with code %(code)s", code=repr(code)))
    return person
