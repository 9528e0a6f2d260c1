"""Who may see and act on which case: the scope rules of the officer API, decided from the caller's roles
and service areas. The authorizer proves a token is staff's; these rules decide the rest."""

from __future__ import annotations

from shared.domain.casefile import Case
from shared.domain.casefile.catalogue import possible_actions as actions_for
from shared.domain.stages import Actor, Status
from shared.identity import Caller

#: Roles that act on cases, most senior first: the actor chosen for an action is the first of the
#: caller's roles that may take it.
CASE_ROLES: tuple[Actor, ...] = (
    Actor.COMPLAINTS_OFFICER,
    Actor.SENIOR_LEADERSHIP,
    Actor.SERVICE_MANAGER,
    Actor.INVESTIGATOR,
)


def works_on_cases(caller: Caller) -> bool:
    """Admins manage policy and users, not cases."""
    return caller.has_any(*CASE_ROLES)


def may_see(caller: Caller, case: Case) -> bool:
    """Complaints officers and senior leadership see every case; a service manager the cases of their
    own service areas; an investigator the case they are appointed to, while it is at stage 2. Nobody
    sees a complaint about themselves."""
    if caller.username in case.about_staff:
        return False
    if caller.sees_area(case.service_area):
        return True
    return (
        Actor.INVESTIGATOR in caller.roles
        and caller.username == case.investigator_user
        and case.status is Status.STAGE2
    )


def acting_as(caller: Caller, case: Case, action: str) -> Actor:
    """The role the caller acts in: the first of theirs, most senior first, that may take ``action``
    now, else their most senior (so a refusal names what they may do)."""
    roles = [role for role in CASE_ROLES if role in caller.roles]
    for role in roles:
        if action in actions_for(case, role, caller.username):
            return role
    return roles[0]


def possible_actions(caller: Caller, case: Case) -> tuple[str, ...]:
    """Every action the caller may take on the case now, in any of their roles."""
    found = {
        a for role in CASE_ROLES if role in caller.roles for a in actions_for(case, role, caller.username)
    }
    return tuple(sorted(found))


def manages_people(caller: Caller) -> bool:
    """The register of investigators, independent persons and panel members is kept by complaints
    officers and admins."""
    return caller.has_any(Actor.COMPLAINTS_OFFICER, Actor.ADMIN)
