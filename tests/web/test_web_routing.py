"""A request's database session is opened, committed and closed in the route's own thread: a page
hands over between the event loop and the thread pool twice (who is asking, then the route), and
what a route wrote is committed there when it returns, rolled back there when it raises."""

from __future__ import annotations

import threading
from collections import Counter

import anyio.to_thread
import pytest
from sqlalchemy import event
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from support import discard
from web_helpers import build_site, client_for, sign_in

from redzone.web.deps import DbSession, ReadSession
from redzone.web.routing import SessionInRouteThread


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("routing") / "ws", "sqlite", acts=40)
    yield ws
    discard(ws)


def _api_routes(routes) -> list[APIRoute]:  # noqa: ANN001
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # an included router, kept by reference
            found += _api_routes(route.original_router.routes)
    return found


def test_every_route_of_the_application_opens_its_session_in_its_own_thread(site):
    routes = _api_routes(client_for(site).app.router.routes)
    assert len(routes) > 50
    assert [route.path for route in routes if not isinstance(route, SessionInRouteThread)] == []


@pytest.mark.parametrize("path", ["/", "/sources?page=2"])
def test_a_page_takes_two_thread_pool_hops(site, monkeypatch, path):
    hops = Counter()
    original = anyio.to_thread.run_sync

    async def counted(function, *args, **kwargs):  # noqa: ANN001, ANN202
        hops[getattr(function, "func", function).__name__] += 1
        return await original(function, *args, **kwargs)

    with client_for(site) as client:
        sign_in(client, "interviewer")
        assert client.get(path).status_code == 200
        monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
        for _ in range(3):
            assert client.get(path).status_code == 200
    # who is asking (optional_principal), then the route with its session; before: four (the
    # session's opening and closing each took a hop of its own)
    assert hops["optional_principal"] == 3 and sum(hops.values()) == 6, hops


def test_the_routes_thread_commits_what_it_wrote_or_rolls_it_back(site):
    router = APIRouter(route_class=SessionInRouteThread)
    threads: dict[str, int] = {}

    @router.get("/probe/write")
    def write(session: DbSession, fail: bool = False) -> dict:
        threads["route"] = threading.get_ident()
        session.connection().exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS probe (n INTEGER)")
        if fail:
            raise ValueError("probe failure")
        return {"ok": True}

    @router.get("/probe/read")
    def read(session: ReadSession) -> dict:
        threads["route"] = threading.get_ident()
        return {"n": session.connection().exec_driver_sql("SELECT 1").scalar()}

    engine = site.store.engine
    record = {"commit": lambda connection: threads.__setitem__("commit", threading.get_ident()),
              "rollback": lambda connection: threads.__setitem__("rollback", threading.get_ident())}
    for name, listener in record.items():
        event.listen(engine, name, listener)
    try:
        app = client_for(site).app
        app.include_router(router)
        with TestClient(app, raise_server_exceptions=False) as client:
            assert client.get("/probe/write").json() == {"ok": True}
            assert threads["commit"] == threads["route"] != threading.get_ident()
            assert client.get("/probe/read").json() == {"n": 1}
            assert threads["commit"] == threads["route"]
            assert client.get("/probe/write", params={"fail": "true"}).status_code == 500
            assert threads["rollback"] == threads["route"]
    finally:
        for name, listener in record.items():
            event.remove(engine, name, listener)
