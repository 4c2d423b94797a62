"""Who may do what: every permission decision in Redzone is made here, and only here.

Threat: an insider using a role beyond its purpose (an analyst reading survivors' names), and
pages or commands that forget to check. Views, routes and commands name an *action*; this module
decides. Tests generate every role × action case from `ROLE_ACTIONS`.

Order in which rules apply, for `allowed(actor, action, resource)`:
1. an inactive or unknown role is refused everything;
2. the action must be in the role's table below;
3. for a scoped action the role's *scope* decides on the resource: `all`, `own` (records the
   actor created), or `granted` (an explicit AccessGrant for that person); without a resource, a
   scoped role is refused (there is nothing to check the scope against). Scoped actions:
   `person.view_sealed` and `person.edit_sealed` on a `PersonResource` (SEALED_SCOPE), and
   `source.view_text` on a `SourceResource` (TEXT_SCOPE): a source is in an `own` scope when the
   actor recorded it or its interviewee is a person in that scope, in a `granted` scope when its
   interviewee is granted to the actor.
`holds(actor, action)` answers only step 2 (the role may do it to something), for menus and for
narrowing a query before each record is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from redzone.errors import PermissionDenied

ROLES = ("interviewer", "documentation_officer", "legal_analyst", "data_analyst", "administrator", "public")

ACTIONS = {
    "source.view": "see sources and their metadata",
    "source.view_text": "read the text of a testimony",
    "source.create": "record a source",
    "source.edit": "edit a source",
    "person.view": "see pseudonymised person records",
    "person.create": "record a person",
    "person.edit": "edit a person's analysable fields",
    "person.view_sealed": "see a person's sealed identity (legal name, Hangul name, aliases, contact, whereabouts)",
    "person.edit_sealed": "change a person's sealed identity",
    "act.view": "see acts, events and perpetrators",
    "act.create": "code acts from a source",
    "act.edit": "edit or delete acts",
    "claim.view": "see the claims ledger",
    "claim.create": "record a claim",
    "claim.edit": "correct or delete a claim",
    "extract.review": "accept or reject the facts proposed from a source's text",
    "evidence.view": "see evidence metadata and custody",
    "evidence.add": "add an evidence file",
    "evidence.open": "decrypt and open an evidence file",
    "elements.view": "see the legal-element analysis",
    "elements.record": "record a situation- or group-level legal element (context of crimes against humanity)",
    "link.run": "run record linkage",
    "link.review": "accept, reject, merge or split linked records",
    "estimate.run": "run multiple systems estimation",
    "stats.view": "see aggregate statistics (suppressed)",
    "stats.view_unsuppressed": "see aggregate statistics without small-cell suppression",
    "export.pseudonymised": "export records without sealed fields",
    "export.identities": "export records with sealed identities (encrypted to a recipient)",
    "import.run": "import records from files",
    "audit.view": "read the audit log",
    "audit.verify": "verify the audit chain",
    "user.manage": "create users, change roles, reset credentials",
    "grant.manage": "grant a user access to a person's identity",
    "vocab.manage": "extend and translate the vocabulary",
    "backup.run": "back up and restore the workspace",
    "demo.generate": "fill a workspace with synthetic demo data",
}

Scope = Literal["all", "own", "granted"]

_READ_PSEUDONYMISED = {"source.view", "person.view", "act.view", "claim.view", "evidence.view",
                       "elements.view", "stats.view"}

ROLE_ACTIONS: dict[str, set[str]] = {
    "interviewer": _READ_PSEUDONYMISED | {
        "source.view_text", "source.create", "source.edit", "person.create", "person.edit",
        "person.view_sealed", "person.edit_sealed", "act.create", "act.edit", "claim.create", "claim.edit",
        "extract.review", "evidence.add", "evidence.open", "export.pseudonymised", "export.identities",
        "import.run"},
    "documentation_officer": _READ_PSEUDONYMISED | {
        "source.view_text", "source.create", "source.edit", "person.create", "person.edit",
        "person.view_sealed", "act.create", "act.edit", "claim.create", "claim.edit", "extract.review",
        "evidence.add", "evidence.open", "link.run", "link.review", "export.pseudonymised", "export.identities",
        "import.run"},
    "legal_analyst": _READ_PSEUDONYMISED | {"source.view_text", "evidence.open", "elements.record",
                                            "export.pseudonymised"},
    "data_analyst": _READ_PSEUDONYMISED | {"link.run", "link.review", "estimate.run", "export.pseudonymised"},
    "administrator": {"source.view", "person.view", "act.view", "claim.view", "evidence.view", "stats.view",
                      "audit.view", "audit.verify", "user.manage", "grant.manage", "vocab.manage",
                      "backup.run", "demo.generate", "import.run", "export.pseudonymised"},
    "public": {"stats.view"},
}

SEALED_SCOPE: dict[str, Scope] = {"interviewer": "own", "documentation_officer": "granted"}
# The brief gives an interviewer "their own cases": the words of other interviewers' testimonies too.
TEXT_SCOPE: dict[str, Scope] = {"interviewer": "own"}
SCOPES: dict[str, dict[str, Scope]] = {"person.view_sealed": SEALED_SCOPE, "person.edit_sealed": SEALED_SCOPE,
                                       "source.view_text": TEXT_SCOPE}


@dataclass(frozen=True)
class Actor:
    """Whoever acts: a user of the web application, a script's token, or the command line."""

    username: str
    role: str
    user_id: int | None = None
    active: bool = True


@dataclass(frozen=True)
class PersonResource:
    """What the policy needs to know about a person record to decide on its sealed identity."""

    person_id: int
    created_by: str
    granted_to_actor: bool = False


@dataclass(frozen=True)
class SourceResource:
    """What the policy needs to know about a source to decide on reading its text: who recorded it,
    and the person interviewed, if any."""

    source_id: int
    created_by: str
    interviewee: PersonResource | None = None


Resource = PersonResource | SourceResource


def holds(actor: Actor, action: str) -> bool:
    """The role may do `action` to at least some records (its scope, if any, decides which)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return actor.active and action in ROLE_ACTIONS.get(actor.role, ())


def scope_of(actor: Actor, action: str) -> Scope | None:
    """How far a held action reaches for this actor (`all` for unscoped actions), None if not held."""
    if not holds(actor, action):
        return None
    return SCOPES.get(action, {}).get(actor.role, "all")


def _person_in_scope(actor: Actor, scope: Scope, person: PersonResource) -> bool:
    if scope == "own":
        return person.created_by == actor.username or person.granted_to_actor
    return person.granted_to_actor


def allowed(actor: Actor, action: str, resource: Resource | None = None) -> bool:
    scope = scope_of(actor, action)
    if scope is None:
        return False
    if scope == "all":
        return True
    if resource is None:
        return False
    expected = SourceResource if action == "source.view_text" else PersonResource
    if not isinstance(resource, expected):
        raise TypeError(f"{action} is decided on a {expected.__name__}, not a {type(resource).__name__}")
    if isinstance(resource, SourceResource):
        if scope == "own" and resource.created_by == actor.username:
            return True
        return resource.interviewee is not None and _person_in_scope(actor, scope, resource.interviewee)
    return _person_in_scope(actor, scope, resource)


def require(actor: Actor, action: str, resource: Resource | None = None) -> None:
    if not allowed(actor, action, resource):
        raise PermissionDenied(actor.username, ACTIONS.get(action, action))
