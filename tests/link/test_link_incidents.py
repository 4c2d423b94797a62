"""Incidents reviewed pair by pair, as an analyst meets them: a run stores its pairs and incidents, the
borderline pairs wait in a queue with their waterfall, and accepting, rejecting, splitting and undoing
change the incidents exactly and reversibly, each audited — without touching the person clusters and
without showing a name or an event's free text."""

import json

import pytest
import sqlalchemy as sa

from linked_world import leaked_names, linked  # noqa: F401 — linked: the module-scoped fixture
from redzone.errors import NotFound, PermissionDenied, ValidationError
from redzone.link import (LinkSettings, decide_incident, get_incident_pair, incident_clusters, incident_decisions,
                          incident_pair_view, incident_review_queue, merge_incident, run_incident_linkage,
                          split_incident, undo, unseal_note)
from redzone.records.models import (AuditEntry, Event, IncidentCluster, IncidentPair, LinkDecision, LinkRun,
                                    Person, PersonCluster)
from redzone.records.users import actor_for
from redzone.security import audit

WIDE = LinkSettings(review_low=0.05, review_high=0.999)  # a queue with pairs to decide on this small world


@pytest.fixture(scope="module")
def incidents(linked):  # noqa: F811
    with linked.ws.store.session() as session:
        actor = actor_for(session, "analyst")
    return run_incident_linkage(linked.ws, actor, WIDE)


def _incidents(session) -> dict[int, str]:  # noqa: ANN001
    return dict(session.execute(sa.select(IncidentCluster.event_id, IncidentCluster.incident_code)).all())


def _persons(session) -> dict[int, str]:  # noqa: ANN001
    return dict(session.execute(sa.select(PersonCluster.person_id, PersonCluster.cluster_code)).all())


def test_a_run_stores_its_pairs_and_every_event_records_incident(linked, incidents):
    with linked.context() as ctx:
        run = ctx.session.scalars(sa.select(LinkRun).where(LinkRun.person_role == "incident")
                                  .order_by(LinkRun.id.desc())).first()
        stored = ctx.session.scalar(sa.select(sa.func.count()).select_from(IncidentPair)
                                    .where(IncidentPair.run_id == run.id))
        assert run.code == incidents["run"] and stored == incidents["pairs_stored"] > incidents["pairs_linked"] > 0
        events = ctx.session.scalar(sa.select(sa.func.count()).select_from(Event))
        assert len(_incidents(ctx.session)) == events == incidents["events"]
        assert len(set(_incidents(ctx.session).values())) == incidents["incidents"]
        shown = incident_clusters(ctx.session, ctx.actor)
        assert sum(len(row["events"]) for row in shown) == incidents["events_in_shared_incidents"]
        queue = incident_review_queue(ctx.session, ctx.actor, limit=500)
    assert len(queue) == min(500, incidents["in_review"]) > 0
    uncertainty = [abs(view["match_probability"] - 0.5) for view in queue]
    assert uncertainty == sorted(uncertainty)  # the most uncertain first
    first = queue[0]
    assert [step["comparison"] for step in first["waterfall"]] == ["prior", "kind", "victim", "place", "date"]
    assert first["waterfall"][-1]["cumulative"] == pytest.approx(first["match_weight"], abs=0.01)
    assert first["a"]["code"].startswith("EV-") and first["a"]["incident"].startswith("IN-")


def test_accept_reject_split_and_undo_are_reversible_and_audited(linked, incidents):
    with linked.context() as ctx:
        before, persons = _incidents(ctx.session), _persons(ctx.session)
        pair_id = next(v["pair"] for v in incident_review_queue(ctx.session, ctx.actor, limit=500) if not v["linked"])
        pair = ctx.session.get(IncidentPair, pair_id)
        assert before[pair.event_a_id] != before[pair.event_b_id]
        accepted = decide_incident(ctx, pair_id, "accept", note="same arrest, two reports")
        merged = _incidents(ctx.session)
        assert merged[pair.event_a_id] == merged[pair.event_b_id] and accepted["records"] == "incident"
        assert incident_pair_view(ctx.session, ctx.session.get(IncidentPair, pair_id))["linked"]
        with pytest.raises(ValidationError):
            decide_incident(ctx, pair_id, "accept")  # already accepted
        incident = merged[pair.event_a_id]
        code = ctx.session.get(Event, pair.event_b_id).code
        taken = split_incident(ctx, incident, code, note="a different day")
        after_split = {row["incident"]: row["events"] for row in incident_clusters(ctx.session, ctx.actor, 1)}
        assert [code] in after_split.values()
        undo(ctx, taken["decision"])
        undo(ctx, accepted["decision"])
        assert _incidents(ctx.session) == before
        assert _persons(ctx.session) == persons  # incidents never change who is who
        with pytest.raises(ValidationError):
            undo(ctx, accepted["decision"])  # already undone
        kinds = [row["kind"] for row in incident_decisions(ctx.session, ctx.actor)]
        actions = ctx.session.scalars(sa.select(AuditEntry.action)
                                      .where(AuditEntry.action.like("link.incidents.%"))).all()
        assert audit.verify(ctx.session, linked.ws.keys.audit_key).intact
    assert kinds[:4] == ["undo", "undo", "split", "accept"]
    assert {"link.incidents.accept", "link.incidents.split", "link.incidents.undo"} <= set(actions)


