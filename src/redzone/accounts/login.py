"""Signing in: password check with argon2id, throttling and lockout, and the TOTP second factor.

Threat: an attacker guessing passwords online (one account many times, or many accounts from one
client), replaying a TOTP code seen over a shoulder, or learning which usernames exist.
Mechanism, in the order it applies:
1. a client address with too many failures in the window is refused before any check (throttle);
2. an account locked after `lock_after` consecutive failures is refused until `locked_until`;
3. the password is verified (a dummy hash is verified for unknown users, so timing does not tell);
4. roles that require a second factor (administrators), and users who enrolled one, must then pass
   TOTP; each code is accepted once (the last used time step is remembered). A wrong code counts
   exactly like a wrong password: it is a failed attempt from the client (steps 1 and 2), and
   `lock_after` of them in a row lock the account; the web then ends the password-only session.
Every outcome is audited (never the password or the code). A username that matches no account is
recorded only as a keyed digest (`unknown:<hmac>`): a password typed into the username box must not
stay readable in the append-only audit log or the attempt table.

Threat at enrolment: whoever first signs in with an administrator's password choosing that
account's second factor. So an administrator's factor is *issued* by another administrator (the
users page, `redzone user add` / `user reset-totp`): the secret is shown once to the issuer, who
hands it over; without it the new administrator cannot sign in (status 'no_second_factor'). Other
roles may enrol a factor themselves from their account page: the secret travels sealed in the
form, with an expiry, until a code from it proves the authenticator holds it.

"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from dataclasses import dataclass

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from redzone.errors import Problem, ValidationError
from redzone.messages import Message
from redzone.records.models import LoginAttempt, User, UserSetting, utcnow
from redzone.security import audit
from redzone.security.keys import KeyRing
from redzone.security.policy import Actor, require

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, so they cost the same time as known ones; made on
    first use rather than at import (hashing costs tens of milliseconds on every command start)."""
    return _hasher.hash("a password nobody has: used to spend the same time on unknown users")


SECOND_FACTOR_ROLES = frozenset({"administrator"})
ISSUER = "Redzone"


@dataclass(frozen=True)
class LoginSettings:
    lock_after: int = 5                 # consecutive failures that lock an account
    lock_minutes: int = 15
    client_failures: int = 20           # failures from one client address within the window
    client_window_minutes: int = 10


@dataclass(frozen=True)
class LoginOutcome:
    """`status` is 'ok', 'second_factor' (password right, TOTP next), 'no_second_factor' (the
    password is right but the role needs a factor nobody has issued yet: refused), 'refused',
    'locked' or 'throttled'."""

    status: str
    user_id: int | None = None
    message: str = ""

    @property
    def passed_password(self) -> bool:
        return self.status in ("ok", "second_factor")


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite returns naive datetimes
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment


def needs_second_factor(user: User) -> bool:
    return user.role in SECOND_FACTOR_ROLES or user.totp_secret_sealed is not None


def recorded_name(keys: KeyRing, username: str, exists: bool) -> str:
    """The name kept in the audit log and the attempt table: the username of an existing account,
    otherwise a keyed digest of what was typed (it may be a password typed in the wrong box)."""
    if exists:
        return username[:80]
    return "unknown:" + keys.digester.digest("login-username\x00" + username)[:32]


def _record(session: Session, keys: KeyRing, name: str, client: str, succeeded: bool, reason: str,
            action: str | None = None) -> None:
    """`name` is already what may be kept (see `recorded_name`)."""
    session.add(LoginAttempt(username=name[:80], client=client[:64], succeeded=succeeded))
    audit.append(session, keys.audit_key, name[:80], action or ("login.succeeded" if succeeded else "login.failed"),
                 "user", name[:60], {"client": client[:64], "reason": reason} if reason else {"client": client[:64]})


def _throttled(session: Session, client: str, now: dt.datetime, settings: LoginSettings) -> bool:
    window_start = now - dt.timedelta(minutes=settings.client_window_minutes)
    recent_failures = session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.client == client[:64], LoginAttempt.succeeded.is_(False), LoginAttempt.at >= window_start)) or 0
    return recent_failures >= settings.client_failures


def _count_failure(user: User, now: dt.datetime, settings: LoginSettings) -> bool:
    """One more consecutive failure; True when it locks the account."""
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= settings.lock_after:
        user.locked_until = now + dt.timedelta(minutes=settings.lock_minutes)
        user.failed_logins = 0
        return True
    return False


