"""Schemathesis against /openapi.json: generated requests to every API operation, with the token of each
role and on both backends, never get a 5xx, every answer conforms to the documented schema, and no answer
to a role that may not see sealed identities holds one. Bounded examples per operation keep it fast."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from fastapi.testclient import TestClient
from support import BACKENDS, discard
from web_helpers import build_site, sealed_values, username

from schemathesis.specs.openapi.checks import positive_data_acceptance

from redzone.accounts import create_token
from redzone.records.models import Claim, Person, Source
from redzone.security.policy import ROLES, Actor, scope_of
from redzone.web import create_app

# The role that writes most gets the most examples; the others check permissions and leaks.
EXAMPLES_PER_OPERATION = {"documentation_officer": 6}


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp(f"schema-{request.param}") / "ws", request.param, acts=60)
    with ws.store.session() as session:
        ws.test_tokens = {role: create_token(session, ws.keys, username(role), "schemathesis", 1)[0]
                          for role in ROLES}
    ws.test_sealed = sealed_values(ws)
    with ws.store.session() as session:
        ws.test_codes = {prefix: session.scalars(sa.select(model.code).order_by(model.code)).all()
                         for prefix, model in (("/persons/", Person), ("/sources/", Source), ("/claims/", Claim))}
    yield ws
    discard(ws)


@pytest.mark.parametrize("role", ROLES)
def test_api_conforms_to_its_schema(site, role):
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(site))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    headers = {"Authorization": f"Bearer {site.test_tokens[role]}"}
    # A role with no scope at all on sealed identities must never receive one; scoped roles (their own or
    # granted cases) are checked case by case in test_web_routes.
    may_see_sealed = scope_of(Actor(username=username(role), role=role), "person.view_sealed") is not None
    answers = []

    @given(data=st.data())
    @settings(max_examples=len(operations) * EXAMPLES_PER_OPERATION.get(role, 2), deadline=None,
              suppress_health_check=list(HealthCheck), database=None)
    def check(data):
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        # Half the requests name a record that exists, so answers about real records are checked too.
        if "code" in (case.path_parameters or {}) and data.draw(st.booleans()):
            prefix = next((p for p in site.test_codes if p in operation.path), None)
            if prefix and site.test_codes[prefix]:
                case.path_parameters["code"] = data.draw(st.sampled_from(site.test_codes[prefix]))
        # Schema-valid is not domain-valid (vocabulary codes, existing records): a 4xx naming the
        # field is the right answer there, so "positive data acceptance" is not checked.
        response = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
        answers.append(response.status_code)
        if not may_see_sealed:
            leaked = [value for value in site.test_sealed if value in response.text]
            assert not leaked, f"{role} received a sealed value from {case.method} {case.path}"

    check()
    assert answers, "no request was made"


def test_times_in_api_answers_carry_their_zone(site):
    """SQLite returns stored UTC times without a zone; an RFC 3339 date-time needs one (CI found it)."""
    client = TestClient(create_app(site))
    headers = {"Authorization": f"Bearer {site.test_tokens['administrator']}"}
    entries = client.get("/api/v1/audit", headers=headers, params={"limit": 5}).json()["items"]
    assert entries
    for entry in entries:
        at = dt.datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
        assert at.utcoffset() == dt.timedelta(0), entry["at"]
