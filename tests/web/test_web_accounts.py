"""The accounts library: argon2id passwords, lockout and throttling, TOTP (once per code), sessions
and API tokens — on both backends."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import sqlalchemy as sa

from redzone.accounts import (LoginSettings, authenticate, check_second_factor, create_token, enrol_second_factor,
                              find_session, promote_session, revoke_token, start_session, verify_token)
from redzone.records.models import User, WebSession
from redzone.records.users import SYSTEM, create_user


@pytest.fixture
def account(workspace):
    with workspace.store.session() as session:
        user = create_user(session, workspace.keys, SYSTEM, "field-1", "interviewer", password="correct horse battery")
        return user.id


def test_password_is_stored_as_argon2id(workspace, account):
    with workspace.store.session() as session:
        stored = session.get(User, account).password_hash
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_lockout_after_repeated_failures_even_with_the_right_password(workspace, account):
    settings = LoginSettings(lock_after=3, client_failures=100)
    with workspace.store.session() as session:
        outcomes = [authenticate(session, workspace.keys, "field-1", "wrong guess!", "10.0.0.1", settings).status
                    for _ in range(3)]
        locked = authenticate(session, workspace.keys, "field-1", "correct horse battery", "10.0.0.1", settings)
    assert outcomes == ["refused"] * 3
    assert locked.status == "locked"
    with workspace.store.session() as session:
        session.get(User, account).locked_until = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    with workspace.store.session() as session:
        assert authenticate(session, workspace.keys, "field-1", "correct horse battery", "10.0.0.1", settings).status == "ok"


def test_one_client_guessing_many_accounts_is_throttled(workspace, account):
    settings = LoginSettings(client_failures=4)
    with workspace.store.session() as session:
        for name in ("a", "b", "c", "d"):
            assert authenticate(session, workspace.keys, name, "x" * 12, "10.0.0.9", settings).status == "refused"
        assert authenticate(session, workspace.keys, "field-1", "correct horse battery", "10.0.0.9",
                            settings).status == "throttled"
        assert authenticate(session, workspace.keys, "field-1", "correct horse battery", "10.0.0.10",
                            settings).status == "ok"


def test_administrators_need_a_second_factor_and_each_code_works_once(workspace):
    with workspace.store.session() as session:
        admin = create_user(session, workspace.keys, SYSTEM, "admin-2", "administrator", password="admin password 1")
        assert authenticate(session, workspace.keys, "admin-2", "admin password 1", "c").status == "enrol"
        secret = enrol_second_factor(session, workspace.keys, admin.id)
        assert authenticate(session, workspace.keys, "admin-2", "admin password 1", "c").status == "second_factor"
        code = pyotp.TOTP(secret).now()
        assert not check_second_factor(session, workspace.keys, admin.id, "000000" if code != "000000" else "111111", "c")
        assert check_second_factor(session, workspace.keys, admin.id, code, "c")
        assert not check_second_factor(session, workspace.keys, admin.id, code, "c"), "a used code was accepted again"
        stored = session.get(User, admin.id).totp_secret_sealed
    assert secret.encode() not in stored


def test_sessions_are_replaced_not_promoted_and_expire(workspace, account):
    with workspace.store.session() as session:
        partial = start_session(session, account, "second_factor")
        full = promote_session(session, partial.session_id)
        assert full.session_id != partial.session_id
        assert find_session(session, partial.session_id) is None
        assert find_session(session, full.session_id).stage == "full"
        row = session.scalars(sa.select(WebSession)).one()
        assert row.id_hash != full.session_id  # only the digest is stored
        row.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    with workspace.store.session() as session:
        assert find_session(session, full.session_id) is None


def test_api_tokens_are_stored_hashed_and_can_be_revoked(workspace, account):
    with workspace.store.session() as session:
        token, info = create_token(session, workspace.keys, "field-1", "notebook", 30)
        assert verify_token(session, token).username == "field-1"
        assert verify_token(session, token + "x") is None
        revoke_token(session, workspace.keys, "field-1", info.id)
        assert verify_token(session, token) is None
