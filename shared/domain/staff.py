"""Members of staff as the domain judges them: who they are in the staff user pool (their roles and
service areas), and which cases that lets them work on. The officer API's callers are members of staff
(:class:`shared.identity.Caller`); so are the people an action names, such as the manager a case is
allocated to, looked up through the staff directory (:class:`shared.ports.StaffDirectory`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.domain.stages import Actor


@dataclass(frozen=True)
class StaffMember:
    """A staff user: ``username`` in the pool, ``roles`` its staff groups, ``service_areas`` the ids of
    its ``custom:service_areas`` attribute (only a service manager's scope depends on them). ``enabled``
    is False for an account an administrator has switched off."""

    username: str
    roles: frozenset[Actor]
    service_areas: frozenset[str]
    enabled: bool = True

    def has_any(self, *roles: Actor) -> bool:
        return not self.roles.isdisjoint(roles)

    def covers_area(self, service_area: str | None) -> bool:
        """Whether ``service_area`` is one of the member's own (an unknown area is nobody's)."""
        return service_area is not None and service_area in self.service_areas

    def sees_area(self, service_area: str | None) -> bool:
        """Whether the member works on every case of ``service_area``: complaints officers and senior
        leadership on all of them, a service manager on those of their own areas. (An investigator sees
        only the case they are appointed to, and an administrator none.)"""
        if self.has_any(Actor.COMPLAINTS_OFFICER, Actor.SENIOR_LEADERSHIP):
            return True
        return Actor.SERVICE_MANAGER in self.roles and self.covers_area(service_area)


#: The staff an action names and the member taking it, by username (the caller loads only these: the
#: command's ``staff_named()``).
StaffRegister = Mapping[str, StaffMember]
