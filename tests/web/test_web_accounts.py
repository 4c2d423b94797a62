"""The accounts library: argon2id passwords, lockout and throttling, TOTP (once per code, issued by
an administrator or enrolled from one's account page), sessions and API tokens — on both backends."""

from __future__ import annotations

import datetime as dt

import re

import pyotp
import pytest
import sqlalchemy as sa
from support import BACKENDS, discard
from web_helpers import build_site, client_for, csrf_of, forget_used_codes, sign_in, username

from redzone.accounts import (LoginSettings, authenticate, check_second_factor, create_token, enrol_second_factor,
                              find_session, issue_second_factor, promote_session, revoke_token, second_factor,
                              start_session, verify_token)
from redzone.errors import PermissionDenied
from redzone.records.models import AuditEntry, LoginAttempt, User, WebSession
from redzone.records.users import SYSTEM, actor_for, create_user
from redzone.web.config import WebSettings


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


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_wrong_second_factor_codes_lock_the_account_like_wrong_passwords(workspace):
    settings = LoginSettings(lock_after=3, client_failures=100)
    with workspace.store.session() as session:
        admin = create_user(session, workspace.keys, SYSTEM, "admin-guessed", "administrator", password="admin password 9")
        secret = enrol_second_factor(session, workspace.keys, admin.id)
        assert authenticate(session, workspace.keys, "admin-guessed", "admin password 9", "10.0.0.3",
                            settings).status == "second_factor"
        code = pyotp.TOTP(secret).now()
        outcomes = [second_factor(session, workspace.keys, admin.id, _wrong(code), "10.0.0.3", settings).status
                    for _ in range(3)]
        right = second_factor(session, workspace.keys, admin.id, code, "10.0.0.3", settings)
        again = authenticate(session, workspace.keys, "admin-guessed", "admin password 9", "10.0.0.3", settings)
        failures = session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.client == "10.0.0.3", LoginAttempt.succeeded.is_(False)))
    assert outcomes == ["refused", "refused", "locked"]
    assert right.status == "locked", "the right code was accepted on a locked account"
    assert again.status == "locked"
    assert failures == 5  # 3 wrong codes, the right code refused while locked, the password refused while locked
    with workspace.store.session() as session:
        reasons = [detail.get("reason") for action, detail in session.execute(
            sa.select(AuditEntry.action, AuditEntry.detail).where(AuditEntry.record_id == "admin-guessed")
            .order_by(AuditEntry.id)) if action == "login.second_factor_failed"]
    assert reasons == ["wrong code", "wrong code", "wrong code; account locked", "locked"]


def test_wrong_second_factor_codes_count_towards_the_client_throttle(workspace):
    settings = LoginSettings(lock_after=100, client_failures=2)
    with workspace.store.session() as session:
        admin = create_user(session, workspace.keys, SYSTEM, "admin-thr", "administrator", password="admin password 8")
        secret = enrol_second_factor(session, workspace.keys, admin.id)
        authenticate(session, workspace.keys, "admin-thr", "admin password 8", "10.0.0.4", settings)
        code = pyotp.TOTP(secret).now()
        assert [second_factor(session, workspace.keys, admin.id, _wrong(code), "10.0.0.4", settings).status
                for _ in range(2)] == ["refused", "refused"]
        assert second_factor(session, workspace.keys, admin.id, code, "10.0.0.4", settings).status == "throttled"
        assert authenticate(session, workspace.keys, "interviewer", "x" * 12, "10.0.0.4", settings).status == "throttled"


def test_an_unknown_username_is_kept_only_as_a_keyed_digest(workspace, account):
    typed = "my-Secret-passw0rd"  # a password typed into the username box
    settings = LoginSettings(client_failures=2)
    with workspace.store.session() as session:
        first = authenticate(session, workspace.keys, typed, "anything", "10.0.0.5", settings)
        authenticate(session, workspace.keys, typed, "anything", "10.0.0.5", settings)
        throttled = authenticate(session, workspace.keys, typed, "anything", "10.0.0.5", settings)
        authenticate(session, workspace.keys, "field-1", "wrong guess!", "10.0.0.6", settings)
    assert (first.status, throttled.status) == ("refused", "throttled")
    with workspace.store.session() as session:
        attempts = session.scalars(sa.select(LoginAttempt.username).order_by(LoginAttempt.id)).all()
        entries = [" ".join((a.actor, a.action, a.record_id, repr(a.detail)))
                   for a in session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "login.failed"))]
    assert attempts[-1] == "field-1"  # an existing account keeps its name: the lockout and the log need it
    assert len(set(attempts[:3])) == 1 and attempts[0].startswith("unknown:")  # one digest per typed name
    assert len(entries) == 4 and all(typed.lower() not in entry.lower() for entry in entries)
    assert all(typed.lower() not in name.lower() for name in attempts)
    for table in ("audit_entry", "login_attempt"):  # nowhere in either table, whatever the column
        with workspace.store.session() as session:
            rows = session.execute(sa.text(f"SELECT * FROM {table}")).all()
        assert not any(typed in str(value) for row in rows for value in row)


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
        refused = authenticate(session, workspace.keys, "admin-2", "admin password 1", "c")
        assert refused.status == "no_second_factor" and not refused.passed_password
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


