"""Writing a generated demo world into a workspace, in bulk: one transaction, one audit entry
per batch, sealed fields sealed exactly as the single-record path seals them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from redzone.errors import WorkspaceError
from redzone.records.entry import source_text_context
from redzone.records.identity import Identity, seal_identity
from redzone.records.models import (Act, ActPerpetrator, Attestation, Claim, DemoTruth, Event, EventAttestation, Group,
                                    Organisation, Participation, Person, Source, User, WorkspaceMeta)
from redzone.records.users import SYSTEM, create_user
from redzone.search import index as search_index
from redzone.security import audit
from redzone.store.bulk import insert_rows
from redzone.security.policy import ROLES
from redzone.vocab import load_vocabulary
from redzone.workspace import Workspace

DEMO_NOTICE = "SYNTHETIC DEMO DATA: every person, event and text here was generated; none is real."
DEMO_ACCOUNTS = {role: (f"demo-{role.replace('_', '-')}", f"demo-{role.replace('_', '-')}-pass") for role in ROLES}
DEMO_INTERVIEWER = DEMO_ACCOUNTS["interviewer"][0]


@dataclass(frozen=True)
class LoadReport:
    counts: dict[str, int]
    true_population: int
    documented: int
    seconds: float


class _Ids:
    """Maps the generator's local keys to database ids, allocating ids above what is stored."""

    def __init__(self, start: int) -> None:
        self.next = start
        self.by_key: dict[str, int] = {}

    def assign(self, key: str) -> int:
        self.by_key[key] = self.next
        self.next += 1
        return self.by_key[key]

    def get(self, key: str | None) -> int | None:
        return None if key is None else self.by_key[key]


# The tables whose ids the loader assigns itself.
_NUMBERED = (Person, Group, Source, Event, Act, ActPerpetrator, Attestation, EventAttestation, Claim)


