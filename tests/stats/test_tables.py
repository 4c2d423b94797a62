"""Statistics from the database: counts are right, and small cells never reach the reader."""

import datetime as dt

from redzone.records.entry import ActDetails, PerpetratorSpec, add_act, add_event, add_person
from redzone.stats import raw_counts, statistics


def _acts(ctx, violation, place, year, n, roles=("broker",)):
    for _ in range(n):
        victim = add_person(ctx, sex="female", birth_year_min=1995)
        event = add_event(ctx, kind="sale", place_id=place, date_start=dt.date(year, 1, 1), date_precision="year")
        add_act(ctx, victim=victim, violation=violation, event=event,
                details=ActDetails(perpetrators=[PerpetratorSpec(role) for role in roles]))


def test_counts_and_suppression(context_for, workspace):
    with context_for("interviewer") as ctx:
        _acts(ctx, "trafficking.sale", "cn.jilin.yanbian.yanji", 2019, 12, roles=("broker", "buyer"))
        _acts(ctx, "marriage.forced", "cn.heilongjiang.harbin", 2020, 7)
        _acts(ctx, "detention.torture", "cn.liaoning.dandong", 2021, 2, roles=("police",))
    with workspace.store.session() as session:
        assert raw_counts(session, ("violation",)) == {("detention.torture",): 2, ("marriage.forced",): 7,
                                                       ("trafficking.sale",): 12}
        assert raw_counts(session, ("province",)) == {("cn.heilongjiang",): 7, ("cn.jilin",): 12, ("cn.liaoning",): 2}
        # An act with two roles counts once under each, never twice under one.
        assert raw_counts(session, ("role",)) == {("broker",): 19, ("buyer",): 12, ("police",): 2}
        table = statistics(session, ("violation",), threshold=5)
    published = {cell.key[0]: cell for cell in table.cells}
    assert published["detention.torture"].suppressed
    # One hidden cell would be recoverable from the total: a second one is hidden with it.
    assert published["marriage.forced"].suppressed and published["marriage.forced"].reason == "complementary"
    assert published["trafficking.sale"].count == 12 and table.total == 21
    rows = table.to_rows()
    assert all(row["count"] is None for row in rows if row["suppressed"])


def test_two_dimensions_and_victims(context_for, workspace):
    with context_for("interviewer") as ctx:
        _acts(ctx, "trafficking.sale", "cn.jilin.yanbian.yanji", 2019, 6)
        _acts(ctx, "trafficking.sale", "cn.jilin.yanbian.yanji", 2020, 6)
    with workspace.store.session() as session:
        table = statistics(session, ("province", "year"), unit="victims", threshold=5)
    assert table.dimensions == ("province", "year")
    assert {(c.key, c.count) for c in table.cells} == {(("cn.jilin", "2019"), 6), (("cn.jilin", "2020"), 6)}


def test_acts_follow_their_event_when_it_is_corrected(context_for, workspace):
    """Province and year are copied onto acts by database triggers; a corrected event moves its acts."""
    import sqlalchemy as sa

    from redzone.records.models import Act, Event

    with context_for("interviewer") as ctx:
        _acts(ctx, "trafficking.sale", "cn.jilin.yanbian.yanji", 2019, 3)
        victim = add_person(ctx, sex="female")
        add_act(ctx, victim=victim, violation="labour.forced", event=None)  # no event: unknown place and year
    with workspace.store.session() as session:
        assert raw_counts(session, ("province",)) == {("cn.jilin",): 3, ("unknown",): 1}
        assert raw_counts(session, ("role",)) == {("broker",): 3, ("unknown",): 1}
        event_id = session.scalar(sa.select(Event.id).order_by(Event.id).limit(1))
        session.execute(sa.update(Event).where(Event.id == event_id).values(province_id="cn.liaoning", year=2021))
    with workspace.store.session() as session:
        assert raw_counts(session, ("province",)) == {("cn.jilin",): 2, ("cn.liaoning",): 1, ("unknown",): 1}
        assert raw_counts(session, ("year",)) == {("2019",): 2, ("2021",): 1, ("unknown",): 1}
        # The copies agree with the join they replace.
        joined = dict(session.execute(sa.select(Event.province_id, sa.func.count()).select_from(Act)
                                      .outerjoin(Event, Act.event_id == Event.id).group_by(Event.province_id)).all())
        assert {(k or "unknown",): v for k, v in joined.items()} == raw_counts(session, ("province",))
