"""Exports as a partner receives them: pseudonymised unless permitted and encrypted, formula-safe, audited."""

import json

import openpyxl
import pyrage
import pytest
import sqlalchemy as sa

from exchange_helpers import actor, seed_small, unpacked
from redzone.errors import PermissionDenied, ValidationError
from redzone.exchange import export_records
from redzone.records.models import AuditEntry
from redzone.security.policy import ROLE_ACTIONS, ROLES, Actor

MARKER = "SEALEDMARK"


def audit_actions(ws):
    with ws.store.session() as session:
        return [(e.action, e.record_id, e.detail) for e in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_an_analysts_export_holds_no_sealed_value(workspace, tmp_path):
    codes = seed_small(workspace, MARKER)
    analyst = actor(workspace, "analyst")
    for fmt in ("csv", "xlsx", "json"):
        for flat in (False, True):
            out = tmp_path / f"export-{flat}.{fmt}"
            report = export_records(workspace, analyst, out, fmt=fmt, flat=flat)
            data = unpacked(out.read_bytes())
            assert MARKER.encode() not in data and "김".encode() not in data
            assert codes["person"].encode() in data  # the victim appears by pseudonym
            assert report.counts == ({"flat": 1} if flat else {"groups": 1, "events": 1, "persons": 1,
                                                               "sources": 1, "acts": 1})
    exports = [detail for action, _, detail in audit_actions(workspace) if action == "export.run"]
    assert [(e["format"], e["flat"], e["identities"]) for e in exports] == [
        (fmt, flat, False) for fmt in ("csv", "xlsx", "json") for flat in (False, True)]
    assert exports[0]["counts"]["persons"] == 1


def test_identity_export_is_refused_to_roles_without_the_permission_and_audited(workspace, tmp_path):
    seed_small(workspace, MARKER)
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    refused = [role for role in ROLES if "export.identities" not in ROLE_ACTIONS[role]]
    assert {"legal_analyst", "data_analyst", "administrator", "public"} <= set(refused)
    for role in refused:
        someone = Actor(username=f"test-{role}", role=role)
        with pytest.raises(PermissionDenied):
            export_records(workspace, someone, tmp_path / "out.json", fmt="json", with_identities=True,
                           recipient=recipient)
    assert not list(tmp_path.glob("out*")) and not list(tmp_path.glob(".out*"))
    denied = [record for a, record, _ in audit_actions(workspace) if a == "export.identities.denied"]
    assert len(denied) == sum("export.pseudonymised" in ROLE_ACTIONS[role] for role in refused)


def test_identity_export_carries_only_the_identities_the_exporter_may_see(workspace, tmp_path):
    """An interviewer exports the identities of their own cases, a documentation officer only granted ones;
    everything else in the same file leaves pseudonymised."""
    from redzone.records.users import SYSTEM, create_user, grant_access

    codes = seed_small(workspace, MARKER)
    with workspace.store.session() as session:
        create_user(session, workspace.keys, SYSTEM, "interviewer2", "interviewer")
    secret = pyrage.x25519.Identity.generate()

    def exported(username: str, name: str) -> bytes:
        out = tmp_path / f"{name}.json.age"
        export_records(workspace, actor(workspace, username), out, fmt="json", with_identities=True,
                       recipient=str(secret.to_public()))
        return pyrage.decrypt(out.read_bytes(), [secret])

    own = exported("interviewer", "own")
    assert f"Kim {MARKER}-legal".encode() in own and f"{MARKER}-text".encode() in own
    assert MARKER.encode() not in exported("interviewer2", "colleague")
    assert MARKER.encode() not in exported("officer", "ungranted")
    with workspace.store.session() as session:
        grant_access(session, workspace.keys, SYSTEM, "officer", codes["person"])
    granted = exported("officer", "granted")
    assert f"{MARKER}-whereabouts".encode() in granted and f"{MARKER}-text".encode() in granted
    disclosed = [(a, record) for a, record, _ in audit_actions(workspace) if a == "export.identities"]
    assert disclosed.count(("export.identities", codes["person"])) == 2


def test_identity_export_is_encrypted_to_the_recipient_and_audited_per_person(workspace, tmp_path, monkeypatch):
    codes = seed_small(workspace, MARKER)
    monkeypatch.setitem(ROLE_ACTIONS, "test_identity_exporter", {"export.pseudonymised", "export.identities", "person.view_sealed", "source.view_text"})
    exporter = Actor(username="exporter", role="test_identity_exporter")
    secret = pyrage.x25519.Identity.generate()
    with pytest.raises(ValidationError, match="recipient"):
        export_records(workspace, exporter, tmp_path / "x.json", fmt="json", with_identities=True)
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"identities.{fmt}.age"
        report = export_records(workspace, exporter, out, fmt=fmt, with_identities=True,
                                recipient=str(secret.to_public()))
        sealed = out.read_bytes()
        assert sealed.startswith(b"age-encryption.org/v1") and MARKER.encode() not in sealed
        plain = unpacked(pyrage.decrypt(sealed, [secret]))
        for value in (f"Kim {MARKER}-legal", f"김{MARKER}", f"{MARKER}-whereabouts", f"{MARKER}-text"):
            assert value.encode() in plain
        assert report.identities and report.encrypted
    trail = [(a, record) for a, record, _ in audit_actions(workspace) if a == "export.identities"]
    assert trail.count(("export.identities", codes["person"])) == 3
    assert trail.count(("export.identities", codes["source"])) == 3
    wrong = pyrage.x25519.Identity.generate()
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt((tmp_path / "identities.json.age").read_bytes(), [wrong])


def test_spreadsheet_cells_never_become_formulas(workspace, tmp_path):
    seed_small(workspace, MARKER)
    analyst = actor(workspace, "analyst")
    export_records(workspace, analyst, tmp_path / "all.xlsx", fmt="xlsx")
    book = openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True)
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if getattr(cell, "value", None)]
    assert all(cell.data_type == "s" for cell in cells)
    risky = [cell.value for cell in cells if cell.value[:1] in "=+-@" or cell.value[:2] in ("'=", "'@", "'-", "'+")]
    assert risky and all(value.startswith("'") for value in risky)
    export_records(workspace, analyst, tmp_path / "groups.csv", fmt="csv", types=["groups"])
    text = (tmp_path / "groups.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    export_records(workspace, analyst, tmp_path / "events.json", fmt="json", types=["events"])
    events = json.loads((tmp_path / "events.json").read_text(encoding="utf-8"))
    assert events[0]["description"].startswith("@SUM")  # JSON is not a spreadsheet: values unchanged


def test_the_flat_table_says_who_did_what_to_whom(workspace, tmp_path):
    codes = seed_small(workspace, MARKER)
    export_records(workspace, actor(workspace, "legal"), tmp_path / "flat.json", fmt="json", flat=True)
    [row] = json.loads((tmp_path / "flat.json").read_text(encoding="utf-8"))
    assert row["act_code"] == codes["act"] and row["victim"] == codes["person"]
    assert row["violation"] == "trafficking.sale" and row["violation_label"] == "Sale or purchase of a person"
    assert row["perpetrator_roles"].startswith("Broker; Buyer") and row["groups"].startswith("=HYPERLINK")
    assert (row["place_name"], row["province"], row["date"], row["date_start"], row["date_precision"]) == \
        ("Yanji", "Jilin", "2019-03", "2019-03-01", "month")
    assert row["sources"] == f"{codes['source']} (B2)"


def test_public_may_not_export_and_a_failed_export_leaves_no_file(workspace, tmp_path):
    with pytest.raises(PermissionDenied):
        export_records(workspace, actor(workspace, "public"), tmp_path / "x.csv")
    with pytest.raises(ValidationError):
        export_records(workspace, actor(workspace, "analyst"), tmp_path / "x.csv", fmt="docx")
    assert list(tmp_path.iterdir()) == [tmp_path / "ws"]


def test_a_bad_recipient_key_is_named(workspace, tmp_path, monkeypatch):
    monkeypatch.setitem(ROLE_ACTIONS, "test_identity_exporter", {"export.pseudonymised", "export.identities", "person.view_sealed", "source.view_text"})
    exporter = Actor(username="exporter", role="test_identity_exporter")
    with pytest.raises(ValidationError, match="recipient: is not an age X25519 public key"):
        export_records(workspace, exporter, tmp_path / "x.csv", with_identities=True, recipient="age1nonsense")
    with pytest.raises(ValidationError, match="flat table never holds identities"):
        export_records(workspace, exporter, tmp_path / "x.csv", flat=True, with_identities=True, recipient="x")
