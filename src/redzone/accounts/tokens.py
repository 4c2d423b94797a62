"""API tokens for scripts: `Authorization: Bearer rzt_…`. The token is shown once at creation;
the table keeps its SHA-256 and a short prefix to tell tokens apart. A token acts as its user,
under the same policy and audit as the user's pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound, Problem, ValidationError
from redzone.messages import Message
from redzone.records.models import ApiToken, User, utcnow
from redzone.security import audit
from redzone.security.keys import KeyRing
from redzone.security.policy import Actor

PREFIX = "rzt_"


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked: bool


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.prefix, row.created_at, row.expires_at, row.last_used_at,
                     row.revoked_at is not None)


def create_token(session: Session, keys: KeyRing, username: str, name: str, days: int | None = 90) -> tuple[str, TokenInfo]:
    problems = []
    name = (name or "").strip()
    if not name or len(name) > 80:
        problems.append(Problem("name", "give the token a name of 1–80 characters"))
    if days is not None and not 1 <= days <= 3650:
        problems.append(Problem("days", "must be between 1 and 3650"))
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        problems.append(Problem("username", Message("%(username)s does not exist", username=repr(username))))
    if problems:
        raise ValidationError(problems)
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, prefix=token[:12], token_hash=_digest(token),
                   expires_at=utcnow() + dt.timedelta(days=days) if days else None)
    session.add(row)
    session.flush()
    audit.append(session, keys.audit_key, username, "token.create", "api_token", str(row.id), {"name": name})
    return token, _info(row)


def verify_token(session: Session, token: str) -> Actor | None:
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    expires = row.expires_at
    if expires is not None and (expires if expires.tzinfo else expires.replace(tzinfo=dt.timezone.utc)) <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    last = row.last_used_at
    if last is None or now - (last if last.tzinfo else last.replace(tzinfo=dt.timezone.utc)) > dt.timedelta(minutes=5):
        row.last_used_at = now
    return Actor(user.username, user.role, user.id, user.active)


def list_tokens(session: Session, username: str) -> list[TokenInfo]:
    rows = session.scalars(sa.select(ApiToken).join(User, User.id == ApiToken.user_id)
                           .where(User.username == username).order_by(ApiToken.id))
    return [_info(row) for row in rows]


def revoke_token(session: Session, keys: KeyRing, username: str, token_id: int) -> None:
    row = session.scalar(sa.select(ApiToken).join(User, User.id == ApiToken.user_id)
                         .where(User.username == username, ApiToken.id == token_id))
    if row is None:
        raise NotFound(Message("no token %(token_id)s for %(username)s", token_id=token_id, username=username))
    row.revoked_at = utcnow()
    audit.append(session, keys.audit_key, username, "token.revoke", "api_token", str(token_id))
