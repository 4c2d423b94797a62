"""Who may write what by importing: the same decisions as recording or editing by hand (records/entry.py,
records/corrections.py), asked of the policy once per import and per batch, not once per row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from redzone.exchange.validation import ParsedRow
from redzone.records.identity import SEALED_FIELDS
from redzone.records.models import AccessGrant, Person, Source
from redzone.records.text_scope import readable_source_ids
from redzone.security.policy import ACTIONS, Actor, PersonResource, allowed
from redzone.store.bulk import lookup


class Refused(Exception):
    """Rows of a batch the actor may not write: (position in the batch, column, message); none was written."""

    def __init__(self, refusals: list[tuple[int, str, str]]) -> None:
        super().__init__(f"{len(refusals)} rows refused")
        self.refusals = refusals


# The action editing a record of each type by hand needs (records/entry.py, records/corrections.py).
EDIT_ACTIONS = {"groups": "act.edit", "events": "act.edit", "persons": "person.edit", "sources": "source.edit",
                "acts": "act.edit"}
# The action creating one by hand needs (add_group, add_event, add_person, add_source, add_act).
CREATE_ACTIONS = {"groups": "act.create", "events": "act.create", "persons": "person.create",
                  "sources": "source.create", "acts": "act.create"}


class EditPermissions:
    """May the actor create, by importing a row, a new record, or change the record its ref already maps
    to? The same decisions as recording or editing by hand, asked of the policy once per import for each
    action, and for sealed identities of existing persons once per person, with one query per batch for
    the persons' creators and the actor's grants.

    Creating needs the type's create action (`CREATE_ACTIONS`); a new person with an identity, what the
    testimony form asks for one (`person.edit_sealed` on a person the actor records); a new person with
    a journey, `person.edit` as well (adding journey steps by hand). An actor who may do all of it (the
    usual case) costs nothing per row.

    Decided whether or not the row would change anything: a row carrying sealed columns (a person's
    identity, a source's text) needs the permission to change them even when it matches what is stored,
    or the answer `unchanged` / `updated` would tell a role that may not see them whether a guess is right.
    """

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session, self.actor = session, actor
        self.may = {action: allowed(actor, action) for action in {*EDIT_ACTIONS.values(), *CREATE_ACTIONS.values()}}
        # Whether any person's sealed identity could be editable to this actor (own or granted scope).
        self.may_seal_some = allowed(actor, "person.edit_sealed", PersonResource(0, actor.username, True))
        # Whether the actor may record the identity of a person they create (the testimony form's rule).
        self.may_seal_new = allowed(actor, "person.edit_sealed", PersonResource(0, actor.username))
        self.creates_all = {record_type: self.may[action] and (
            record_type != "persons" or self.may_seal_new and self.may["person.edit"])
            for record_type, action in CREATE_ACTIONS.items()}

    def creates_every_new_person(self, identities_given: bool) -> bool:
        """Whether no new person without a journey can be refused (`creation_refusals`), given whether
        some of them carry a sealed identity."""
        return self.creates_all["persons"] or self.may[CREATE_ACTIONS["persons"]] and (
            self.may_seal_new or not identities_given)

    def creation_refusals(self, record_type: str, rows: list[tuple[int, ParsedRow]]) -> list[tuple[int, str, str]]:
        """For (position, row) of rows that would create a record: (position, column, message) of each
        row refused."""
        if self.creates_all[record_type]:
            return []
        action, singular = CREATE_ACTIONS[record_type], record_type[:-1]
        if not self.may[action]:
            return [(position, "ref", f"would create a new {singular}: your role may not {ACTIONS[action]}")
                    for position, _ in rows]
        refused = []
        for position, row in rows:  # persons: the create action is held, the identity or the journey is not
            values = row.values
            sealed = next((name for name in SEALED_FIELDS if values.get(name)), None)
            if sealed is not None and not self.may_seal_new:
                refused.append((position, sealed, "would record a sealed identity for a new person: your role may "
                                                  "not record one (leave the identity columns out)"))
            elif values.get("event_refs") and not self.may["person.edit"]:
                refused.append((position, "event_refs", "would record a journey for a new person: your role may "
                                                        f"not {ACTIONS['person.edit']}"))
        return refused

    def refusals(self, record_type: str, rows: list[tuple[int, ParsedRow, int, bool]]) -> list[tuple[int, str, str]]:
        """For (position, row, record id, changed) of rows mapped to existing records: (position, column,
        message) of each row refused."""
        action = EDIT_ACTIONS[record_type]
        singular = record_type[:-1]
        refused: list[tuple[int, str, str]] = []
        sealed_rows, text_rows = [], []
        for position, row, record_id, changed in rows:
            if record_type == "persons":
                sealed = next((name for name in row.values if name in SEALED_FIELDS), None)
                if sealed is not None:
                    sealed_rows.append((position, sealed, record_id))
                    continue
            elif record_type == "sources" and "text" in row.values:
                if not self.may[action]:
                    refused.append((position, "text", f"carries the text of an existing {singular}: your role "
                                                      f"may not {ACTIONS[action]}"))
                else:
                    text_rows.append((position, record_id))
                continue
            if changed and not self.may[action]:
                refused.append((position, "ref", f"changes an existing {singular}: your role may not "
                                                 f"{ACTIONS[action]}"))
        if sealed_rows:
            refused += self._sealed_refusals(sealed_rows)
        if text_rows:  # the text is sealed too: changing it, or matching it, needs the right to read it
            readable = readable_source_ids(self.session, self.actor, Source.id.in_([i for _, i in text_rows]))
            refused += [(position, "text", "carries the text of an existing source whose text your role may not "
                                           "read (leave the text column out to update the rest)")
                        for position, record_id in text_rows if readable is not None and record_id not in readable]
        return sorted(refused)

    def _sealed_refusals(self, rows: list[tuple[int, str, int]]) -> list[tuple[int, str, str]]:
        message = ("carries an identity column for an existing person: your role may not "
                   f"{ACTIONS['person.edit_sealed']} of this person "
                   "(leave the identity columns out to update the rest)")
        if not (self.may["person.edit"] and self.may_seal_some):
            return [(position, column, message) for position, column, _ in rows]
        ids = [record_id for _, _, record_id in rows]
        creators = dict(lookup(self.session, [Person.id, Person.created_by], Person.id, ids))
        granted: set[int] = set()
        if self.actor.user_id is not None:
            granted = {person_id for person_id, in lookup(self.session, [AccessGrant.person_id], AccessGrant.person_id,
                                                           ids, {AccessGrant.user_id: self.actor.user_id})}
        return [(position, column, message) for position, column, record_id in rows
                if not allowed(self.actor, "person.edit_sealed",
                               PersonResource(record_id, creators.get(record_id, ""), record_id in granted))]
