"""Schemathesis against /openapi.json: generated requests to every API operation never get a 5xx and
every answer conforms to the documented schema. Bounded examples per operation keep it fast."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from support import discard
from web_helpers import build_site

from schemathesis.specs.openapi.checks import positive_data_acceptance

from redzone.accounts import create_token
from redzone.web import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("schema") / "ws", "sqlite", acts=60)
    with ws.store.session() as session:
        token, _ = create_token(session, ws.keys, "demo-documentation-officer", "schemathesis", 1)
    ws.test_token = token
    yield ws
    discard(ws)


def test_api_conforms_to_its_schema(site):
    from hypothesis import given
    from hypothesis import strategies as st

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(site))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    headers = {"Authorization": f"Bearer {site.test_token}"}

    @given(data=st.data())
    @settings(max_examples=len(operations) * 8, deadline=None, suppress_health_check=list(HealthCheck))
    def check(data):
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        # Schema-valid is not domain-valid (vocabulary codes, existing records): a 4xx naming the
        # field is the right answer there, so "positive data acceptance" is not checked.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()
