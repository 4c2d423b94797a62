"""Recording one record at a time: validation names every bad field, and nothing half-written stays."""

import datetime as dt

import pytest
import sqlalchemy as sa

from redzone.errors import PermissionDenied, ValidationError
from redzone.records.entry import (ActDetails, AttestationSpec, PerpetratorSpec, add_act, add_claim, add_event,
                                   add_group, add_person, add_source, read_source_text)
from redzone.records.identity import Identity
from redzone.records.models import Act, Event, Person


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
