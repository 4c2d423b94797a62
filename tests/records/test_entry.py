"""Recording one record at a time: validation names every bad field, and nothing half-written stays."""

import datetime as dt

import pytest
import sqlalchemy as sa

from redzone.errors import PermissionDenied, ValidationError
from redzone.records.corrections import get_claim, remove_journey_step, update_claim, update_journey_step
from redzone.records.entry import (ActDetails, AttestationSpec, JourneyStep, PerpetratorSpec, add_act, add_claim,
                                   add_event, add_group, add_journey, add_person, add_source, attest_event,
                                   get_person, journey_of, read_source_text, step_sources)
from redzone.records.identity import Identity
from redzone.records.models import Act, AuditEntry, Claim, Event, EventAttestation, Participation, Person, Source


def test_one_testimony_from_source_to_act(context_for):
    text = "Synthetic testimony: in March 2019 a broker sold me in Yanji for 30,000 yuan."
    with context_for("interviewer") as ctx:
        victim = add_person(ctx, sex="female", birth_year_min=2001, origin_place_id="kp.north_hamgyong.hoeryong",
                            identity=Identity(legal_name="Synthetic Person"))
        source = add_source(ctx, kind="interview", language="en", date=dt.date(2023, 5, 1), reliability="B",
                            credibility=2, text=text, interviewee=victim, consent_scopes=["internal_analysis"])
        broker = add_group(ctx, name="Synthetic broker network", kind="broker_network",
                           place_id="cn.jilin.yanbian.yanji")
        event = add_event(ctx, kind="sale", place_id="cn.jilin.yanbian.yanji", date_start=dt.date(2019, 3, 1),
                          date_precision="month")
        start = text.index("a broker sold me")
        act = add_act(ctx, victim=victim, violation="trafficking.sale", event=event,
                      details=ActDetails(price_amount=30000, price_currency="CNY",
                                         perpetrators=[PerpetratorSpec("broker", group=broker)],
                                         attestations=[AttestationSpec(source, start, len(text) - 1)]))
        assert event.province_id == "cn.jilin" and event.year == 2019
        assert read_source_text(ctx, source) == text
        assert act.attestations[0].span_start == start
        claim = add_claim(ctx, source=source, measure="women at risk", value=500000, qualifier="up_to", year=2023)
        assert claim.qualifier == "up_to"


def test_every_bad_field_is_named_and_nothing_is_written(context_for, workspace):
    with pytest.raises(ValidationError) as raised:
        with context_for("interviewer") as ctx:
            add_person(ctx, sex="female")  # written first, must be rolled back with the rest
            add_event(ctx, kind="teleport", place_id="nowhere", date_precision="month")
    fields = {p.field for p in raised.value.problems}
    assert fields == {"kind", "place_id", "date_start"}
    with workspace.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_act_validation(context_for, workspace):
    with pytest.raises(ValidationError) as raised:
        with context_for("interviewer") as ctx:
            add_act(ctx, victim=None, violation="trafficking.teleport", event=None,
                    details=ActDetails(price_amount=-5, perpetrators=[PerpetratorSpec("wizard")]))
    fields = {p.field for p in raised.value.problems}
    assert {"violation", "price_currency", "price_amount", "perpetrators[0].role"} <= fields
    with workspace.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Act)) == 0


def test_roles_that_may_not_record_are_refused(context_for):
    with pytest.raises(PermissionDenied):
        with context_for("analyst") as ctx:
            add_person(ctx)
    with pytest.raises(PermissionDenied):
        with context_for("admin") as ctx:
            source = add_source(ctx, kind="news_article")
    with context_for("interviewer") as ctx:
        source = add_source(ctx, kind="news_article", text="Synthetic article")
    with pytest.raises(PermissionDenied):
        with context_for("analyst") as ctx:
            read_source_text(ctx, source)