def _start_ids(session, models) -> dict[type, _Ids]:  # noqa: ANN001
    return {model: _Ids((session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1) for model in models}


def ensure_demo_accounts(ws: Workspace, session) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    existing = set(session.scalars(sa.select(User.username)))
    for role, (username, password) in DEMO_ACCOUNTS.items():
        if username not in existing:
            create_user(session, ws.keys, SYSTEM, username, role, password=password,
                        display_name=f"Demo {role.replace('_', ' ')} (synthetic)")
    return DEMO_ACCOUNTS


def load_world(ws: Workspace, world, progress: Callable[[int], None] | None = None) -> LoadReport:  # noqa: ANN001
    """Persist every record of `world`; all-or-nothing."""
    import time

    started = time.perf_counter()
    vocabulary = load_vocabulary()
    province_cache: dict[str, str | None] = {}

    def province(place_id: str | None) -> str | None:
        if place_id is None:
            return None
        if place_id not in province_cache:
            found = vocabulary.province_of(place_id)
            province_cache[place_id] = found.id if found else None
        return province_cache[place_id]

    fields, key = ws.keys.fields, ws.keys.audit_key
    counts = dict.fromkeys(("persons", "groups", "sources", "events", "participations", "acts",
                            "perpetrators", "attestations", "event_attestations", "claims"), 0)
    with ws.store.session() as session:
        if session.scalar(sa.select(sa.func.count()).select_from(Person)):
            raise WorkspaceError("this workspace already holds records; run the demo in a new workspace")
        ensure_demo_accounts(ws, session)
        ids = _start_ids(session, _NUMBERED)
        for organisation in world.organisations:
            session.add(Organisation(id=organisation.id, name=organisation.name, kind=organisation.kind))
        session.flush()
        truth_rows = []
        for batch in world.batches():
            person_rows = []
            for p in batch.persons:
                person_id = ids[Person].assign(p.key)
                identity = Identity(p.legal_name, p.hangul_name, tuple(p.aliases), p.contact, p.whereabouts)
                person_rows.append(dict(
                    id=person_id, code=p.code, organisation_id=p.organisation_id, person_role=p.person_role,
                    sex=p.sex, birth_year_min=p.birth_year_min, birth_year_max=p.birth_year_max,
                    origin_place_id=p.origin_place_id, crossing_year=p.crossing_year,
                    identity_sealed=seal_identity(fields, p.code, identity), created_by=DEMO_INTERVIEWER))
                if p.true_id is not None:
                    truth_rows.append(dict(person_id=person_id, true_id=p.true_id))
            group_rows = [dict(id=ids[Group].assign(g.key), code=f"GRP-D{ids[Group].by_key[g.key]}", name=g.name,
                               kind=g.kind, place_id=g.place_id, description="") for g in batch.groups]
            source_rows = []
            for s in batch.sources:
                source_id = ids[Source].assign(s.key)
                code = f"SRC-D{source_id}"
                source_rows.append(dict(
                    id=source_id, code=code, organisation_id=s.organisation_id, kind=s.kind, title=s.title,
                    language=s.language, date=s.date, reliability=s.reliability, credibility=s.credibility,
                    text_sealed=fields.seal(s.text, source_text_context(code)), text_digest=ws.keys.digest(s.text),
                    interviewee_id=ids[Person].get(s.interviewee_key), consent_scopes=list(s.consent_scopes),
                    consent_recorded_at=s.date if s.consent_scopes else None,
                    consent_withdrawn_at=s.consent_withdrawn, created_by=DEMO_INTERVIEWER))
            event_rows = [dict(id=ids[Event].assign(e.key), code=f"EV-D{ids[Event].by_key[e.key]}", kind=e.kind,
                               place_id=e.place_id, province_id=province(e.place_id), date_start=e.date_start,
                               date_end=e.date_end, date_precision=e.date_precision,
                               year=e.date_start.year if e.date_start else None, description=e.description)
                          for e in batch.events]
            participation_rows = [dict(person_id=ids[Person].get(x.person_key), event_id=ids[Event].get(x.event_key),
                                       sequence=x.sequence) for x in batch.participations]
            act_rows, perpetrator_rows = [], []
            for a in batch.acts:
                act_id = ids[Act].assign(a.key)
                act_rows.append(dict(id=act_id, code=f"ACT-D{act_id}", victim_id=ids[Person].get(a.victim_key),
                                     violation=a.violation, event_id=ids[Event].get(a.event_key),
                                     price_amount=a.price_amount, price_currency=a.price_currency,
                                     duration_days=a.duration_days, victim_count=a.victim_count, notes="",
                                     created_by=DEMO_INTERVIEWER))
                for perpetrator in a.perpetrators:
                    perpetrator_rows.append(dict(id=ids[ActPerpetrator].assign(f"{a.key}/{len(perpetrator_rows)}"),
                                                 act_id=act_id, role=perpetrator.role,
                                                 group_id=ids[Group].get(perpetrator.group_key),
                                                 person_id=ids[Person].get(perpetrator.person_key)))
            attestation_rows = [dict(id=ids[Attestation].assign(f"{t.act_key}/{t.source_key}/{t.start}"),
                                     act_id=ids[Act].get(t.act_key), source_id=ids[Source].get(t.source_key),
                                     span_start=t.start, span_end=t.end) for t in batch.attestations]
            # A journey step where nothing was done to her is told in her testimony all the same: it is
            # attested by that source (the first one she is the interviewee of), without a span.
            testimony: dict[str, str] = {}
            for s in batch.sources:
                if s.interviewee_key is not None:
                    testimony.setdefault(s.interviewee_key, s.key)
            with_acts = {a.event_key for a in batch.acts}
            told_rows = [dict(id=ids[EventAttestation].assign(x.event_key), event_id=ids[Event].get(x.event_key),
                              source_id=ids[Source].get(testimony[x.person_key]), span_start=None, span_end=None)
                         for x in batch.participations if x.event_key not in with_acts and x.person_key in testimony]
            claim_rows = [dict(id=ids[Claim].assign(c.key), code=f"CLM-D{ids[Claim].by_key[c.key]}",
                               source_id=ids[Source].get(c.source_key), measure=c.measure, value=c.value,
                               value_max=c.value_max, qualifier=c.qualifier, unit=c.unit, scope=c.scope,
                               year=c.year, span_start=c.start, span_end=c.end) for c in batch.claims]
            # Drop the per-batch key maps that no later batch can reference.
            ids[ActPerpetrator].by_key.clear()
            ids[Attestation].by_key.clear()
            ids[EventAttestation].by_key.clear()
            for model, rows, name in ((Person, person_rows, "persons"), (Group, group_rows, "groups"),
                                      (Source, source_rows, "sources"), (Event, event_rows, "events"),
                                      (Participation, participation_rows, "participations"),
                                      (Act, act_rows, "acts"), (ActPerpetrator, perpetrator_rows, "perpetrators"),
                                      (Attestation, attestation_rows, "attestations"),
                                      (EventAttestation, told_rows, "event_attestations"), (Claim, claim_rows, "claims")):
                counts[name] += insert_rows(session, model, rows)
            audit.append(session, key, SYSTEM.username, "demo.load_batch", "workspace", "",
                         {"acts": len(act_rows), "persons": len(person_rows), "sources": len(source_rows),
                          "created": [row["code"] for row in person_rows]})  # found by `audit log --person`
            if progress:
                progress(len(act_rows))
        for start in range(0, len(truth_rows), 10000):
            insert_rows(session, DemoTruth, truth_rows[start:start + 10000])
        truth = world.truth
        summary = {"notice": DEMO_NOTICE, "seed": getattr(world, "seed", None), "true_population": truth.true_population,
                   "documented": truth.documented, "lists": list(truth.lists), "counts": counts}
        session.merge(WorkspaceMeta(key="demo", value=json.loads(json.dumps(summary, default=str))))
        if ws.store.backend == "postgresql":
            for model in _NUMBERED:  # ids were given here, so the sequences must move past them
                table = model.__tablename__
                session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        search_index.catch_up(session, ws.keys)  # index now, so the first search does not pay for it
        audit.append(session, key, SYSTEM.username, "demo.generate", "workspace", "",
                     {"notice": DEMO_NOTICE, **counts})
    return LoadReport(counts, truth.true_population, truth.documented, time.perf_counter() - started)
