"""The synthetic demo world: a deterministic generator of clearly-marked fictional victims, journeys,
testimonies, acts, claims and the truth behind them (for scoring linkage and estimation), and its bulk
loader (`redzone.demo.persist`, imported separately: it needs a workspace)."""

from redzone.demo.world import (
    NOTICE,
    Act,
    Attestation,
    Claim,
    DemoTruth,
    Event,
    Group,
    Organisation,
    Participation,
    Perpetrator,
    Person,
    Source,
    World,
    WorldBatch,
    generate_world,
)

__all__ = [
    "NOTICE",
    "Act",
    "Attestation",
    "Claim",
    "DemoTruth",
    "Event",
    "Group",
    "Organisation",
    "Participation",
    "Perpetrator",
    "Person",
    "Source",
    "World",
    "WorldBatch",
    "generate_world",
]
