"""A linked demo workspace per backend, built once per test module (imported by the test modules that
need it: a second conftest.py would shadow the root one): loading a world and training the
model take seconds, and the tests only read it (or undo what they change)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from support import BACKENDS, discard, make_workspace
from redzone.demo import generate_world
from redzone.demo.persist import load_world
from redzone.link import LinkSettings, RunReport, run_linkage
from redzone.records.entry import Context, add_person
from redzone.records.identity import Identity
from redzone.records.users import SYSTEM, actor_for, create_user
from redzone.workspace import Workspace

DEMO_SEED, DEMO_ACTS = 5, 2000
# A fictional woman recorded twice with a given name no generator produces: if these letters ever
# appear in what the linkage stores or shows, a name has leaked.
MARKER_NAMES = (("Kim Zyxwv-ok", "김쟁쟁"), ("Gim Zyxwvok", None))

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def leaked_names(names: set[str], text: str) -> list[str]:
    """The names found as whole words in `text` (a surname such as "Yang" is also part of a place name,
    "Pyongyang"): every Hangul name of two syllables or more (most are three: 김미옥), and romanised
    names of four letters or more (shorter ones are syllables of ordinary words)."""
    text = text.casefold()
    # The plain substring test first: it is fast, and most names are absent; only those present are
    # checked as whole words.
    return [name for name in names
            if len(name) >= (2 if HANGUL.search(name) else 4) and name.casefold() in text
            and re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", text)]


@dataclass
class Linked:
    ws: Workspace
    report: RunReport
    world_names: set[str]
    marker_codes: tuple[str, ...]

    def context(self, username: str = "analyst"):  # noqa: ANN201
        from contextlib import contextmanager

        @contextmanager
        def opened():  # noqa: ANN202
            with self.ws.store.session() as session:
                yield Context(session, self.ws.keys, actor_for(session, username))

        return opened()


@pytest.fixture(scope="module", params=BACKENDS)
def linked(request, tmp_path_factory) -> Linked:
    ws = make_workspace(tmp_path_factory.mktemp("link") / "ws", request.param)
    world = generate_world(DEMO_SEED, DEMO_ACTS)
    names = {name for batch in world.batches() for p in batch.persons
             for name in (p.legal_name, p.hangul_name, *p.aliases) if name}
    load_world(ws, world)
    with ws.store.session() as session:
        for username, role in (("analyst", "data_analyst"), ("legal", "legal_analyst"), ("entry", "interviewer")):
            create_user(session, ws.keys, SYSTEM, username, role)
    codes = []
    with ws.store.session() as session:
        ctx = Context(session, ws.keys, actor_for(session, "entry"))
        for (legal, hangul), organisation in zip(MARKER_NAMES, ("demo-lantern", "demo-haven")):
            person = add_person(ctx, sex="female", birth_year_min=1990, origin_place_id="kp.ryanggang.hyesan",
                                crossing_year=2010, organisation_id=organisation,
                                identity=Identity(legal_name=legal, hangul_name=hangul))
            codes.append(person.code)
    with ws.store.session() as session:
        actor = actor_for(session, "analyst")
    # A wide review band, so that the queue holds undecided pairs on both sides of the threshold (the
    # default band was empty on this world): the review tests then decide pairs the model left open.
    report = run_linkage(ws, actor, LinkSettings(review_low=0.05, review_high=0.999))
    try:
        yield Linked(ws, report, names | {n for pair in MARKER_NAMES for n in pair if n}, tuple(codes))
    finally:
        discard(ws)
