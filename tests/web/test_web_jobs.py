"""Background jobs as several server workers see them (both backends): a job started by one process is
reported by another, which refuses a second job of its kind while it runs; a job whose process exits
is shown as failed, not as running forever; failures keep one line and never a value."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from support import BACKENDS, PASSPHRASE, discard
from web_helpers import build_site, sign_in

from redzone.errors import ValidationError
from redzone.estimate.errors import InvalidSetting
from redzone.records.models import WebJob
from redzone.web import create_app
from redzone.web import jobs as jobs_module
from redzone.web.jobs import Jobs, jobs_of


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("jobs") / "ws", request.param, acts=60)
    yield ws
    discard(ws)


def test_a_job_started_by_one_worker_is_reported_by_another(site):
    first, second = Jobs(site.store), Jobs(site.store)  # two server processes' views of one workspace
    release = threading.Event()
    job = first.start("test-shared", "analyst", lambda: release.wait(30) and {"run": "LNK-TEST01", "pairs": 3},
                      stratify="province")
    seen = second.latest("test-shared")
    assert seen.id == job.id and seen.status == "running" and seen.started_by == "analyst"
    assert seen.parameters == {"stratify": "province"}
    with pytest.raises(ValidationError, match="already running"):
        second.start("test-shared", "officer", lambda: None)
    release.set()
    assert seen.wait(30) and seen.status == "done" and seen.result == {"run": "LNK-TEST01", "pairs": 3}
    assert second.latest("test-shared").to_dict()["status"] == "done"
    again = second.start("test-shared", "officer", lambda: [1, 2])  # the kind is free again
    assert again.wait(30) and first.latest("test-shared").result == [1, 2]


def test_failures_keep_one_line_and_never_a_value(site):
    jobs = Jobs(site.store)

    def domain() -> None:
        raise InvalidSetting("methods: unknown 'x'\nsecond line")

    def internal() -> None:
        raise KeyError("Kim Synthetic-name")

    failed = jobs.start("test-domain", "analyst", domain)
    assert failed.wait(30) and failed.status == "failed" and failed.error.endswith("methods: unknown 'x'")
    crashed = jobs.start("test-internal", "analyst", internal)
    assert crashed.wait(30) and crashed.status == "failed" and "KeyError" in crashed.error
    assert "Kim" not in crashed.error
    odd = jobs.start("test-json", "analyst", lambda: {"when": object()})  # not JSON: kept as a failure
    assert odd.wait(30) and odd.status == "failed" and "could not be kept" in odd.error


CHILD = textwrap.dedent("""
    import os, sys, time
    from redzone.web.jobs import Jobs
    from redzone.workspace import Workspace
    ws = Workspace.open(sys.argv[1], sys.argv[2])
    job = Jobs(ws.store).start("test-exit", "analyst", lambda: time.sleep(120))
    print(job.id, flush=True)
    time.sleep(0.5)
    os._exit(3)  # the worker dies mid-job: no finally, no clean shutdown
""")


def test_a_job_whose_process_exits_is_shown_as_failed(site):
    child = subprocess.run([sys.executable, "-c", CHILD, str(site.path), PASSPHRASE], capture_output=True,
                           text=True, timeout=120)
    assert child.returncode == 3, child.stderr
    job_id = int(child.stdout.split()[0])
    app = create_app(site)  # a restarted server: the dead worker's job is failed at once
    client = sign_in(TestClient(app, base_url="http://127.0.0.1", follow_redirects=False), "data_analyst")
    job = jobs_of(app).latest("test-exit")
    assert job.id == job_id and job.status == "failed" and "interrupted" in job.error
    with site.store.session() as session:
        assert session.get(WebJob, job_id).status == "failed"  # kept so, for every process
    assert client.get("/account").status_code == 200
    # The same for a job the pages poll: the linkage page says the run failed instead of spinning.
    with site.store.session() as session:
        session.add(WebJob(kind="linkage", status="running", started_by="analyst", parameters={},
                           owner=child_owner(), started_at=jobs_module.utcnow(), heartbeat_at=jobs_module.utcnow()))
    assert client.get("/linkage/run/status").json()["status"] == "failed"
    page = client.get("/linkage")
    assert 'id="run-status"' in page.text and "interrupted" in page.text and "spinner" not in page.text


def child_owner() -> str:
    """The owner name of a process of this host that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{jobs_module.socket.gethostname()[:100]}:{process.pid}"


def test_a_job_of_another_host_whose_heartbeat_stopped_is_failed(site):
    jobs = Jobs(site.store)
    old = jobs_module.utcnow() - dt.timedelta(seconds=jobs_module.STALE_AFTER + 60)
    with site.store.session() as session:
        session.add(WebJob(kind="test-stale", status="running", started_by="analyst", parameters={},
                           owner="another-host:4242", started_at=old, heartbeat_at=old))
    stale = jobs.latest("test-stale")
    assert stale.status == "failed" and "interrupted" in stale.error
    follow = jobs.start("test-stale", "analyst", lambda: "ok")  # a dead job does not block the kind
    assert follow.wait(30) and follow.result == "ok"
    with site.store.session() as session:
        fresh = jobs_module.utcnow()
        session.add(WebJob(kind="test-alive", status="running", started_by="analyst", parameters={},
                           owner="another-host:4242", started_at=fresh, heartbeat_at=fresh))
    assert jobs.latest("test-alive").status == "running"  # a recent heartbeat: still running elsewhere
    with pytest.raises(ValidationError):
        jobs.start("test-alive", "analyst", lambda: None)


def test_a_running_job_moves_its_heartbeat(site, monkeypatch):
    monkeypatch.setattr(jobs_module, "HEARTBEAT", 0.2)
    jobs = Jobs(site.store)
    job = jobs.start("test-beat", "analyst", lambda: time.sleep(1.5))
    first = job.heartbeat
    time.sleep(1.0)
    assert jobs.latest("test-beat").heartbeat > first
    assert job.wait(30) and job.status == "done"
    with site.store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(WebJob).where(WebJob.kind == "test-beat")) == 1


def test_old_finished_jobs_of_a_kind_are_deleted(site, monkeypatch):
    monkeypatch.setattr(jobs_module, "KEEP", 2)
    jobs = Jobs(site.store)
    for number in range(4):
        assert jobs.start("test-prune", "analyst", lambda number=number: number).wait(30)
    with site.store.session() as session:
        kept = session.scalars(sa.select(WebJob.result).where(WebJob.kind == "test-prune").order_by(WebJob.id)).all()
    assert kept == [1, 2, 3]  # the two newest finished ones, and the last started
