"""Long work started from a page (a linkage run, bootstrap intervals) runs in a background thread,
so no request waits on it: the page shows that it is running and polls until it has finished.

One job of each kind at a time per application; a finished job keeps its result (counts, codes and
estimates only — never a sealed value) until the next job of its kind replaces it. A job that fails
with a domain error keeps its one-line message; any other failure is reported by its type alone, so
no value from inside the computation reaches a page.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redzone.errors import Problem, RedzoneError, ValidationError

_ids = itertools.count(1)
_registry_lock = threading.Lock()


@dataclass
class Job:
    """One piece of background work and what became of it."""

    kind: str
    started_by: str
    parameters: dict[str, Any] = field(default_factory=dict)
    id: int = field(default_factory=lambda: next(_ids))
    started: float = field(default_factory=time.time)
    finished: float | None = None
    status: str = "running"  # running | done | failed
    result: Any = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def seconds(self) -> float:
        return round((self.finished or time.time()) - self.started, 1)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "started_by": self.started_by,
                "seconds": self.seconds, "error": self.error}

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


class Jobs:
    """The application's background jobs, by kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, Job] = {}

    def latest(self, kind: str) -> Job | None:
        return self._latest.get(kind)

    def start(self, kind: str, started_by: str, work: Callable[[], Any], **parameters: Any) -> Job:
        """Run `work` in a thread; refused while a job of the same kind still runs."""
        with self._lock:
            running = self._latest.get(kind)
            if running is not None and running.status == "running":
                raise ValidationError(Problem(kind, f"already running (job {running.id}, started by "
                                                    f"{running.started_by} {running.seconds:.0f} s ago); wait for it"))
            job = Job(kind, started_by, parameters)
            self._latest[kind] = job

        def run() -> None:
            try:
                job.result = work()
                job.status = "done"
            except RedzoneError as error:  # domain errors (settings, estimation) say what is wrong, in one line
                job.error, job.status = str(error).splitlines()[0][:300], "failed"
            except Exception as error:  # noqa: BLE001 — reported by type only: the message may hold data
                job.error, job.status = f"the job stopped with an internal error ({type(error).__name__})", "failed"
            finally:
                job.finished = time.time()
                job.done.set()

        threading.Thread(target=run, name=f"redzone-{kind}-{job.id}", daemon=True).start()
        return job


def jobs_of(app: Any) -> Jobs:
    """The application's job registry, created on first use."""
    with _registry_lock:
        registry = getattr(app.state, "jobs", None)
        if registry is None:
            registry = app.state.jobs = Jobs()
        return registry
