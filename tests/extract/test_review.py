"""Review on both backends: proposals are computed, not stored; accepting writes acts, events, claims and
people attested by their spans; every decision is audited without the quoted text. Synthetic text."""

import json

import pytest
import sqlalchemy as sa

from redzone.errors import NotFound, PermissionDenied, ValidationError
from redzone.extract.review import accept, date_bounds, propose, reject
from redzone.records.entry import add_person, add_source, journey_of, step_sources
from redzone.records.models import Act, AuditEntry, Claim, Event, EventAttestation, Person, Source
from redzone.records.users import actor_for
from redzone.security import audit

TEXT = ("SYNTHETIC. In March 2019 I was sold as a bride to a farmer in Helong for 12,000 yuan. He did not beat me.\n\n"
        "Kim Hye-jin, my neighbour, was deported in 2020.\n\nUp to 500,000 women are at risk.")


@pytest.fixture
def source_code(context_for):
    with context_for("officer") as ctx:
        return add_source(ctx, kind="written_statement", language="en", text=TEXT).code


def proposals_of(workspace, code, username="officer"):
    with workspace.store.session() as session:
        return {p.id: p for p in propose(session, workspace.keys, actor_for(session, username), code)}


def test_proposals_carry_spans_context_and_status_and_store_nothing(workspace, source_code):
    proposals = proposals_of(workspace, source_code)
    sale = next(p for p in proposals.values() if p.fact.get("code") == "trafficking.sale")
    assert sale.status == "open" and TEXT[sale.fact.start:sale.fact.end] == "sold as a bride"
    context = sale.context
    assert proposals[context["place"]].fact.get("gazetteer_id") == "cn.jilin.yanbian.helong"
    assert proposals[context["date"]].fact.get("value") == "2019-03"
    assert proposals[context["money"]].fact.get("amount") == 12000
    assert [proposals[p].fact.get("role") for p in context["perpetrators"]] == ["buyer"]
    assert not any(p.fact.get("code") == "physical.beating" for p in proposals.values())  # negated
    assert all("Kim" not in pid for pid in proposals)
    with workspace.store.session() as session:
        assert session.scalar(sa.select(sa.func.count(Act.id))) == 0
        assert session.scalar(sa.select(sa.func.count(Claim.id))) == 0


def test_accepting_writes_attested_records_and_marks_decisions(workspace, context_for, source_code):
    proposals = proposals_of(workspace, source_code)
    sale = next(p for p in proposals.values() if p.fact.get("code") == "trafficking.sale")
    marriage = next(p for p in proposals.values() if p.fact.get("code") == "marriage.forced")
    claim_proposal = next(p for p in proposals.values() if p.fact.type == "quantity")
    person_proposal = next(p for p in proposals.values() if p.fact.type == "person")
    with context_for("officer") as ctx:
        sale_code = accept(ctx, source_code, sale)
        marriage_code = accept(ctx, source_code, marriage.id)
        claim_code = accept(ctx, source_code, claim_proposal, {"measure": "women at risk", "scope": "north-east China"})
        person_code = accept(ctx, source_code, person_proposal)
    with workspace.store.session() as session:
        act = session.scalar(sa.select(Act).where(Act.code == sale_code))
        assert (act.violation, act.price_amount, act.price_currency) == ("trafficking.sale", 12000, "CNY")
        assert act.event.place_id == "cn.jilin.yanbian.helong" and act.event.date_precision == "month"
        assert str(act.event.date_start) == "2019-03-01" and str(act.event.date_end) == "2019-03-31"
        assert [p.role for p in act.perpetrators] == ["buyer"]
        assert [(a.span_start, a.span_end) for a in act.attestations] == [(sale.fact.start, sale.fact.end)]
        second = session.scalar(sa.select(Act).where(Act.code == marriage_code))
        assert second.violation == "marriage.forced" and second.event.place_id == "cn.jilin.yanbian.helong"
        assert second.price_amount is None
        claim = session.scalar(sa.select(Claim).where(Claim.code == claim_code))
        assert (claim.value, claim.qualifier, claim.measure) == (500000, "up_to", "women at risk")
        assert TEXT[claim.span_start:claim.span_end] == "Up to 500,000 women"
        person = session.scalar(sa.select(Person).where(Person.code == person_code))
        assert person.identity_sealed and b"Kim" not in person.identity_sealed
        details = [json.dumps(e.detail, ensure_ascii=False) for e in session.scalars(sa.select(AuditEntry))]
        assert not any("Kim" in d or "Hye-jin" in d or "sold as" in d for d in details)
        actions = [e.action for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]
        assert actions.count("extract.accept") == 4
        assert audit.verify(session, workspace.keys.audit_key).first_bad_id is None
    after = proposals_of(workspace, source_code)
    assert after[sale.id].status == "accepted" and after[sale.id].record == sale_code
    assert after[sale.context["place"]].status == "accepted"  # taken into the act with it
    assert after[sale.context["money"]].record == sale_code
    with context_for("officer") as ctx, pytest.raises(ValidationError, match="already accepted"):
        accept(ctx, source_code, sale.id)