def _count(workspace, model) -> int:  # noqa: ANN001
    with workspace.store.session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_journey_steps_take_their_place_in_time_order(context_for, workspace):
    with context_for("interviewer") as ctx:
        person = add_person(ctx, sex="female")
        sale = add_event(ctx, kind="sale", place_id="cn.jilin.yanbian.yanji", date_start=dt.date(2016, 5, 1),
                         date_precision="month")
        add_journey(ctx, person, [
            JourneyStep("crossing", "kp.north_hamgyong.musan", dt.date(2016, 3, 1), date_precision="month"),
            JourneyStep("repatriation", date_start=dt.date(2019, 1, 1), date_precision="year"),
            JourneyStep("escape"),  # undated: at the end
            sale])
        # A later step dated between the others goes between them; the act's event is not added twice.
        add_journey(ctx, person, [JourneyStep("arrest", "cn.jilin.yanbian.yanji", dt.date(2018, 11, 2),
                                              date_precision="day"), sale])
        journey = journey_of(ctx.session, person)
        assert [(s.sequence, s.event.kind) for s in journey] == [
            (1, "crossing"), (2, "sale"), (3, "arrest"), (4, "repatriation"), (5, "escape")]
        assert journey[0].event.province_id == "kp.north_hamgyong" and journey[2].event.date_text() == "2018-11-02"
        code = person.code
    with workspace.store.session() as session:
        entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "journey.add")).all()
    assert len(entries) == 5 and {e.record_id for e in entries} == {code}
    assert {e.detail["kind"] for e in entries} == {"crossing", "repatriation", "escape", "sale", "arrest"}


def test_journey_validation_names_each_step_and_writes_nothing(context_for, workspace):
    with context_for("interviewer") as ctx:
        person = add_person(ctx)
    events_before = _count(workspace, Event)
    with pytest.raises(ValidationError) as raised:
        with context_for("interviewer") as ctx:
            person = ctx.session.merge(person)
            add_journey(ctx, person, [
                JourneyStep("crossing", "kp.north_hamgyong.musan", dt.date(2016, 3, 1), date_precision="month"),
                JourneyStep("teleport", place_id="atlantis", date_precision="day"),
                JourneyStep("detention", date_start=dt.date(2019, 5, 1), date_end=dt.date(2019, 1, 1),
                            date_precision="range")])
    fields = {p.field for p in raised.value.problems}
    assert fields == {"journey[1].kind", "journey[1].place_id", "journey[1].date_start", "journey[2].date_end"}
    assert _count(workspace, Participation) == 0 and _count(workspace, Event) == events_before
    with pytest.raises(ValidationError) as single:
        with context_for("interviewer") as ctx:
            add_journey(ctx, ctx.session.merge(person), [JourneyStep("teleport")], field_name="")
    assert [p.field for p in single.value.problems] == ["kind"]


def test_only_roles_that_edit_persons_add_journey_steps(context_for):
    with context_for("interviewer") as ctx:
        person = add_person(ctx)
    for username in ("analyst", "legal", "admin", "public"):
        with pytest.raises(PermissionDenied):
            with context_for(username) as ctx:
                add_journey(ctx, ctx.session.merge(person), [JourneyStep("crossing")])
    with context_for("officer") as ctx:
        assert len(add_journey(ctx, ctx.session.merge(person), [JourneyStep("crossing")])) == 1


def test_a_claim_keeps_its_quoted_passage_found_in_the_text(context_for, workspace):
    text = "Synthetic report: up to 500,000 women and girls are at risk in the region."
    with context_for("officer") as ctx:
        source = add_source(ctx, kind="ngo_report", text=text)
        claim = add_claim(ctx, source=source, measure=" women and girls at risk ", value=500000, qualifier="up_to",
                          year=2023, quote="up to 500,000 women and girls")
        assert claim.measure == "women and girls at risk"
        assert text[claim.span_start:claim.span_end] == "up to 500,000 women and girls"
        code = claim.code
    with workspace.store.session() as session:
        actions = list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.record_id == code))
    assert actions[-2:] == ["source.view_text", "claim.create"]  # finding the quote read the text: audited
    assert entry.detail == {"measure": "women and girls at risk", "source": source.code}


def test_claim_validation_names_every_field_and_writes_nothing(context_for, workspace):
    with context_for("officer") as ctx:
        source = add_source(ctx, kind="ngo_report", text="Synthetic report with a figure of 30,000.")
        bare = add_source(ctx, kind="news_article")
    with pytest.raises(ValidationError) as raised:
        with context_for("officer") as ctx:
            add_claim(ctx, source=ctx.session.merge(source), measure=" ", value=-1, qualifier="roughly", unit="",
                      year=1850, value_max=-5, quote="not in the text")
    assert {p.field for p in raised.value.problems} == {"measure", "value", "qualifier", "unit", "year", "value_max",
                                                        "quote"}
    with pytest.raises(ValidationError) as raised:
        with context_for("officer") as ctx:
            add_claim(ctx, source=ctx.session.merge(bare), measure="x", value=1, quote="anything")
    assert [p.field for p in raised.value.problems] == ["quote"]
    with pytest.raises(ValidationError) as raised:
        with context_for("officer") as ctx:
            add_claim(ctx, source=ctx.session.merge(source), measure="x", value=1, qualifier="between", span=(5, 2))
    assert {p.field for p in raised.value.problems} == {"value_max", "span"}
    assert _count(workspace, Claim) == 0
    with pytest.raises(PermissionDenied):
        with context_for("analyst") as ctx:
            add_claim(ctx, source=ctx.session.merge(source), measure="x", value=1)


