"""The synthetic demo world: `generate_world(seed, acts)` returns a `World` whose `batches()` stream every
record (groups and claim sources first, then documented victims' records) and whose `truth` says how
many victims the simulation holds and which organisations documented each.

Determinism: everything is drawn from streams seeded by the seed alone (Python's `random.Random` with
a string seed, numpy's PCG64 from a seed sequence); nothing iterates a set or uses `hash()`, so the same
seed gives the same world in every process. Memory stays bounded by the batch size: victims are
simulated and rendered one at a time, and only the capture histories are kept.

How big: victims are simulated until the acts their records hold reach the number asked for; each
documented woman's journey holds about 8–15 true acts, most women are never documented, so the true
population is several times the number documented — as in real multiple-systems data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np

from redzone.demo.claims import claim_documents
from redzone.demo.journeys import VIOLATIONS, Simulator, TrueVictim
from redzone.demo.model import (Act, Attestation, Claim, DemoTruth, Event, Group, Organisation, Participation,
                                Perpetrator, Person, Source, WorldBatch)
from redzone.demo.render import Renderer
from redzone.demo.setting import PROFILES, Places, build_groups

__all__ = ["Act", "Attestation", "Claim", "DemoTruth", "Event", "Group", "Organisation", "Participation",
           "Perpetrator", "Person", "Source", "World", "WorldBatch", "generate_world"]

NOTICE = "SYNTHETIC DEMO DATA: every person, event and text here was generated; none is real."
BLOCK = 1024  # victims drawn per vectorised step (fixed: the stream must not depend on the batch size)


class World:
    """A synthetic world, generated lazily: iterate `batches()` to get its records."""

    def __init__(self, seed: int, acts: int, vocabulary) -> None:  # noqa: ANN001
        self.seed = seed
        self.acts_requested = acts
        self.vocabulary = vocabulary
        self.organisations: tuple[Organisation, ...] = tuple(p.organisation for p in PROFILES)
        self.notice = NOTICE
        self._truth: DemoTruth | None = None

    def __repr__(self) -> str:
        return f"<World seed={self.seed} acts≈{self.acts_requested} (synthetic)>"

    @property
    def truth(self) -> DemoTruth:
        """The true population and capture histories (computed without rendering if not yet known)."""
        if self._truth is None:
            run = _Run(self)
            for _ in run.victims():
                pass
            self._truth = run.truth()
        return self._truth

    def batches(self, batch_size: int = 5000) -> Iterator[WorldBatch]:
        """The records in batches of about `batch_size` acts (a woman's records never straddle two)."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        run = _Run(self)
        renderer = run.renderer()
        research = next((p.organisation.id for p in PROFILES if p.organisation.kind == "research"),
                        self.organisations[0].id)
        claim_sources, claims = claim_documents(research, 1, 1)
        renderer.counts["sources"] = len(claim_sources)
        head: tuple = (tuple(run.groups.records), tuple(claim_sources), tuple(claims))
        for victim in run.victims():
            renderer.render(victim)
            if len(renderer.acts) >= batch_size:
                yield _batch(renderer, *head)
                head = ((), (), ())
                renderer.clear()
        if renderer.acts or renderer.persons or any(head):
            yield _batch(renderer, *head)
            renderer.clear()
        self._truth = run.truth()


def _batch(renderer: Renderer, groups: tuple, claim_sources: tuple, claims: tuple) -> WorldBatch:
    return WorldBatch(tuple(renderer.persons), groups, claim_sources + tuple(renderer.sources), tuple(renderer.events),
                      tuple(renderer.participations), tuple(renderer.acts), tuple(renderer.attestations), claims)


class _Run:
    """One pass over the world: the seeded streams, the stage, and the victims drawn so far."""

    def __init__(self, world: World) -> None:
        seed, vocabulary = world.seed, world.vocabulary
        self.world = world
        self.places = Places(vocabulary)
        self.groups = build_groups(self.places, random.Random(f"redzone-demo:{seed}:groups"), world.acts_requested)
        if not set(VIOLATIONS) & set(vocabulary.violations):
            raise ValueError("the vocabulary has none of the violation codes the demo journeys use")
        self.simulator = Simulator(self.places, self.groups, vocabulary.violations, vocabulary.roles)
        self.draws = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x7265647A])))
        self.journeys = random.Random(f"redzone-demo:{seed}:journeys")
        self.histories: dict[int, tuple[str, ...]] = {}
        self.last_true_id = 0
        self.acts = 0

    def renderer(self) -> Renderer:
        kinds = self.world.vocabulary.lists.get("event_kinds") or {}
        return Renderer(random.Random(f"redzone-demo:{self.world.seed}:records"), self.world.seed, self.places,
                        self.world.vocabulary, list(kinds) or ["other"])

    def victims(self) -> Iterator[TrueVictim]:
        """Documented victims in order, until their records hold the acts asked for."""
        target, first_id, empty_blocks = self.world.acts_requested, 1, 0
        ids = [p.organisation.id for p in PROFILES]
        while self.acts < target:
            headers = self.simulator.draw(self.draws, first_id, BLOCK)
            empty_blocks = 0 if headers else empty_blocks + 1
            if empty_blocks > 1000:
                raise RuntimeError("the demo simulation documents no one; check the capture settings")
            for header in headers:
                victim = self.simulator.journey(self.journeys, header)
                self.acts += sum(sum(flags) for _, flags in victim.records)
                self.last_true_id = victim.true_id
                self.histories[victim.true_id] = tuple(ids[n] for n, _ in victim.records)
                yield victim
                if self.acts >= target:
                    return
            first_id += BLOCK

    def truth(self) -> DemoTruth:
        documented = len(self.histories)
        return DemoTruth(self.last_true_id, documented, tuple(p.organisation.id for p in PROFILES),
                         self.histories, self.last_true_id - documented)


def generate_world(seed: int = 1, acts: int = 2000, vocabulary=None) -> World:  # noqa: ANN001
    """A synthetic world of about `acts` documented acts (±5%), the same for the same seed."""
    if acts < 1:
        raise ValueError("acts must be at least 1")
    if seed < 0:
        raise ValueError("seed must be zero or positive")
    if vocabulary is None:
        from redzone.vocab import load_vocabulary

        vocabulary = load_vocabulary()
    return World(seed, acts, vocabulary)
