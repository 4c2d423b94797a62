"""Sealed identities: sealing a person's identifying fields, and revealing them only through the
policy, with an audit entry for every read."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from redzone.errors import NotFound, PermissionDenied
from redzone.messages import Message
from redzone.records.models import AccessGrant, Person
from redzone.security import audit
from redzone.security.keys import KeyRing, Sealer
from redzone.security.policy import ACTIONS, Actor, PersonResource, allowed
from redzone.store.engine import Store

SEALED_FIELDS = ("legal_name", "hangul_name", "aliases", "contact", "whereabouts")


@dataclass(frozen=True)
class Identity:
    """What identifies a person and is therefore never stored, logged or shown in the clear."""

    legal_name: str | None = None
    hangul_name: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    contact: str | None = None
    whereabouts: str | None = None

    def is_empty(self) -> bool:
        return not any((self.legal_name, self.hangul_name, self.aliases, self.contact, self.whereabouts))

    def __repr__(self) -> str:  # never let a sealed value reach a log through repr()
        return "Identity(<sealed>)"


def identity_context(person_code: str) -> str:
    return f"person/{person_code}/identity"


def seal_identity(sealer: Sealer, person_code: str, identity: Identity) -> bytes | None:
    if identity.is_empty():
        return None
    payload = asdict(identity)
    payload["aliases"] = list(identity.aliases)
    return sealer.seal(json.dumps(payload, ensure_ascii=False), identity_context(person_code))


def unseal_identity(sealer: Sealer, person_code: str, blob: bytes | None) -> Identity:
    if not blob:
        return Identity()
    data = json.loads(sealer.unseal_text(blob, identity_context(person_code)))
    return Identity(**{**data, "aliases": tuple(data.get("aliases") or ())})


def person_resource(session: Session, actor: Actor, person: Person) -> PersonResource:
    granted = actor.user_id is not None and session.query(AccessGrant).filter_by(
        user_id=actor.user_id, person_id=person.id).first() is not None
    return PersonResource(person_id=person.id, created_by=person.created_by, granted_to_actor=granted)


def reveal_identity(store: Store, keys: KeyRing, actor: Actor, person_code: str, purpose: str = "") -> Identity:
    """Return a person's identity if the policy allows it. The read is audited; so is a refusal,
    in a transaction of its own so that it outlives the refused one."""
    with store.session() as session:
        person = session.scalars(sa.select(Person).where(Person.code == person_code)).one_or_none()
        if person is None:
            raise NotFound(Message("no person with code %(person_code)s", person_code=repr(person_code)))
        if allowed(actor, "person.view_sealed", person_resource(session, actor, person)):
            audit.append(session, keys.audit_key, actor.username, "person.view_sealed", "person", person.code,
                         {"fields": list(SEALED_FIELDS), "purpose": purpose})
            return unseal_identity(keys.fields, person.code, person.identity_sealed)
    with store.session() as session:
        audit.append(session, keys.audit_key, actor.username, "person.view_sealed.denied", "person", person_code)
    raise PermissionDenied(actor.username, ACTIONS["person.view_sealed"])
