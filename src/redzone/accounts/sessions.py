"""Server-side sessions: the browser holds only a random id; the table holds its SHA-256, the
user, the stage of sign-in and the CSRF token of that session.

Threat: session fixation (an id planted before sign-in), stolen or replayed cookies, forged
cross-site requests. Mechanism: a new id is issued at each sign-in step (an id is never promoted
in place), ids expire after `idle` inactivity and `lifetime` in total, and each session has its own
CSRF token that every state-changing request must echo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.accounts.preferences import LANGUAGES
from redzone.records.models import User, UserSetting, WebSession, utcnow
from redzone.security.policy import Actor

IDLE = dt.timedelta(minutes=60)
LIFETIME = dt.timedelta(hours=10)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class SessionInfo:
    session_id: str | None      # only set when the session was just created (to put in the cookie)
    user_id: int
    stage: str
    csrf_token: str
    actor: Actor
    language: str | None = None  # the user's interface language, when found with the session


def start_session(session: Session, user_id: int, stage: str = "full", replaces: str | None = None) -> SessionInfo:
    """A fresh session id for this user; the one it replaces (if any) is ended, so an id known
    before sign-in is worthless after it."""
    if replaces:
        end_session(session, replaces)
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(id_hash=_hash(session_id), user_id=user_id, stage=stage, csrf_token=secrets.token_urlsafe(32),
                     created_at=now, last_seen_at=now, expires_at=now + LIFETIME)
    session.add(row)
    session.flush()
    user = session.get(User, user_id)
    return SessionInfo(session_id, user_id, stage, row.csrf_token,
                       Actor(user.username, user.role, user.id, user.active))


def promote_session(session: Session, old_session_id: str) -> SessionInfo | None:
    """After the second factor: end the partial session and start a full one (a new id)."""
    row = session.get(WebSession, _hash(old_session_id))
    if row is None:
        return None
    return start_session(session, row.user_id, "full", replaces=old_session_id)


# The session, who its user is and the user's language in one statement: this runs on every request
# (and reads no password hash or second-factor key). Built once: building it and its cache key cost
# more CPU than running it on SQLite; columns, not a WebSession object, for the same reason.
_FIND_SESSION = (sa.select(WebSession.stage, WebSession.csrf_token, WebSession.last_seen_at, WebSession.expires_at,
                           User.id, User.username, User.role, User.active, UserSetting.language)
                 .select_from(WebSession)
                 .outerjoin(User, User.id == WebSession.user_id)
                 .outerjoin(UserSetting, UserSetting.user_id == WebSession.user_id)
                 .where(WebSession.id_hash == sa.bindparam("id_hash")))


def find_session(session: Session, session_id: str | None, touch: bool = True) -> SessionInfo | None:
    if not session_id or len(session_id) > 100:
        return None
    id_hash = _hash(session_id)
    found = session.execute(_FIND_SESSION, {"id_hash": id_hash}).first()
    if found is None:
        return None
    stage, csrf_token, last_seen_at, expires_at, user_id, username, role, active, language = found
    now = utcnow()
    if _aware(expires_at) <= now or _aware(last_seen_at) + IDLE <= now or user_id is None or not active:
        session.execute(sa.delete(WebSession).where(WebSession.id_hash == id_hash))
        return None
    if touch and now - _aware(last_seen_at) > dt.timedelta(seconds=60):  # one write a minute at most
        session.execute(sa.update(WebSession).where(WebSession.id_hash == id_hash).values(last_seen_at=now))
    return SessionInfo(None, user_id, stage, csrf_token, Actor(username, role, user_id, active),
                       language if language in LANGUAGES else "en")


def end_session(session: Session, session_id: str) -> None:
    session.execute(sa.delete(WebSession).where(WebSession.id_hash == _hash(session_id)))