def _actions(ws, record_id: str) -> list[tuple[str, str]]:  # noqa: ANN001
    with ws.store.session() as session:
        return [(a, who) for a, who in session.execute(sa.select(AuditEntry.action, AuditEntry.actor).where(
            AuditEntry.record_id == record_id).order_by(AuditEntry.id))]


def test_only_user_managers_issue_a_second_factor_and_its_first_code_records_enrolment(workspace):
    with workspace.store.session() as session:
        create_user(session, workspace.keys, SYSTEM, "admin-3", "administrator", password="admin password 3")
        with pytest.raises(PermissionDenied):
            issue_second_factor(session, workspace.keys, actor_for(session, "interviewer"), "admin-3")
        issued = issue_second_factor(session, workspace.keys, actor_for(session, "admin"), "admin-3")
        assert issued.uri.startswith("otpauth://totp/") and f"secret={issued.secret}" in issued.uri
        assert authenticate(session, workspace.keys, "admin-3", "admin password 3", "c").status == "second_factor"
        user_id = actor_for(session, "admin-3").user_id
        assert check_second_factor(session, workspace.keys, user_id, pyotp.TOTP(issued.secret).now(), "c")
    actions = _actions(workspace, "admin-3")
    assert ("user.totp_issued", "admin") in actions
    assert actions.index(("user.totp_issued", "admin")) < actions.index(("user.totp_enrolled", "admin-3"))
    assert actions.count(("user.totp_enrolled", "admin-3")) == 1


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("accounts") / "ws", request.param, acts=20)
    yield ws
    discard(ws)


def _login(client, name: str, secret: str):  # noqa: ANN001, ANN202
    return client.post("/login", data={"username": name, "password": secret, "csrf_token": csrf_of(client), "next": "/"})


def test_a_new_administrator_signs_in_only_with_the_key_issued_to_their_creator(site):
    admin = sign_in(client_for(site), "administrator")
    assert admin.get("/login/enrol").status_code == 404  # nobody chooses their own factor at sign-in
    page = admin.post("/users", data={"csrf_token": csrf_of(admin, "/users"), "username": "admin-new",
                                      "role": "administrator", "password": "new admin password"})
    assert page.status_code == 200
    secret = re.search(r'id="issued-secret">([A-Z2-7]+)<', page.text).group(1)
    assert "otpauth://totp/" in page.text
    assert secret not in admin.get("/users").text  # shown once
    newcomer = client_for(site)
    answer = _login(newcomer, "admin-new", "new admin password")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login/second-factor")
    wrong = newcomer.post("/login/second-factor", data={"code": "000000", "csrf_token": csrf_of(
        newcomer, answer.headers["location"]), "next": "/"})
    assert wrong.status_code == 401
    done = newcomer.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(
        newcomer, answer.headers["location"]), "next": "/users"})
    assert done.status_code == 303 and done.headers["location"] == "/users"
    assert newcomer.get("/users").status_code == 200
    assert ("user.totp_issued", username("administrator")) in _actions(site, "admin-new")
    assert ("user.totp_enrolled", "admin-new") in _actions(site, "admin-new")


def test_an_administrator_without_an_issued_factor_is_refused_until_one_is_issued(site):
    admin = sign_in(client_for(site), "administrator")
    admin.post("/users", data={"csrf_token": csrf_of(admin, "/users"), "username": "officer-promoted",
                               "role": "documentation_officer", "password": "officer password"})
    admin.post("/users/officer-promoted/role", data={"csrf_token": csrf_of(admin, "/users"), "role": "administrator"})
    assert 'badge danger">needed' in admin.get("/users").text
    refused = _login(client_for(site), "officer-promoted", "officer password")
    assert refused.status_code == 403 and "second factor" in refused.text and "rz_session" not in refused.cookies
    issued = admin.post("/users/officer-promoted/second-factor", data={"csrf_token": csrf_of(admin, "/users")})
    secret = re.search(r'id="issued-secret">([A-Z2-7]+)<', issued.text).group(1)
    client = client_for(site)
    answer = _login(client, "officer-promoted", "officer password")
    assert answer.headers["location"].startswith("/login/second-factor")
    done = client.post("/login/second-factor", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(
        client, answer.headers["location"]), "next": "/"})
    assert done.status_code == 303
    interviewer = sign_in(client_for(site), "interviewer")
    assert interviewer.post("/users/officer-promoted/second-factor",
                            data={"csrf_token": csrf_of(interviewer, "/account")}).status_code == 403


