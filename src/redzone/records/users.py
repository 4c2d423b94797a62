"""Accounts: creating users with a role, changing roles, disabling accounts, granting access to a
person's identity, and resolving who is acting. Every change is audited."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from redzone.errors import NotFound, Problem, ValidationError
from redzone.messages import Message
from redzone.records.models import AccessGrant, Person, User
from redzone.security import audit
from redzone.security.keys import KeyRing
from redzone.security.policy import ROLES, Actor, require

SYSTEM = Actor(username="system", role="administrator")
_hasher = PasswordHasher()  # argon2id with the library's current recommended cost


def create_user(session: Session, keys: KeyRing, by: Actor, username: str, role: str,
                password: str | None = None, display_name: str = "", organisation_id: str | None = None) -> User:
    problems = []
    if role not in ROLES:
        problems.append(Problem("role", Message("unknown role %(role)s; expected one of %(items)s",
                                                role=repr(role), items=', '.join(ROLES))))
    if not username or len(username) > 80 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        problems.append(Problem("username", "use 1–80 letters, digits, '-', '_' or '.'"))
    if password is not None and len(password) < 10:
        problems.append(Problem("password", "must be at least 10 characters"))
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        problems.append(Problem("username", Message("%(username)s already exists", username=repr(username))))
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
        raise NotFound(Message("user %(username)s does not exist in this workspace", username=repr(username)))
    return Actor(username=user.username, role=user.role, user_id=user.id, active=user.active)


def _user(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise ValidationError(Problem("username", Message("%(username)s does not exist", username=repr(username))))
    return user


def list_users(session: Session, by: Actor) -> list[User]:
    require(by, "user.manage")
    return list(session.scalars(sa.select(User).order_by(User.username)))


def change_role(session: Session, keys: KeyRing, by: Actor, username: str, role: str) -> User:
    require(by, "user.manage")
    if role not in ROLES:
        raise ValidationError(Problem("role", Message("unknown role %(role)s; expected one of %(items)s",
                                                      role=repr(role), items=', '.join(ROLES))))
    user = _user(session, username)
    previous, user.role = user.role, role
    audit.append(session, keys.audit_key, by.username, "user.role", "user", username, {"from": previous, "to": role})
    return user


def set_active(session: Session, keys: KeyRing, by: Actor, username: str, active: bool) -> User:
    """Disable an account (it keeps its history and can no longer act or sign in) or enable it again."""
    require(by, "user.manage")
    user = _user(session, username)
    if not active and username == by.username:
        raise ValidationError(Problem("username", "an administrator cannot disable their own account"))
    user.active = active
    audit.append(session, keys.audit_key, by.username, "user.enable" if active else "user.disable", "user", username)
    return user


def grant_access(session: Session, keys: KeyRing, by: Actor, username: str, person_code: str) -> AccessGrant:
    """Let one user see one person's sealed identity (the scope of documentation officers)."""
    require(by, "grant.manage")
    user = _user(session, username)
    person_id = session.scalar(sa.select(Person.id).where(Person.code == person_code))
    if person_id is None:
        raise ValidationError(Problem("person", Message("no person with code %(person_code)s",
                                                        person_code=repr(person_code))))
    grant = session.scalar(sa.select(AccessGrant).where(AccessGrant.user_id == user.id,
                                                        AccessGrant.person_id == person_id))
    if grant is None:
        grant = AccessGrant(user_id=user.id, person_id=person_id, granted_by=by.username)
        session.add(grant)
        session.flush()
        audit.append(session, keys.audit_key, by.username, "grant.create", "person", person_code, {"user": username})
    return grant


def revoke_access(session: Session, keys: KeyRing, by: Actor, username: str, person_code: str) -> bool:
    """Withdraw a grant; returns whether there was one."""
    require(by, "grant.manage")
    user = _user(session, username)
    person_id = session.scalar(sa.select(Person.id).where(Person.code == person_code))
    grant = session.scalar(sa.select(AccessGrant).where(AccessGrant.user_id == user.id,
                                                        AccessGrant.person_id == person_id))
    if grant is None:
        return False
    session.delete(grant)
    audit.append(session, keys.audit_key, by.username, "grant.revoke", "person", person_code, {"user": username})
    return True