def _unpaired(session) -> tuple[Event, Event]:  # noqa: ANN001
    """Two event records in different incidents that the current incident run stored no pair for."""
    run_id = session.scalar(sa.select(sa.func.max(IncidentPair.run_id)))
    paired = set(session.execute(sa.select(IncidentPair.event_a_id, IncidentPair.event_b_id)
                                 .where(IncidentPair.run_id == run_id)).all())
    incident = _incidents(session)
    events = session.scalars(sa.select(Event).order_by(Event.id).limit(60)).all()
    return next((a, b) for i, a in enumerate(events) for b in events[i + 1:]
                if (a.id, b.id) not in paired and incident[a.id] != incident[b.id])


def test_merge_links_two_event_records_the_model_did_not_pair_and_undo_parts_them(linked, incidents):
    with linked.context() as ctx:
        before, persons = _incidents(ctx.session), _persons(ctx.session)
        first, second = _unpaired(ctx.session)
        merged = merge_incident(ctx, second.code, f" {first.code} ", note="one raid, two reports")
        pair = ctx.session.get(IncidentPair, merged["pairs"][0])
        assert (pair.origin, pair.decision, pair.decided_by) == ("manual", "accepted", "analyst")
        assert (pair.event_a_id, pair.event_b_id) == (first.id, second.id)  # stored in order, whatever was typed
        assert merged["records"] == "incident" and merged["kind"] == "merge"
        joined = _incidents(ctx.session)
        assert joined[first.id] == joined[second.id] and _persons(ctx.session) == persons
        view = incident_pair_view(ctx.session, pair)
        assert view["linked"] and view["origin"] == "manual"
        assert [step["comparison"] for step in view["waterfall"]] == ["prior"]  # no comparison was made
        logged = incident_decisions(ctx.session, ctx.actor)[0]
        assert (logged["kind"], logged["note"], logged["pairs"]) == ("merge", "one raid, two reports", [pair.id])
        entry = ctx.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "link.incidents.merge")
                                    .order_by(AuditEntry.id.desc())).first()
        assert entry.record_id == str(merged["decision"])
        assert entry.detail["pairs"] == [[pair.id, first.code, second.code, None, "accepted"]]
        assert "raid" not in json.dumps(entry.detail)  # sealed: the activity log shows no words of it
        assert unseal_note(linked.ws.keys, entry.detail, merged["decision"]) == "one raid, two reports"
        with pytest.raises(ValidationError, match="already linked") as refused:
            merge_incident(ctx, first.code, second.code)
        assert [p.field for p in refused.value.problems] == ["event_b"]
        undo(ctx, merged["decision"])
        assert _incidents(ctx.session) == before and ctx.session.get(IncidentPair, pair.id).decision is None
        assert audit.verify(ctx.session, linked.ws.keys.audit_key).intact


def test_merge_names_the_event_field_at_fault(linked, incidents):
    with linked.context() as ctx:
        first, second = ctx.session.scalars(sa.select(Event.code).order_by(Event.id).limit(2)).all()
        person = ctx.session.scalar(sa.select(Person.code).limit(1))
        count = ctx.session.scalar(sa.select(sa.func.count()).select_from(LinkDecision))
        for codes, field, words in ((("EV-NOSUCH", second), "event_a", "no event"),
                                    ((first, "EV-NOSUCH"), "event_b", "no event"),
                                    ((first, person), "event_b", "no event"),  # a person's code is not an event's
                                    ((first, first), "event_b", "same record")):
            with pytest.raises(ValidationError) as refused:
                merge_incident(ctx, *codes)
            assert [p.field for p in refused.value.problems] == [field] and words in str(refused.value)
        assert ctx.session.scalar(sa.select(sa.func.count()).select_from(LinkDecision)) == count
    with linked.context("legal") as ctx, pytest.raises(PermissionDenied):
        merge_incident(ctx, first, second)


