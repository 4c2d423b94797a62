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
    # Sync routes run in a thread pool; more threads than the database pool keeps open (8) would open
    # and close extra connections, each with a cold page cache, and CPU-bound pages gain nothing from them.
    route_threads: int = 8