def authenticate(session: Session, keys: KeyRing, username: str, password: str, client: str,
                 settings: LoginSettings = LoginSettings()) -> LoginOutcome:
    now = utcnow()
    user = session.scalar(sa.select(User).where(User.username == username))
    name = recorded_name(keys, username, user is not None)
    if _throttled(session, client, now, settings):
        _record(session, keys, name, client, False, "throttled")
        return LoginOutcome("throttled", message="too many failed sign-ins from this address; wait a few minutes")
    if user is None or not user.active or not user.password_hash:
        try:
            _hasher.verify(_dummy_hash(), password)
        except VerificationError:
            pass
        _record(session, keys, name, client, False, "unknown or inactive account")
        return LoginOutcome("refused", message="wrong username or password")
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        _record(session, keys, name, client, False, "locked")
        return LoginOutcome("locked", user.id, "this account is locked after repeated failures; try again later")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        locked = _count_failure(user, now, settings)
        _record(session, keys, name, client, False, "wrong password; account locked" if locked else "wrong password")
        return LoginOutcome("refused", message="wrong username or password")
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    if needs_second_factor(user) and user.totp_secret_sealed is None:
        _record(session, keys, name, client, False, "no second factor issued")
        return LoginOutcome("no_second_factor", user.id, "this account needs a second factor issued by an administrator")
    _record(session, keys, name, client, True, "password")
    if needs_second_factor(user):
        return LoginOutcome("second_factor", user.id)
    return LoginOutcome("ok", user.id)


def _totp_context(user: User) -> str:
    return f"user/{user.username}/totp"


def _settings(session: Session, user: User) -> UserSetting:
    setting = session.get(UserSetting, user.id)
    if setting is None:
        setting = UserSetting(user_id=user.id, language="en")
        session.add(setting)
        session.flush()
    return setting