def test_other_roles_enrol_themselves_from_their_account_page(site):
    with site.store.session() as session:
        create_user(session, site.keys, SYSTEM, "analyst-2fa", "data_analyst", password="analyst password")
    client = client_for(site)
    assert _login(client, "analyst-2fa", "analyst password").headers["location"] == "/"
    started = client.post("/account/second-factor/start", data={"csrf_token": csrf_of(client, "/account")})
    secret = re.search(r'id="enrol-secret">([A-Z2-7]+)<', started.text).group(1)
    pending = re.search(r'name="pending" value="([^"]+)"', started.text).group(1)
    wrong = client.post("/account/second-factor", data={"csrf_token": csrf_of(client, "/account"),
                                                        "pending": pending, "code": "000000", "password": "analyst password"})
    assert wrong.status_code == 422 and secret in wrong.text and 'id="code-error"' in wrong.text
    stolen = client.post("/account/second-factor", data={"csrf_token": csrf_of(client, "/account"), "pending": pending,
                                                         "code": pyotp.TOTP(secret).now(), "password": "a guess, not it"})
    assert stolen.status_code == 422 and 'id="password-error"' in stolen.text  # a session alone cannot enrol
    with site.store.session() as session:
        assert session.scalar(sa.select(User.totp_secret_sealed).where(User.username == "analyst-2fa")) is None
    forged = client.post("/account/second-factor", data={"csrf_token": csrf_of(client, "/account"), "code": "123456",
                                                         "pending": pending[:-8] + "AAAAAAAA", "password": "analyst password"})
    assert forged.status_code == 422 and secret not in forged.text
    done = client.post("/account/second-factor", data={"csrf_token": csrf_of(client, "/account"), "pending": pending,
                                                       "code": pyotp.TOTP(secret).now(), "password": "analyst password"})
    assert done.status_code == 303
    assert "second factor on" in client.get("/account").text
    again = client_for(site)
    assert _login(again, "analyst-2fa", "analyst password").headers["location"].startswith("/login/second-factor")
    assert ("user.totp_enrolled", "analyst-2fa") in _actions(site, "analyst-2fa")
    admin = sign_in(client_for(site), "administrator")
    forget_used_codes(site)
    assert 'id="start-enrolment"' not in admin.get("/account").text  # an administrator's is issued, not chosen
    assert admin.post("/account/second-factor/start", data={"csrf_token": csrf_of(admin, "/account")}).status_code == 422


def test_wrong_passwords_on_the_enrolment_form_lock_the_account_as_at_sign_in(site):
    with site.store.session() as session:
        create_user(session, site.keys, SYSTEM, "analyst-guess", "data_analyst", password="analyst password")
    client = client_for(site, WebSettings(login=LoginSettings(lock_after=2)))
    assert _login(client, "analyst-guess", "analyst password").headers["location"] == "/"
    started = client.post("/account/second-factor/start", data={"csrf_token": csrf_of(client, "/account")})
    pending = re.search(r'name="pending" value="([^"]+)"', started.text).group(1)
    for guess in ("first guess", "second guess"):
        answer = client.post("/account/second-factor", data={"csrf_token": csrf_of(client, "/account"),
                                                             "pending": pending, "code": "000000", "password": guess})
        assert answer.status_code == 422
    with site.store.session() as session:
        locked_until = session.scalar(sa.select(User.locked_until).where(User.username == "analyst-guess"))
        reasons = [e.detail.get("reason") for e in session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "user.totp_enrol_failed", AuditEntry.record_id == "analyst-guess"))]
    assert locked_until is not None
    assert reasons == ["wrong password", "wrong password; account locked"]
    assert _login(client_for(site), "analyst-guess", "analyst password").status_code != 303  # locked at sign-in too


def test_wrong_codes_at_sign_in_lock_the_account_and_end_the_password_only_session(site):
    admin = sign_in(client_for(site), "administrator")
    page = admin.post("/users", data={"csrf_token": csrf_of(admin, "/users"), "username": "admin-locked",
                                      "role": "administrator", "password": "locked admin password"})
    secret = re.search(r'id="issued-secret">([A-Z2-7]+)<', page.text).group(1)
    settings = WebSettings(login=LoginSettings(lock_after=3, client_failures=1000))
    guesser = client_for(site, settings)
    answer = _login(guesser, "admin-locked", "locked admin password")
    stage = answer.headers["location"]
    code = pyotp.TOTP(secret).now()
    statuses = [guesser.post("/login/second-factor", data={"code": _wrong(code), "csrf_token": csrf_of(guesser, stage),
                                                           "next": "/"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 403]
    assert guesser.get("/login/second-factor").headers["location"] == "/login"  # the partial session is gone
    owner = client_for(site, settings)
    again = _login(owner, "admin-locked", "locked admin password")
    assert again.status_code == 403 and "rz_session" not in again.cookies
    actions = [action for action, _ in _actions(site, "admin-locked")]
    assert actions.count("login.second_factor_failed") == 3 and "login.second_factor" not in actions
    with site.store.session() as session:
        reasons = [detail.get("reason") for (detail,) in session.execute(sa.select(AuditEntry.detail).where(
            AuditEntry.record_id == "admin-locked", AuditEntry.action.in_(("login.second_factor_failed", "login.failed"))))]
        session.get(User, actor_for(session, "admin-locked").user_id).locked_until = None
    assert "wrong code; account locked" in reasons and reasons[-1] == "locked"