def test_perpetrators_and_places_join_the_act_of_their_sentence(workspace, context_for, source_code):
    proposals = proposals_of(workspace, source_code)
    deported = next(p for p in proposals.values() if p.fact.get("code") == "refoulement.forced_repatriation")
    with context_for("officer") as ctx:
        code = accept(ctx, source_code, deported, {"place_id": "kp.north_hamgyong.musan", "perpetrators": ["police"]})
    with workspace.store.session() as session:
        act = session.scalar(sa.select(Act).where(Act.code == code))
        assert act.event.place_id == "kp.north_hamgyong.musan" and act.event.date_precision == "year"
        assert [p.role for p in act.perpetrators] == ["police"]


def test_rejecting_is_audited_with_a_reason_code_and_writes_nothing_else(workspace, context_for, source_code):
    proposals = proposals_of(workspace, source_code)
    person = next(p for p in proposals.values() if p.fact.type == "person")
    with context_for("officer") as ctx:
        with pytest.raises(ValidationError, match="reason"):
            reject(ctx, source_code, person, "I know her: Kim")
        reject(ctx, source_code, person, "not_relevant")
    assert proposals_of(workspace, source_code)[person.id].status == "rejected"
    with workspace.store.session() as session:
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "extract.reject"))
        assert entry.detail == {"proposal": person.id, "type": "person", "reason": "not_relevant"}
        assert session.scalar(sa.select(sa.func.count(Person.id))) == 0


def test_bad_edits_unknown_proposals_and_roles_without_the_right_are_refused(workspace, context_for, source_code):
    proposals = proposals_of(workspace, source_code)
    sale = next(p for p in proposals.values() if p.fact.get("code") == "trafficking.sale")
    with context_for("officer") as ctx:
        with pytest.raises(ValidationError, match="colour"):
            accept(ctx, source_code, sale, {"colour": "red"})
        with pytest.raises(ValidationError, match="code"):
            accept(ctx, source_code, sale, {"code": "trafficking.nonsense"})
        with pytest.raises(NotFound):
            accept(ctx, source_code, "violation:0-3:trafficking.sale")
    with pytest.raises(PermissionDenied):
        proposals_of(workspace, source_code, "analyst")  # may not read testimony text
    assert proposals_of(workspace, source_code, "legal")  # may read, but not decide
    with context_for("legal") as ctx, pytest.raises(PermissionDenied):
        accept(ctx, source_code, sale)
    with workspace.store.session() as session:
        assert session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_date_bounds_reads_every_precision():
    assert [str(d) for d in date_bounds("2019-02")[:2]] == ["2019-02-01", "2019-02-28"]
    assert date_bounds("2016-12/2017-02")[2] == "range" and str(date_bounds("2016-12/2017-02")[1]) == "2017-02-28"
    assert date_bounds("2019-03-12")[1:] == (None, "day")
    with pytest.raises(ValidationError, match="date"):
        date_bounds("March")