def test_a_second_run_keeps_the_reviewers_decisions(linked, incidents):
    with linked.context() as ctx:
        pair_id = incident_review_queue(ctx.session, ctx.actor, limit=1)[0]["pair"]
        decide_incident(ctx, pair_id, "reject", note="different places")
        pair = ctx.session.get(IncidentPair, pair_id)
        ends = (pair.event_a_id, pair.event_b_id)
        first, second = _unpaired(ctx.session)
        merged = merge_incident(ctx, first.code, second.code)
    with linked.ws.store.session() as session:
        again = run_incident_linkage(linked.ws, actor_for(session, "analyst"), WIDE)
    assert again["carried_decisions"] >= 1
    with linked.context() as ctx:
        run = ctx.session.scalar(sa.select(LinkRun).where(LinkRun.code == again["run"]))
        carried = ctx.session.scalar(sa.select(IncidentPair).where(
            IncidentPair.run_id == run.id, IncidentPair.event_a_id == ends[0], IncidentPair.event_b_id == ends[1]))
        assert carried.decision == "rejected" and carried.decided_by == "analyst"
        assert not any(v["pair"] == carried.id for v in incident_review_queue(ctx.session, ctx.actor, limit=500))
        kept = ctx.session.scalar(sa.select(IncidentPair).where(
            IncidentPair.run_id == run.id, IncidentPair.event_a_id == first.id, IncidentPair.event_b_id == second.id))
        assert (kept.decision, kept.decided_by, kept.origin) == ("accepted", "analyst", "carried")
        assert _incidents(ctx.session)[first.id] == _incidents(ctx.session)[second.id]
        assert merged["pairs"] != [kept.id]  # a pair of the new run, not the old one
        with pytest.raises(ValidationError, match="not to the current run"):
            get_incident_pair(ctx.session, pair_id)  # the earlier run's pair
        with pytest.raises(NotFound):
            get_incident_pair(ctx.session, 10**9)


def test_only_roles_with_link_review_may_decide(linked, incidents):
    with linked.context("legal") as ctx:
        with pytest.raises(PermissionDenied):
            incident_review_queue(ctx.session, ctx.actor)
        pair_id = ctx.session.scalar(sa.select(sa.func.max(IncidentPair.id)))
        with pytest.raises(PermissionDenied):
            decide_incident(ctx, pair_id, "accept")
        assert incident_clusters(ctx.session, ctx.actor)  # legal analysts may see incidents (act.view)


def test_no_name_and_no_free_text_reaches_the_reviewer(linked, incidents):
    with linked.context() as ctx:
        shown = [incident_review_queue(ctx.session, ctx.actor, limit=500), incident_decisions(ctx.session, ctx.actor)]
        shown += [incident_pair_view(ctx.session, pair) for pair in ctx.session.scalars(
            sa.select(IncidentPair).order_by(IncidentPair.match_probability.desc()).limit(300))]
        shown += [[e.action, e.detail] for e in ctx.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action.like("link.incidents%")))]
        descriptions = {d for d in ctx.session.scalars(sa.select(Event.description)) if d and len(d) >= 12}
    text = json.dumps(shown, ensure_ascii=False, default=str)
    leaked = leaked_names(linked.world_names, text)
    assert not leaked, f"{len(leaked)} names found in what an incident reviewer sees"
    assert not [d for d in descriptions if d in text]
    assert "description" not in text


def test_the_cli_reviews_incident_pairs(linked, incidents):
    from typer.testing import CliRunner

    from redzone.cli import app
    from support import PASSPHRASE

    env = {"REDZONE_WORKSPACE": str(linked.ws.path), "REDZONE_PASSPHRASE": PASSPHRASE, "COLUMNS": "200",
           "NO_COLOR": "1"}
    runner = CliRunner()

    def run(*args: str):  # noqa: ANN202
        result = runner.invoke(app, ["--user", "analyst", "--json", "link", *args], env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    following = run("review", "--incidents", "--next")
    assert following["a"]["code"].startswith("EV-") and following["waterfall"]
    shown = run("show", str(following["pair"]), "--incidents")
    assert shown["pair"] == following["pair"] and shown["decision"] is None
    decided = run("reject", str(following["pair"]), "--incidents", "--note", "two arrests")
    assert decided["records"] == "incident" and decided["pairs"] == [following["pair"]]
    assert run("decisions", "--incidents")[0]["decision"] == decided["decision"]
    assert run("show", str(following["pair"]), "--incidents")["decision"] == "rejected"
    run("undo", str(decided["decision"]))
    assert run("show", str(following["pair"]), "--incidents")["decision"] is None
    with linked.ws.store.session() as session:
        first, second = _unpaired(session)
    merged = run("merge", first.code, second.code, "--incidents", "--note", "one raid")
    assert merged["kind"] == "merge" and merged["records"] == "incident" and len(merged["pairs"]) == 1
    assert run("show", str(merged["pairs"][0]), "--incidents")["origin"] == "manual"
    wrong = runner.invoke(app, ["--user", "analyst", "link", "merge", first.code, "EV-NOSUCH", "--incidents"], env=env)
    assert wrong.exit_code != 0 and isinstance(wrong.exception, ValidationError) and "event_b" in str(wrong.exception)
    run("undo", str(merged["decision"]))
    assert run("show", str(merged["pairs"][0]), "--incidents")["decision"] is None
    table = runner.invoke(app, ["--user", "analyst", "link", "show", str(following["pair"]), "--incidents"], env=env)
    assert table.exit_code == 0 and "incident" in table.output and "waterfall" in table.output.casefold()
    refused = runner.invoke(app, ["--user", "legal", "link", "review", "--incidents"], env=env)
    assert refused.exit_code == 1 and isinstance(refused.exception, PermissionDenied)
