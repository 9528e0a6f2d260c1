"""Casework: the one path that records a change to a case, for the officer API, the stage workflow's
timers and the console alike. Each change is found, authorised and decided by the domain
(:func:`shared.domain.casefile.apply`), its letters are addressed (:mod:`shared.letters`), and it is
saved under the version it was decided on, with its event and notifications in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from shared.domain.access import acting_as, may_see
from shared.domain.case import Notification
from shared.domain.casefile import Case, CaseCommand, Decision, apply
from shared.domain.clock import Clock
from shared.domain.errors import DomainError
from shared.domain.people import Person
from shared.domain.policy import CouncilPolicy
from shared.domain.staff import StaffMember
from shared.domain.stages import Actor
from shared.identity import Caller
from shared.letters import by_hand, letters_of
from shared.ports import StaffDirectory, StaleVersion

#: How often a change the system makes (a timer's wake, a recompute) reloads and retries a case that
#: changed under it.
SAVE_ATTEMPTS = 5


class NotFound(DomainError):
    """No such case, or not one the caller may see (never say which)."""


class PreconditionRequired(DomainError):
    """A change came without the version the caller read (the ETag, in If-Match)."""


class CaseStore(Protocol):
    def find(self, reference: str) -> str | None: ...

    def load(self, case_id: str) -> Case | None: ...

    def people(self, person_ids: tuple[str, ...] | None = None) -> dict[str, Person]: ...

    def save(
        self, decision: Decision, expected_version: int, notifications: tuple[Notification, ...] = ()
    ) -> None: ...


#: What a system step decides on a case as it is now: the decision and the staff notifications it owes
#: besides the complainant's letters, or None (nothing to record).
Step = Callable[[Case], "tuple[Decision, tuple[Notification, ...]] | None"]


def etag(case: Case) -> str:
    """What a caller read, as an HTTP entity tag: the case as people's decisions left it. The workflow's
    own records (a reminder, an overdue alert, deadlines moved to a new calendar) do not change it, so
    they never make an officer's next action fail on If-Match; the action is decided on the case as it
    is then."""
    return f'"{case.case_id}.{case.decided}"'


class Casework:
    def __init__(
        self, store: CaseStore, clock: Clock, policy: CouncilPolicy, directory: StaffDirectory
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy
        self._directory = directory

    def visible(self, caller: Caller, reference: str) -> Case:
        """The case ``reference`` if the caller may see it, else :class:`NotFound`."""
        case_id = self._store.find(reference)
        case = self._store.load(case_id) if case_id else None
        if case is None or not may_see(caller, case):
            raise NotFound(reference)
        return case

    def act(self, caller: Caller, reference: str, command: CaseCommand, if_match: str | None) -> Case:
        """A member of staff's action on the case they read at ``if_match`` (its ETag). Decided first (it
        has no effects): a step not theirs is refused whatever the version; then the version must match.
        A save that loses to a change made meanwhile is decided again on the case as it is then, while
        that change was the workflow's own (the ETag still matches)."""
        for _ in range(SAVE_ATTEMPTS):
            case = self.visible(caller, reference)
            decision = self.decide(case, command, acting_as(caller, case, command.action), caller)
            if not if_match:
                raise PreconditionRequired(reference)
            if if_match.strip() != etag(case):
                raise StaleVersion(f"case {reference} has changed since you read it: reload it and try again")
            try:
                return self._save(decision, case.version)
            except StaleVersion:
                continue
        raise StaleVersion(f"case {reference} kept changing: reload it and try again")

    def decide(self, case: Case, command: CaseCommand, actor: Actor, member: StaffMember) -> Decision:
        """``command`` decided on ``case`` by ``member`` acting as ``actor``, with the register entries
        and the members of staff it names."""
        named = command.people_named()
        people = self._store.people(named) if named else {}
        staff = {name: found for name in command.staff_named() if (found := self._directory.member(name))}
        staff[member.username] = member
        now = self._clock.now()
        return apply(case, command, actor, member.username, now, self._policy, people=people, staff=staff)

    def record(self, case_id: str, step: Step) -> Case | None:
        """A change the system makes, decided by ``step`` from the case as it is now, and retried when
        the case changed under it. Returns the saved case, or None when there was nothing to record."""
        for _ in range(SAVE_ATTEMPTS):
            case = self._store.load(case_id)
            decided = step(case) if case is not None else None
            if case is None or decided is None:
                return None
            decision, staff = decided
            try:
                return self._save(decision, case.version, staff)
            except StaleVersion:
                continue
        raise StaleVersion(f"case {case_id} kept changing: try again")

    def _save(self, decision: Decision, version: int, staff: tuple[Notification, ...] = ()) -> Case:
        """Saved under ``version``, with its letters: by email where the complainant chose it, else
        recorded as owed by hand."""
        decision = by_hand(decision)
        self._store.save(decision, version, letters_of(decision) + staff)
        return decision.case
