"""The role × action table, generated from the policy itself and checked against the brief."""

import pytest

from redzone.errors import PermissionDenied
from redzone.security.policy import (ACTIONS, ROLE_ACTIONS, ROLES, Actor, PersonResource, SourceResource, allowed, holds,
                                     require)

# What the brief (§2) says each role may see, independently of the table in policy.py.
NEVER = {
    "data_analyst": {"person.view_sealed", "export.identities", "source.view_text"},
    "legal_analyst": {"person.view_sealed", "export.identities"},
    "administrator": {"person.view_sealed", "source.view_text", "evidence.open"},
    "public": set(ACTIONS) - {"stats.view"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_role_and_action_is_decided_by_the_table(role, action):
    actor = Actor("someone", role)
    person = PersonResource(person_id=1, created_by="someone", granted_to_actor=True)
    resource = SourceResource(1, created_by="someone", interviewee=person) if action == "source.view_text" else person
    expected = action in ROLE_ACTIONS[role]
    assert allowed(actor, action, resource) is expected
    if action in NEVER.get(role, set()):
        assert not allowed(actor, action, resource)


def test_interviewer_sees_identities_of_own_cases_only():
    actor = Actor("ana", "interviewer")
    assert allowed(actor, "person.view_sealed", PersonResource(1, created_by="ana"))
    assert not allowed(actor, "person.view_sealed", PersonResource(1, created_by="bo"))
    assert not allowed(actor, "person.view_sealed")


def test_interviewer_reads_the_texts_of_own_cases_only():
    """Recorded the source, or recorded or was granted its interviewee; nothing else, and nothing
    without the source to decide on. Other roles that read texts read them all."""
    ana = Actor("ana", "interviewer")
    theirs = PersonResource(2, created_by="bo")
    assert allowed(ana, "source.view_text", SourceResource(1, created_by="ana"))
    assert allowed(ana, "source.view_text", SourceResource(1, created_by="bo", interviewee=PersonResource(2, "ana")))
    assert allowed(ana, "source.view_text", SourceResource(1, created_by="bo", interviewee=PersonResource(
        2, "bo", granted_to_actor=True)))
    assert not allowed(ana, "source.view_text", SourceResource(1, created_by="bo", interviewee=theirs))
    assert not allowed(ana, "source.view_text", SourceResource(1, created_by="bo"))
    assert not allowed(ana, "source.view_text")
    assert holds(ana, "source.view_text")
    for role in ("documentation_officer", "legal_analyst"):
        assert allowed(Actor("x", role), "source.view_text", SourceResource(1, created_by="bo", interviewee=theirs))
        assert allowed(Actor("x", role), "source.view_text")
    assert not holds(Actor("x", "data_analyst"), "source.view_text")
    with pytest.raises(TypeError):
        allowed(ana, "source.view_text", theirs)  # a person is not a source: a programming error


def test_documentation_officer_needs_an_explicit_grant():
    actor = Actor("dee", "documentation_officer")
    assert not allowed(actor, "person.view_sealed", PersonResource(1, created_by="dee"))
    assert allowed(actor, "person.view_sealed", PersonResource(1, created_by="x", granted_to_actor=True))


def test_inactive_or_unknown_roles_get_nothing():
    assert not allowed(Actor("x", "interviewer", active=False), "source.view")
    assert not allowed(Actor("x", "superuser"), "source.view")


def test_require_names_the_actor_and_action():
    with pytest.raises(PermissionDenied, match="pat may not read the audit log"):
        require(Actor("pat", "data_analyst"), "audit.view")


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        allowed(Actor("x", "administrator"), "nonsense.do")
