"""`redzone user`: accounts, roles and identity grants, decided by the policy and audited, on both backends."""

import json

import pytest
import sqlalchemy as sa
from support import PASSPHRASE
from typer.testing import CliRunner

from redzone.cli import app
from redzone.records.entry import add_person
from redzone.records.identity import Identity, reveal_identity
from redzone.records.models import AuditEntry
from redzone.records.users import actor_for
from redzone.errors import PermissionDenied


def run(workspace, *args, user="admin", password=None):
    env = {"REDZONE_WORKSPACE": str(workspace.path), "REDZONE_PASSPHRASE": PASSPHRASE, "NO_COLOR": "1",
           "COLUMNS": "200", "REDZONE_USER": user}
    if password:
        env["REDZONE_NEW_PASSWORD"] = password
    return CliRunner().invoke(app, list(args), env=env)


def test_accounts_roles_and_grants(workspace, context_for):
    with context_for("interviewer") as ctx:
        code = add_person(ctx, sex="female", identity=Identity(legal_name="Synthetic Marker-Name")).code
    created = run(workspace, "user", "add", "officer2", "--role", "documentation_officer",
                  password="a synthetic password")
    assert created.exit_code == 0, created.output
    listed = json.loads(run(workspace, "--json", "user", "list").output)
    assert {"username": "officer2", "role": "documentation_officer", "organisation": None, "active": True,
            "second_factor": False} in listed
    with workspace.store.session() as session:  # the officer's scope is 'granted': nothing yet
        officer = actor_for(session, "officer2")
    with pytest.raises(PermissionDenied):
        reveal_identity(workspace.store, workspace.keys, officer, code, "test")
    assert run(workspace, "user", "grant", "officer2", code).exit_code == 0
    assert reveal_identity(workspace.store, workspace.keys, officer, code, "test").legal_name == "Synthetic Marker-Name"
    assert run(workspace, "user", "revoke", "officer2", code).exit_code == 0
    with pytest.raises(PermissionDenied):
        reveal_identity(workspace.store, workspace.keys, officer, code, "test")
    assert run(workspace, "user", "role", "officer2", "data_analyst").exit_code == 0
    assert run(workspace, "user", "disable", "officer2").exit_code == 0
    with workspace.store.session() as session:
        assert not actor_for(session, "officer2").active
        actions = set(session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("grant.%")
                                                                         | AuditEntry.action.like("user.%"))))
        details = " ".join(str(d) for d in session.scalars(sa.select(AuditEntry.detail)))
    assert {"user.create", "grant.create", "grant.revoke", "user.role", "user.disable"} <= actions
    assert "a synthetic password" not in details


def _error(result) -> str:
    """The one-line message `redzone` prints for a failed command (main() prints str(exception))."""
    assert result.exit_code != 0
    return str(result.exception)


def test_refusals_and_bad_input_are_one_line(workspace):
    refused = run(workspace, "user", "add", "x1", "--role", "public", user="analyst", password="a synthetic password")
    assert "analyst may not create users" in _error(refused)
    assert "role: unknown role 'boss'" in _error(run(workspace, "user", "add", "x2", "--role", "boss",
                                                      password="a synthetic password"))
    assert "password: must be at least 10" in _error(run(workspace, "user", "add", "x3", "--role", "public",
                                                          password="short"))
    assert "person: no person with code 'RZ-NOSUCH'" in _error(run(workspace, "user", "grant", "legal", "RZ-NOSUCH"))
    assert "cannot disable their own account" in _error(run(workspace, "user", "disable", "admin"))
