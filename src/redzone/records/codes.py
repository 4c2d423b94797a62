"""Public codes: short, unambiguous identifiers shown to users instead of names or row ids."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: codes are read aloud and copied by hand
PREFIXES = {"person": "RZ", "source": "SRC", "event": "EV", "act": "ACT", "group": "GRP", "claim": "CLM",
            "evidence": "EVD"}


def new_code(kind: str, length: int = 6) -> str:
    return f"{PREFIXES[kind]}-" + "".join(secrets.choice(ALPHABET) for _ in range(length))
