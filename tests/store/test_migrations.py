"""Upgrading older workspaces on both backends: from 0006, the incidents an earlier run kept in its
summary become reviewable rows and the web job table appears; from 0008, review's source pointers in
event descriptions become event attestations; downgrading takes each away again."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command

from redzone.link import incident_clusters
from redzone.records.entry import add_event, add_source
from redzone.records.models import Event, EventAttestation, IncidentCluster, LinkRun, Source, utcnow
from redzone.records.users import actor_for
from redzone.store import migrate


def _downgrade(ws, revision: str) -> None:  # noqa: ANN001
    with ws.store.engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), revision)


def _tables(ws) -> set[str]:  # noqa: ANN001
    with ws.store.engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def test_upgrade_from_0006_copies_earlier_incidents_and_adds_the_job_table(workspace, context_for):
    with context_for("officer") as ctx:
        events = [add_event(ctx, kind="arrest", place_id="cn.jilin.yanbian.yanji", date_start=dt.date(2019, 3, day),
                            date_precision="day").code for day in (1, 2, 20)]
    _downgrade(workspace, "0006")
    assert {"incident_pair", "incident_cluster", "web_job"}.isdisjoint(_tables(workspace))
    incident = "IN-" + events[0].removeprefix("EV-")
    with workspace.store.engine.begin() as connection:  # an incident run as 0006 kept it: codes in its summary
        connection.execute(sa.insert(LinkRun.__table__).values(
            code="LNK-OLD001", person_role="incident", backend="duckdb", threshold=0.8, review_low=0.3,
            review_high=0.8, model={}, started_by="analyst", started_at=utcnow(), finished_at=utcnow(),
            summary={"clusters": {events[0]: incident, events[1]: incident,
                                  events[2]: "IN-" + events[2].removeprefix("EV-"), "EV-GONE00": "IN-GONE00"}}))
    migrate.upgrade(workspace.store.engine)
    assert migrate.current_revision(workspace.store.engine) == migrate.head_revision()
    assert {"incident_pair", "incident_cluster", "web_job"} <= _tables(workspace)
    with workspace.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(IncidentCluster)) == 3
        shown = incident_clusters(session, actor_for(session, "legal"))
    assert shown == [{"incident": incident, "events": sorted(events[:2])}]
    _downgrade(workspace, "0006")
    assert {"incident_pair", "incident_cluster", "web_job"}.isdisjoint(_tables(workspace))
    migrate.upgrade(workspace.store.engine)


def test_upgrade_from_0008_turns_review_pointers_into_event_attestations_and_back(workspace, context_for):
    """Review wrote an event's source as 'SRC-… [start:end]' in its description until 0009: upgrading
    makes each such pointer an attestation row (description emptied), leaves other descriptions, and
    downgrading writes the pointer back."""
    with context_for("officer") as ctx:
        source = add_source(ctx, kind="interview", text="SYNTHETIC. I was deported in 2020.").code
        pointed, told, broken = (add_event(ctx, kind="other", description=text).code for text in (
            "", "She told us of a crossing [2:3] in the story.", "SRC-GONE00 [4:9]"))
    _downgrade(workspace, "0008")
    assert "event_attestation" not in _tables(workspace)
    with workspace.store.engine.begin() as connection:  # as review wrote it before 0009
        connection.execute(sa.text("UPDATE event SET description = :text WHERE code = :code"),
                           {"text": f"{source} [17:33]", "code": pointed})
    migrate.upgrade(workspace.store.engine)
    with workspace.store.session() as session:
        rows = session.execute(sa.select(Event.code, Source.code, EventAttestation.span_start,
                                         EventAttestation.span_end)
                               .join(Event, Event.id == EventAttestation.event_id)
                               .join(Source, Source.id == EventAttestation.source_id)).all()
        descriptions = dict(session.execute(sa.select(Event.code, Event.description)).all())
    assert rows == [(pointed, source, 17, 33)]
    assert descriptions == {pointed: "", told: "She told us of a crossing [2:3] in the story.",
                            broken: "SRC-GONE00 [4:9]"}
    _downgrade(workspace, "0008")
    with workspace.store.engine.connect() as connection:
        back = connection.scalar(sa.text("SELECT description FROM event WHERE code = :code"), {"code": pointed})
    assert back == f"{source} [17:33]"
    migrate.upgrade(workspace.store.engine)
