"""Settings of the web application, read once when the app is created."""

from __future__ import annotations

from dataclasses import dataclass, field

from redzone.accounts import LoginSettings


@dataclass(frozen=True)
class WebSettings:
    # Mark cookies Secure. Also turned on per request when it arrived over https (behind TLS).
    secure_cookies: bool = False
    login: LoginSettings = field(default_factory=LoginSettings)
    page_size: int = 25
    # Dashboard aggregates are cached until the next write (any new audit entry) or this many seconds.
    dashboard_cache_seconds: float = 300.0
    # Sync routes run in a thread pool. Pages are CPU-bound Python, so more threads than this only
    # queue for the interpreter lock (each database call gives it up and waits to get it back): with
    # 20 clients on 2 workers, 8 threads a worker gave source-list p95 167-334 ms, 2-4 threads 114-136.
    route_threads: int = 4
    # Largest evidence file accepted from the upload form (bigger ones: 413, nothing stored).
    max_upload_bytes: int = 200 * 1024 * 1024