def _verify_code(session: Session, user: User, secret: str, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    setting = _settings(session, user)
    now = utcnow()
    for drift in (0, -1, 1):  # one step of clock drift either way
        moment = now + dt.timedelta(seconds=30 * drift)
        step = totp.timecode(moment)
        if totp.at(moment) == code:
            if setting.totp_last_step is not None and step <= setting.totp_last_step:
                return False  # replay of a code already used
            setting.totp_last_step = step
            return True
    return False


def second_factor(session: Session, keys: KeyRing, user_id: int, code: str, client: str,
                  settings: LoginSettings = LoginSettings()) -> LoginOutcome:
    """The TOTP step after a right password: 'ok', 'refused' (wrong code), 'locked' (this code made
    `lock_after` failures in a row, or the account was already locked: even a right code is
    refused) or 'throttled' (too many failures from this client). On 'locked' and 'throttled' the
    caller ends the password-only session, so the guesser has to start again from the password."""
    user = session.get(User, user_id)
    if user is None or user.totp_secret_sealed is None:
        return LoginOutcome("refused", message="no second factor")
    now = utcnow()
    if _throttled(session, client, now, settings):
        _record(session, keys, user.username, client, False, "throttled", "login.second_factor_failed")
        return LoginOutcome("throttled", user.id, "too many failed sign-ins from this address; wait a few minutes")
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        _record(session, keys, user.username, client, False, "locked", "login.second_factor_failed")
        return LoginOutcome("locked", user.id, "this account is locked after repeated failures; try again later")
    secret = keys.fields.unseal_text(user.totp_secret_sealed, _totp_context(user))
    first_use = _settings(session, user).totp_last_step is None
    if not _verify_code(session, user, secret, code):
        locked = _count_failure(user, now, settings)
        _record(session, keys, user.username, client, False, "wrong code; account locked" if locked else "wrong code",
                "login.second_factor_failed")
        if locked:
            return LoginOutcome("locked", user.id, "this account is locked after repeated failures; try again later")
        return LoginOutcome("refused", user.id, "that code is not valid")
    user.failed_logins = 0
    _record(session, keys, user.username, client, True, "", "login.second_factor")
    if first_use:  # the first code from an issued secret: the user's authenticator holds it
        audit.append(session, keys.audit_key, user.username, "user.totp_enrolled", "user", user.username,
                     {"how": "issued"})
    return LoginOutcome("ok", user.id)


def check_second_factor(session: Session, keys: KeyRing, user_id: int, code: str, client: str,
                        settings: LoginSettings = LoginSettings()) -> bool:
    return second_factor(session, keys, user_id, code, client, settings).status == "ok"


def enrol_second_factor(session: Session, keys: KeyRing, user_id: int, *, secret: str | None = None,
                        by: str = "system") -> str:
    """Store a new TOTP secret for the user (sealed), returned once so it can be shown or printed;
    any earlier secret stops working. Audited as issued by `by`."""
    user = session.get(User, user_id)
    secret = secret or pyotp.random_base32()
    user.totp_secret_sealed = keys.fields.seal(secret, _totp_context(user))
    _settings(session, user).totp_last_step = None
    audit.append(session, keys.audit_key, by, "user.totp_issued", "user", user.username)
    return secret


@dataclass(frozen=True)
class IssuedFactor:
    """A second factor as its issuer sees it, once: the base32 key and the otpauth URI."""

    username: str
    secret: str
    uri: str


def issue_second_factor(session: Session, keys: KeyRing, by: Actor, username: str) -> IssuedFactor:
    """An administrator issues (or replaces) a user's TOTP secret. The secret is returned to be
    shown once to the issuer, who hands it to the user; the user's first code records enrolment."""
    require(by, "user.manage")
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise ValidationError(Problem("username", Message("%(username)s does not exist", username=repr(username))))
    secret = enrol_second_factor(session, keys, user.id, by=by.username)
    return IssuedFactor(username, secret, totp_uri(username, secret))


SELF_ENROL_MINUTES = 15


def _pending_context(username: str) -> str:
    return f"user/{username}/totp-pending"


def start_own_enrolment(keys: KeyRing, by: Actor) -> tuple[IssuedFactor, str]:
    """For roles whose second factor is optional: a new secret for the signed-in user, and the same
    secret sealed with an expiry, to carry in the confirmation form (nothing is stored yet)."""
    if by.role in SECOND_FACTOR_ROLES:
        raise ValidationError(Problem("second_factor", "an administrator's second factor is issued by another administrator"))
    secret = pyotp.random_base32()
    expires = int((utcnow() + dt.timedelta(minutes=SELF_ENROL_MINUTES)).timestamp())
    pending = keys.fields.seal(f"{secret}:{expires}", _pending_context(by.username))
    return IssuedFactor(by.username, secret, totp_uri(by.username, secret)), base64.urlsafe_b64encode(pending).decode()


def pending_enrolment(keys: KeyRing, by: Actor, pending: str) -> IssuedFactor:
    """The secret of a pending self-enrolment (to show it again beside an error)."""
    secret, _ = _open_pending(keys, by, pending)
    return IssuedFactor(by.username, secret, totp_uri(by.username, secret))


def _open_pending(keys: KeyRing, by: Actor, pending: str) -> tuple[str, int]:
    try:
        opened = keys.fields.unseal_text(base64.urlsafe_b64decode(pending.encode()), _pending_context(by.username))
        secret, expires = opened.rsplit(":", 1)
        return secret, int(expires)
    except Exception as error:  # forged, truncated or someone else's: one message, never the value
        raise ValidationError(Problem("pending", "the enrolment form is not valid; start again")) from error


def confirm_own_enrolment(session: Session, keys: KeyRing, by: Actor, pending: str, code: str, client: str,
                          password: str, settings: LoginSettings | None = None) -> None:
    """Store the pending secret once the user's password and a code from it are right; refused when
    expired, or when the user already has a factor (replacing one is an administrator's reset). The
    password keeps someone holding only a stolen session from locking the owner out with their own
    authenticator."""
    secret, expires = _open_pending(keys, by, pending)
    user = session.get(User, by.user_id)
    try:
        _hasher.verify(user.password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        locked = _count_failure(user, utcnow(), settings or LoginSettings())  # as a wrong password at sign-in
        audit.append(session, keys.audit_key, by.username, "user.totp_enrol_failed", "user", by.username,
                     {"client": client[:64], "reason": "wrong password; account locked" if locked else "wrong password"})
        raise ValidationError(Problem("password", "that is not your password")) from None
    if by.role in SECOND_FACTOR_ROLES:
        raise ValidationError(Problem("second_factor", "an administrator's second factor is issued by another administrator"))
    if user.totp_secret_sealed is not None:
        raise ValidationError(Problem("second_factor", "you already have a second factor; an administrator can reset it"))
    if utcnow().timestamp() > expires:
        raise ValidationError(Problem("pending", "this enrolment expired; start again"))
    _settings(session, user).totp_last_step = None
    if not _verify_code(session, user, secret, code):
        audit.append(session, keys.audit_key, by.username, "user.totp_enrol_failed", "user", by.username,
                     {"client": client[:64]})
        raise ValidationError(Problem("code", "that code is not valid; enter the current 6-digit code"))
    user.totp_secret_sealed = keys.fields.seal(secret, _totp_context(user))
    audit.append(session, keys.audit_key, by.username, "user.totp_enrolled", "user", by.username, {"how": "self"})


def confirm_enrolment(session: Session, keys: KeyRing, user_id: int, code: str, client: str) -> bool:
    return check_second_factor(session, keys, user_id, code, client)


def totp_uri(username: str, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def set_password(session: Session, keys: KeyRing, by: Actor, username: str, password: str) -> None:
    """Set a password: one's own, or anyone's for those allowed to manage users."""
    if by.username != username:
        require(by, "user.manage")
    if len(password) < 10:
        raise ValidationError(Problem("password", "must be at least 10 characters"))
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise ValidationError(Problem("username", Message("%(username)s does not exist", username=repr(username))))
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.append(session, keys.audit_key, by.username, "user.password_set", "user", username)


def pending_secret(session: Session, keys: KeyRing, user_id: int) -> str:
    """The stored secret of a user, or a new one issued by the system (demo accounts only: the
    demo prints its synthetic administrator's key)."""
    user = session.get(User, user_id)
    if user.totp_secret_sealed is not None:
        return keys.fields.unseal_text(user.totp_secret_sealed, _totp_context(user))
    return enrol_second_factor(session, keys, user_id)