def test_journey_steps_told_in_a_testimony_are_attested_by_it(context_for, workspace):
    """Each new step records the testimony it came from (at its span when given, else as a whole);
    correcting a step keeps its sources, removing it deletes them with its event, and the audit
    names them."""
    with context_for("interviewer") as ctx:
        person = add_person(ctx, sex="female")
        source = add_source(ctx, kind="interview", text="SYNTHETIC. We crossed at Musan in 2016.", interviewee=person)
        sale = add_event(ctx, kind="sale", date_start=dt.date(2017, 1, 1), date_precision="year")
        add_journey(ctx, person, [JourneyStep("crossing", "kp.north_hamgyong.musan", dt.date(2016, 1, 1),
                                              date_precision="year", attestations=(AttestationSpec(source, 11, 38),)),
                                  JourneyStep("escape"), sale], source=AttestationSpec(source))
        crossing, escape = ({step.event.kind: step.event for step in journey_of(ctx.session, person)}[kind]
                            for kind in ("crossing", "escape"))
        assert attest_event(ctx, escape, AttestationSpec(source)) is None  # already attested: not twice
        shown = step_sources(ctx.session, [crossing.id, escape.id, sale.id])
        assert [(s.source.code, s.span_start, s.span_end) for s in shown[crossing.id]] == [(source.code, 11, 38)]
        assert [(s.source.code, s.span_start) for s in shown[escape.id]] == [(source.code, None)]
        assert sale.id not in shown  # an event already recorded is not attested by the journey's source
        codes = (person.code, source.code, crossing.code, escape.code)
    with pytest.raises(ValidationError) as raised, context_for("interviewer") as ctx:
        add_journey(ctx, ctx.session.merge(person), [JourneyStep("arrest", attestations=(
            AttestationSpec(ctx.session.merge(source), 9, 3),))], field_name="steps")
    assert [p.field for p in raised.value.problems] == ["steps[0].span"]
    with context_for("interviewer") as ctx:
        person = get_person(ctx.session, codes[0])
        update_journey_step(ctx, person, codes[2], JourneyStep("crossing", "kp.ryanggang.hyesan"))
        remove_journey_step(ctx, person, codes[3])
    with workspace.store.session() as session:
        kept = session.execute(sa.select(Event.code, EventAttestation.span_start).join(
            Event, Event.id == EventAttestation.event_id)).all()
        audits = {e.action: e.detail for e in session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action.in_(("event.attest", "journey.remove"))))}
    assert kept == [(codes[2], 11)]
    assert audits["journey.remove"]["sources"] == [codes[1]] and audits["journey.remove"]["event_deleted"]
    assert _count(workspace, EventAttestation) == 1 and "SYNTHETIC" not in str(audits)


