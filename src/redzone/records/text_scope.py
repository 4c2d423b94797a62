"""Who may read which testimony text: the facts `security.policy` decides `source.view_text` on
(a `SourceResource`: who recorded the source, and its interviewee as a `PersonResource`), gathered
for one source or for many at once. The decision itself is the policy's."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from redzone.records.models import AccessGrant, Person, Source
from redzone.security.policy import Actor, PersonResource, SourceResource, allowed, scope_of

ACTION = "source.view_text"


def _granted(session: Session, actor: Actor) -> set[int]:
    if actor.user_id is None:
        return set()
    return set(session.scalars(sa.select(AccessGrant.person_id).where(AccessGrant.user_id == actor.user_id)))


def source_resources(session: Session, actor: Actor, where: sa.ColumnElement[bool]) -> dict[int, SourceResource]:
    """The policy's view of every source matching `where`, by source id (two queries)."""
    granted = _granted(session, actor)
    interviewee = aliased(Person)
    rows = session.execute(sa.select(Source.id, Source.created_by, Source.interviewee_id, interviewee.created_by)
                           .outerjoin(interviewee, interviewee.id == Source.interviewee_id).where(where))
    return {source_id: SourceResource(source_id, created_by, None if person_id is None else PersonResource(
                person_id, person_created_by, granted_to_actor=person_id in granted))
            for source_id, created_by, person_id, person_created_by in rows}


def readable_source_ids(session: Session, actor: Actor, where: sa.ColumnElement[bool]) -> set[int] | None:
    """Ids of the sources matching `where` whose text `actor` may read; None when that is all of
    them (the role's scope is not limited), an empty set when the role reads no text."""
    scope = scope_of(actor, ACTION)
    if scope is None:
        return set()
    if scope == "all":
        return None
    return {source_id for source_id, resource in source_resources(session, actor, where).items()
            if allowed(actor, ACTION, resource)}


def may_read_text(session: Session, actor: Actor, source: Source) -> bool:
    """The policy's answer for one source, remembered for the rest of the transaction."""
    scope = scope_of(actor, ACTION)
    if scope in (None, "all"):
        return scope == "all"
    known = session.info.setdefault("redzone.text_allowed", {})
    key = (actor.username, source.id)
    if key not in known:
        resources = source_resources(session, actor, Source.id == source.id)
        known[key] = source.id in resources and allowed(actor, ACTION, resources[source.id])
    return known[key]


def readable_of(session: Session, actor: Actor, sources: Iterable[Source]) -> set[int]:
    """Ids of the given sources whose text `actor` may read."""
    ids = {source.id for source in sources}
    readable = readable_source_ids(session, actor, Source.id.in_(ids)) if ids else set()
    return ids if readable is None else readable
