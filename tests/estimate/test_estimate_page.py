"""The estimates page on a synthetic demo world (both backends): it says, in the reader's language, that
the generator hides repatriated and dead women from every list, so the estimates fall short of its truth;
a workspace of real records says nothing of the kind."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from support import BACKENDS, discard

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from web_helpers import build_site, client_for, csrf_of, sign_in  # noqa: E402

NOTE_EN = "the generator makes women who were repatriated or who died almost impossible for any list to record"
NOTE_KO = "송환되었거나 사망한 여성이 어느 명단에도 거의 기록되지 않도록"


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("estimates") / "ws", request.param, acts=40)
    yield ws
    discard(ws)


def test_the_demo_world_says_its_estimates_fall_short(site):
    client = sign_in(client_for(site), "data_analyst")
    english = client.get("/estimates", params={"methods": ["chao"]})
    assert english.status_code == 200 and NOTE_EN in english.text.replace("\n", " ")
    chosen = client.post("/language", data={"language": "ko", "next": "/estimates",
                                            "csrf_token": csrf_of(client, "/estimates")})
    assert chosen.status_code == 303
    korean = client.get("/estimates", params={"methods": ["chao"]})
    client.post("/language", data={"language": "en", "csrf_token": csrf_of(client, "/estimates")})
    assert korean.status_code == 200 and NOTE_KO in korean.text and NOTE_EN not in korean.text
    site.config = dataclasses.replace(site.config, demo=False)
    try:
        real = sign_in(client_for(site), "data_analyst").get("/estimates", params={"methods": ["chao"]})
    finally:
        site.config = dataclasses.replace(site.config, demo=True)
    assert real.status_code == 200 and NOTE_EN not in real.text
