"""Routers by resource: pages (server-rendered) and the REST API under /api/v1."""

from redzone.web.routes import (account, api_journey, api_records, api_stats, audit, auth, claims, dashboard,
                                evidence, persons, search, sources, testimony)
from redzone.web.routes import estimates, linkage, linkage_incidents, review, users

ROUTERS = [auth.router, account.router, dashboard.router, sources.router, testimony.router, persons.router,
           claims.router, evidence.router, audit.router, search.router, api_records.router, api_journey.router,
           api_stats.router, review.router, linkage.router, linkage_incidents.router, estimates.router, users.router]
