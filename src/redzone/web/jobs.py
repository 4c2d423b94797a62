"""Long work started from a page (a linkage run, bootstrap intervals) runs in a background thread of
the server process that received the request, so no request waits on it; the job itself is a row of
`web_job`, so whichever process answers the page or its status poll reports it, and a second job of
the same kind is refused while one runs, whatever process started it.

A process that dies leaves its jobs marked running: the process running a job moves its heartbeat
every few seconds, and a running job is reported as failed ("interrupted") once its process is known
to be gone (same host, its id no longer runs: at once, and so marked in the table) or its heartbeat is
older than `STALE_AFTER` (another host). A finished job keeps its result (counts, codes and estimates
only — never a sealed value; JSON, its sentences as template and values, so that each reader sees them
in their own language) until the next job of its kind replaces it. A job that fails with a domain
error keeps its one-line message; any other failure is reported by its type alone, so no value from
inside the computation reaches a page.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from redzone.errors import Problem, RedzoneError, ValidationError
from redzone.messages import from_json, to_json
from redzone.records.models import WebJob, utcnow

HEARTBEAT = 5.0  # seconds between heartbeats of a running job
STALE_AFTER = 120.0  # a running job whose heartbeat is older than this is reported as interrupted
INTERRUPTED = "interrupted: the server process running it stopped before it finished"
KEEP = 20  # finished jobs of a kind kept beside the newest; older ones are deleted when a job starts
OWNER = f"{socket.gethostname()[:100]}:{os.getpid()}"
_registry_lock = threading.Lock()
log = logging.getLogger(__name__)


def _epoch(moment: dt.datetime | None) -> float | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).timestamp()


def _process_gone(owner: str) -> bool:
    """True when `owner` (host:pid) ran on this host and that process no longer exists."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname()[:100] or not pid.isdigit() or owner == OWNER:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False


@dataclass
class Job:
    """One piece of background work and what became of it, as last read from the table."""

    kind: str
    started_by: str
    parameters: dict[str, Any] = field(default_factory=dict)
    id: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None
    status: str = "running"  # running | done | failed
    result: Any = None
    error: str | None = None
    owner: str = OWNER
    heartbeat: float | None = None
    registry: Jobs | None = field(default=None, repr=False, compare=False)

    @property
    def seconds(self) -> float:
        return round((self.finished or time.time()) - self.started, 1)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "started_by": self.started_by,
                "seconds": self.seconds, "error": self.error}

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the job has finished (in any process); True if it has. Refreshes this object."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            latest = self.registry.get(self.id) if self.registry else None
            if latest is not None:
                self.__dict__.update({k: v for k, v in latest.__dict__.items() if k != "registry"})
            if self.status != "running":
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            local = self.registry.local_done(self.id) if self.registry else None
            pause = 0.25 if deadline is None else max(0.0, min(0.25, deadline - time.monotonic()))
            if local is not None:
                local.wait(pause)
            else:
                time.sleep(pause)