def test_cli_review_lists_accepts_and_rejects_by_number(workspace, source_code):
    from support import PASSPHRASE
    from typer.testing import CliRunner

    from redzone.cli import _hoist_global_flags, app

    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1", "COLUMNS": "200"}

    def run(*args):
        result = CliRunner().invoke(app, _hoist_global_flags(["--user", "officer", *args]), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    listed = json.loads(run("review", source_code, "--json"))["proposals"]
    sale = next(p for p in listed if p.get("code") == "trafficking.sale")
    person = next(p for p in listed if p["type"] == "person")
    table = run("review", source_code)
    assert "sensitive" in table and "Kim" not in table and "Hye-jin" not in table
    data = json.loads(run("review", source_code, "--accept", str(sale["number"]), "--reject", str(person["number"]),
                          "--reason", "not_relevant", "--json"))
    assert [d["decision"] for d in data["decided"]] == ["accepted", "rejected"]
    statuses = {p["number"]: p["status"] for p in data["proposals"]}
    assert statuses[sale["number"]] == "accepted" and statuses[person["number"]] == "rejected"


@pytest.fixture
def interview_code(context_for):
    with context_for("officer") as ctx:
        subject = add_person(ctx)
        return add_source(ctx, kind="interview", language="en", text=TEXT, interviewee=subject).code


def _journey(workspace, source_code):  # noqa: ANN001, ANN202
    with workspace.store.session() as session:
        source = session.scalar(sa.select(Source).where(Source.code == source_code))
        subject = session.get(Person, source.interviewee_id)
        return [(p.sequence, p.event.code, p.event.kind, p.event.date_text(), p.event.description)
                for p in journey_of(session, subject)]


def test_accepted_places_and_dates_join_the_subjects_journey_attested_at_their_span(workspace, context_for,
                                                                                     interview_code):
    proposals = proposals_of(workspace, interview_code)
    sale = next(p for p in proposals.values() if p.fact.get("code") == "trafficking.sale")
    deported = next(p for p in proposals.values() if p.fact.type == "date" and p.fact.get("value") == "2020")
    with workspace.store.session() as session:
        subject = session.scalar(sa.select(Person.code).join(Source, Source.interviewee_id == Person.id)
                                 .where(Source.code == interview_code))
    with context_for("officer") as ctx:
        accept(ctx, interview_code, deported)  # no act in its sentence: an event of its own
        sale_code = accept(ctx, interview_code, sale, {"victim": subject})
    steps = _journey(workspace, interview_code)
    with workspace.store.session() as session:
        sale_event = session.scalar(sa.select(Act).where(Act.code == sale_code)).event.code
    # The sale (2019-03, accepted second) goes before the 2020 step: the journey stays in time order.
    assert [(s[0], s[1], s[3]) for s in steps] == [(1, sale_event, "2019-03"), (2, steps[1][1], "2020")]
    assert steps[1][4] == ""  # the source is an attestation of the event, not words in its description
    assert TEXT[deported.fact.start:deported.fact.end].endswith("2020")
    with workspace.store.session() as session:
        attested = session.execute(sa.select(Event.code, Source.code, EventAttestation.span_start,
                                             EventAttestation.span_end)
                                   .join(Event, Event.id == EventAttestation.event_id)
                                   .join(Source, Source.id == EventAttestation.source_id)).all()
        added = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "journey.add")
                                .order_by(AuditEntry.id)).all()
        attest_audit = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "event.attest")).all()
        # The sale's event is attested through its act, at the act's span, not by an event attestation.
        shown = step_sources(session, [session.scalar(sa.select(Event.id).where(Event.code == sale_event))])
    assert attested == [(steps[1][1], interview_code, deported.fact.start, deported.fact.end)]
    assert [(a.record_id, a.detail) for a in attest_audit] == [
        (steps[1][1], {"source": interview_code, "span": [deported.fact.start, deported.fact.end]})]
    assert [(s.source.code, s.act) for s in next(iter(shown.values()))] == [(interview_code, sale_code)]
    assert [(a.record_id, a.detail["event"]) for a in added] == [(subject, steps[1][1]), (subject, sale_event)]


def test_a_place_or_date_kept_off_the_journey_or_without_a_subject_is_only_an_event(workspace, context_for,
                                                                                      interview_code, source_code):
    deported = next(p for p in proposals_of(workspace, interview_code).values()
                    if p.fact.type == "date" and p.fact.get("value") == "2020")
    with context_for("officer") as ctx:
        kept_off = accept(ctx, interview_code, deported, {"journey": False})
    assert _journey(workspace, interview_code) == []
    elsewhere = next(p for p in proposals_of(workspace, source_code).values()
                     if p.fact.type == "date" and p.fact.get("value") == "2020")
    with pytest.raises(ValidationError) as refused, context_for("officer") as ctx:
        accept(ctx, source_code, elsewhere, {"journey": "RZ-NOBODY"})
    assert refused.value.problems[0].field == "journey"
    with context_for("officer") as ctx:
        lone = accept(ctx, source_code, elsewhere)  # a written statement with no subject
    with workspace.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.code.in_([kept_off, lone]))) == 2
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "journey.add")) == 0