def test_every_span_must_lie_in_its_source_text(context_for, workspace, monkeypatch):
    """Acts, claims (recorded or corrected) and journey steps refuse a span that runs past the end of
    the text, or any span on a source without text, naming the field and the text's length; the text
    is opened once per source per transaction however many spans are checked against it."""
    text = "SYNTHETIC. A broker sold me in Yanji."  # 37 characters
    with context_for("interviewer") as ctx:
        person = add_person(ctx, sex="female")
        source = add_source(ctx, kind="interview", text=text, interviewee=person)
        bare = add_source(ctx, kind="news_article")
        claim = add_claim(ctx, source=source, measure="women sold", value=1, span=(11, 37))  # up to the last character
        codes = (person.code, source.code, bare.code, claim.code)
    opened = []
    unseal_text = workspace.keys.fields.unseal_text
    monkeypatch.setattr(workspace.keys.fields, "unseal_text",
                        lambda blob, where: opened.append(where) or unseal_text(blob, where))
    cases = [
        (lambda ctx, s, b: add_act(ctx, victim=None, violation="trafficking.sale", event=None, details=ActDetails(
            attestations=[AttestationSpec(s, 11, 37), AttestationSpec(s, 5, 999999), AttestationSpec(b, 0, 4)])),
         {"attestations[1].span": "(37 characters)", "attestations[2].span": "has no text"}),
        (lambda ctx, s, b: add_claim(ctx, source=s, measure="x", value=1, span=(900000, 900010)),
         {"span": "ends at 900010, past the end of the text of source %s (37 characters)" % codes[1]}),
        (lambda ctx, s, b: add_claim(ctx, source=b, measure="x", value=1, span=(0, 1)), {"span": "has no text"}),
        (lambda ctx, s, b: add_journey(ctx, ctx.session.merge(person), [
            JourneyStep("sale", attestations=(AttestationSpec(s, 0, 38),)),
            JourneyStep("arrest", attestations=(AttestationSpec(s, 30, 40),))], field_name="steps"),
         {"steps[0].span": "(37 characters)", "steps[1].span": "ends at 40"}),
        (lambda ctx, s, b: attest_event(ctx, add_event(ctx, kind="sale"), AttestationSpec(b, 0, 3)),
         {"span": "has no text"}),
        (lambda ctx, s, b: update_claim(ctx, get_claim(ctx.session, codes[3]), measure="women sold", value=1,
                                        span=(11, 38)), {"span": "(37 characters)"}),
    ]
    for record, expected in cases:
        opened.clear()
        with pytest.raises(ValidationError) as raised, context_for("interviewer") as ctx:
            s, b = (ctx.session.scalar(sa.select(Source).where(Source.code == c)) for c in codes[1:3])
            record(ctx, s, b)
        problems = {p.field: p.problem for p in raised.value.problems}
        assert problems.keys() == expected.keys()
        assert all(part in problems[name] for name, part in expected.items()), problems
        assert opened == [f"source/{codes[1]}/text"] * (expected != {"span": "has no text"}), opened
    assert _count(workspace, Act) == 0 and _count(workspace, EventAttestation) == 0 and _count(workspace, Claim) == 1
    with workspace.store.session() as session:
        assert session.scalar(sa.select(Claim.span_end)) == 37
        # measuring a text is not reading it: no view of it is audited
        assert "source.view_text" not in set(session.scalars(sa.select(AuditEntry.action)))


def test_dates_later_than_today_and_unknown_languages_are_refused(context_for, workspace):
    """A source dated after today (UTC), an event starting or (a range) ending after today, and a
    source language the vocabulary does not know are refused, each problem naming its field."""
    today = dt.datetime.now(dt.timezone.utc).date()
    tomorrow = today + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as raised, context_for("interviewer") as ctx:
        add_source(ctx, kind="interview", language="xx", date=dt.date(2099, 1, 1))
    assert {p.field: p.problem for p in raised.value.problems} == {
        "language": "'xx' is not a language of the vocabulary (en, ko, zh)",
        "date": f"2099-01-01 is later than today ({today.isoformat()}, UTC)"}
    with pytest.raises(ValidationError) as raised, context_for("interviewer") as ctx:
        add_event(ctx, kind="sale", date_start=dt.date(2099, 1, 1), date_precision="year")
    assert [p.field for p in raised.value.problems] == ["date_start"]
    with pytest.raises(ValidationError) as raised, context_for("interviewer") as ctx:
        add_event(ctx, kind="detention", date_start=dt.date(2016, 1, 1), date_end=tomorrow, date_precision="range")
    assert [p.field for p in raised.value.problems] == ["date_end"]
    with pytest.raises(ValidationError) as raised, context_for("interviewer") as ctx:
        add_journey(ctx, add_person(ctx, sex="female"), [
            JourneyStep("crossing", date_start=dt.date(2018, 1, 1), date_precision="year"),
            JourneyStep("arrest", date_start=tomorrow, date_precision="day")], field_name="steps")
    assert [p.field for p in raised.value.problems] == ["steps[1].date_start"]
    assert _count(workspace, Source) == _count(workspace, Event) == _count(workspace, Person) == 0
    with context_for("interviewer") as ctx:  # today itself, and each known language, are accepted
        for language in ("en", "ko", "zh"):
            add_source(ctx, kind="interview", language=language, date=today)
        add_event(ctx, kind="detention", date_start=dt.date(2016, 1, 1), date_end=today, date_precision="range")
    assert _count(workspace, Source) == 3 and _count(workspace, Event) == 1