class Jobs:
    """The workspace's background jobs, by kind, as any server process sees them."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._done: dict[int, threading.Event] = {}

    def _job(self, row: WebJob) -> Job:
        job = Job(row.kind, row.started_by, dict(row.parameters or {}), row.id, _epoch(row.started_at) or 0.0,
                  _epoch(row.finished_at), row.status, from_json(row.result), row.error, row.owner,
                  _epoch(row.heartbeat_at), self)
        if job.status == "running" and job.heartbeat is not None and time.time() - job.heartbeat > STALE_AFTER:
            job.status, job.error, job.finished = "failed", INTERRUPTED, job.heartbeat
        return job

    def _settle(self, session: Any, row: WebJob | None) -> WebJob | None:
        """Mark a running job failed in the table when its process is known to be gone."""
        if row is not None and row.status == "running" and _process_gone(row.owner):
            row.status, row.error, row.finished_at = "failed", INTERRUPTED, row.heartbeat_at
        return row

    def latest(self, kind: str) -> Job | None:
        with self.store.session() as session:
            row = self._settle(session, session.scalars(
                sa.select(WebJob).where(WebJob.kind == kind).order_by(WebJob.id.desc()).limit(1)).first())
            return None if row is None else self._job(row)

    def get(self, job_id: int) -> Job | None:
        with self.store.session() as session:
            row = self._settle(session, session.get(WebJob, job_id))
            return None if row is None else self._job(row)

    def local_done(self, job_id: int) -> threading.Event | None:
        return self._done.get(job_id)

    def recover(self) -> int:
        """Mark failed every running job whose process on this host has gone (a restart); returns how many."""
        with self.store.session() as session:
            rows = session.scalars(sa.select(WebJob).where(WebJob.status == "running")).all()
            return sum(1 for row in rows if self._settle(session, row).status == "failed")

    def start(self, kind: str, started_by: str, work: Callable[[], Any], **parameters: Any) -> Job:
        """Run `work` in a thread of this process; refused while a job of the same kind still runs anywhere.
        What `work` returns is kept as JSON."""
        with self.store.session() as session:
            if session.get_bind().dialect.name == "postgresql":  # one start of a kind at a time, across processes
                session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                {"key": zlib.crc32(f"redzone.web_job:{kind}".encode())})
            row = WebJob(kind=kind, status="running", started_by=started_by, parameters=parameters, owner=OWNER,
                         started_at=utcnow(), heartbeat_at=utcnow())
            session.add(row)
            session.flush()  # on SQLite the write lock is held from here, so the look below sees every start
            for other in session.scalars(sa.select(WebJob).where(
                    WebJob.kind == kind, WebJob.status == "running", WebJob.id != row.id)).all():
                running = self._job(self._settle(session, other))
                if running.status == "running":
                    raise ValidationError(Problem(kind, f"already running (job {running.id}, started by "
                                                        f"{running.started_by} {running.seconds:.0f} s ago); wait for it"))
            old = session.scalars(sa.select(WebJob.id).where(WebJob.kind == kind, WebJob.status != "running")
                                  .order_by(WebJob.id.desc()).offset(KEEP)).all()
            if old:
                session.execute(sa.delete(WebJob).where(WebJob.id.in_(old)))
            job = self._job(row)
        done = self._done[job.id] = threading.Event()
        threading.Thread(target=self._run, args=(job, work, done), name=f"redzone-{kind}-{job.id}", daemon=True).start()
        threading.Thread(target=self._beat, args=(job.id, done), name=f"redzone-{kind}-{job.id}-heartbeat",
                         daemon=True).start()
        return job

    def _run(self, job: Job, work: Callable[[], Any], done: threading.Event) -> None:
        result, error = None, None
        try:
            result = work()
        except RedzoneError as failure:  # domain errors (settings, estimation) say what is wrong, in one line
            error = str(failure).splitlines()[0][:300]
        except Exception as failure:  # noqa: BLE001 — reported by type only: the message may hold data
            error = f"the job stopped with an internal error ({type(failure).__name__})"
        try:
            self._finish(job.id, result, error)
        except Exception as failure:  # noqa: BLE001 — e.g. a result that is not JSON
            log.warning("job %s could not be recorded as finished (%s)", job.id, type(failure).__name__)
            self._finish(job.id, None, f"the job's result could not be kept ({type(failure).__name__})")
        finally:
            done.set()
            self._done.pop(job.id, None)

    def _finish(self, job_id: int, result: Any, error: str | None) -> None:
        with self.store.session() as session:
            row = session.get(WebJob, job_id)
            row.status, row.error = ("failed", error) if error else ("done", None)
            row.result = None if error else to_json(result)  # sentences as their parts, for the reader's language
            row.finished_at = row.heartbeat_at = utcnow()

    def _beat(self, job_id: int, done: threading.Event) -> None:
        while not done.wait(HEARTBEAT):
            try:
                with self.store.session() as session:
                    session.execute(sa.update(WebJob).where(WebJob.id == job_id, WebJob.status == "running")
                                    .values(heartbeat_at=utcnow()))
            except Exception as failure:  # noqa: BLE001 — a busy database: the next beat tries again
                log.debug("heartbeat of job %s skipped (%s)", job_id, type(failure).__name__)


def jobs_of(app: Any) -> Jobs:
    """The application's view of the workspace's jobs, created on first use (which also marks failed the
    jobs of this host's processes that have gone: a restart)."""
    with _registry_lock:
        registry = getattr(app.state, "jobs", None)
        if registry is None:
            registry = app.state.jobs = Jobs(app.state.workspace.store)
            registry.recover()
        return registry
