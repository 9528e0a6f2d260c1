"""Which cases a member of staff may list: the one scope rule of the officer API's lists and the console's
queues (the cases themselves are checked again, one by one, by :func:`shared.domain.access.may_see`)."""

from __future__ import annotations

from datetime import date

from shared.domain.stages import Actor
from shared.identity import Caller
from shared.ports import CaseQuery


class OutOfScope(Exception):
    """A list beyond the caller's cases."""


def list_scope(caller: Caller, service_area: str | None, mine: bool) -> str | None:
    """The service area a list is confined to. Complaints officers and senior leadership list any
    cases; others their own (``mine``), or a service manager their service area's (theirs by default
    when they have one)."""
    if caller.has_any(Actor.COMPLAINTS_OFFICER, Actor.SENIOR_LEADERSHIP) or mine:
        return service_area
    if Actor.SERVICE_MANAGER in caller.roles:
        if service_area is None and len(caller.service_areas) == 1:
            (service_area,) = caller.service_areas
        if caller.covers_area(service_area):
            return service_area
    raise OutOfScope


def case_query(
    caller: Caller,
    *,
    mine: bool = False,
    service_area: str | None = None,
    manager: str | None = None,
    open_only: bool = True,
    status: str | None = None,
    kind: str | None = None,
    procedure: str | None = None,
    due_before: date | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
) -> CaseQuery:
    """The caller's list, within their scope (:class:`OutOfScope` beyond it). "Mine" is what they are
    allocated, or for an investigator what they are appointed to investigate. Complaints about the
    caller are always left out."""
    area = list_scope(caller, service_area, mine)
    investigates_only = caller.roles == frozenset({Actor.INVESTIGATOR})
    return CaseQuery(
        open_only=open_only,
        status=status,
        service_area=area,
        manager=caller.username if mine and not investigates_only else manager,
        investigator=caller.username if mine and investigates_only else None,
        kind=kind,
        procedure=procedure,
        due_before=due_before,
        received_from=received_from,
        received_to=received_to,
        hidden_from=caller.username,
    )
