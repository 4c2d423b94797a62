"""Accounts: creating users with a role, and resolving who is acting."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from redzone.errors import NotFound, Problem, ValidationError
from redzone.records.models import User
from redzone.security import audit
from redzone.security.keys import KeyRing
from redzone.security.policy import ROLES, Actor

SYSTEM = Actor(username="system", role="administrator")
_hasher = PasswordHasher()  # argon2id with the library's current recommended cost


def create_user(session: Session, keys: KeyRing, by: Actor, username: str, role: str,
                password: str | None = None, display_name: str = "", organisation_id: str | None = None) -> User:
    problems = []
    if role not in ROLES:
        problems.append(Problem("role", f"unknown role {role!r}; expected one of {', '.join(ROLES)}"))
    if not username or len(username) > 80 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        problems.append(Problem("username", "use 1–80 letters, digits, '-', '_' or '.'"))
    if password is not None and len(password) < 10:
        problems.append(Problem("password", "must be at least 10 characters"))
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        problems.append(Problem("username", f"{username!r} already exists"))
    if problems:
        raise ValidationError(problems)
    user = User(username=username, role=role, display_name=display_name, organisation_id=organisation_id,
                password_hash=_hasher.hash(password) if password else None)
    session.add(user)
    session.flush()
    audit.append(session, keys.audit_key, by.username, "user.create", "user", username, {"role": role})
    return user


def actor_for(session: Session, username: str) -> Actor:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user {username!r} does not exist in this workspace")
    return Actor(username=user.username, role=user.role, user_id=user.id, active=user.active)
