"""What deciding an action produces, as plain data: the changes an action's decision makes
(:class:`Changes`), and what :func:`~shared.domain.casefile.apply` returns (:class:`Decision`: the new
case, the event to append, the deadlines moved and the letters owed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import StrictBool

from shared.domain.casefile.model import Case, Deadline
from shared.domain.notices import Purpose
from shared.domain.people import PeopleRegister
from shared.domain.policy import CouncilPolicy, Step
from shared.domain.staff import StaffRegister
from shared.domain.stages import Action, Actor, Status, next_status
from shared.domain.vocabulary import Procedure


@dataclass(frozen=True)
class NewEvent:
    """One entry to append to the chronology: the aggregate numbers it."""

    sequence: int
    at: datetime
    actor: Actor
    by: str  # the staff user (or "public", "system")
    action: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class OwedNotification:
    """A letter or email owed to the complainant, as plain data: the persistence layer addresses it (by
    the complainant's contact preference and consent) and writes it through the reliable notification
    path. ``child_friendly`` picks the template's wording for children; ``context`` holds the reference,
    dates, stage and outcome codes, never a submitter's words."""

    purpose: Purpose
    child_friendly: StrictBool
    context: dict[str, Any]
    recipient: Literal["complainant"] = "complainant"

    @property
    def template(self) -> str:
        return self.purpose.template


@dataclass(frozen=True)
class Decision:
    case: Case
    events: tuple[NewEvent, ...]
    deadlines_changed: dict[str, date | None]
    notifications: tuple[OwedNotification, ...] = field(default=())


@dataclass(frozen=True)
class Acting:
    """Who acts on which case, when, under which policy: what an action's decision is given."""

    case: Case
    actor: Actor
    by: str
    today: date
    policy: CouncilPolicy
    people: PeopleRegister
    staff: StaffRegister

    def transition(self, action: Action) -> Status:
        """The status ``action`` moves the case to (the procedure's table: :mod:`shared.domain.stages`)."""
        return next_status(self.case.track, self.case.status, action, self.actor)

    def deadline(self, step: Step, start: date, procedure: Procedure | None = None) -> Deadline:
        """``step``'s deadline from ``start`` by the policy (the case's procedure unless another is named)."""
        chosen = procedure or self.case.the_procedure
        return Deadline(step=step, start=start, due=self.policy.due_date(chosen, step, start))


@dataclass
class Changes:
    """What an action's decision changes: the case's fields, its deadlines (None: no longer running;
    stopped ones move to ``paused``) and the letters owed, by purpose with their context."""

    fields: dict[str, Any] = field(default_factory=dict)
    deadlines: dict[str, Deadline | None] = field(default_factory=dict)
    paused: dict[str, Deadline | None] = field(default_factory=dict)
    letters: dict[Purpose, dict[str, Any]] = field(default_factory=dict)
    recorded: dict[str, Any] = field(default_factory=dict)  # more for the event than the fields changed

    def stop_all(self, case: Case, today: date) -> None:
        """The case ends (or waits): every running deadline stops, kept paused so that it can resume."""
        for key, running in case.deadlines.items():
            self.deadlines[key] = None
            self.paused[key] = running.model_copy(update={"paused_on": today})

    def resume_all(self, case: Case, today: date, policy: CouncilPolicy) -> None:
        """Every stopped deadline runs again, moved on by the working days it was stopped: a deadline
        stopped before it fell due keeps the working days it had left; one stopped after it fell due
        stays as late as it was (its due date moves on by the working days stopped, never to today)."""
        calendar = policy.calendar()
        for key, stopped in case.paused_deadlines.items():
            assert stopped.paused_on is not None
            due = calendar.add_working_days(
                stopped.due, calendar.working_days_between(stopped.paused_on, today)
            )
            self.paused[key] = None
            self.deadlines[key] = stopped.model_copy(update={"due": due, "paused_on": None})

    def end(self, acting: Acting, action: Action) -> None:
        """The case ends by ``action``: at the status it ended from, its clocks stopped."""
        self.fields |= {"status": acting.transition(action), "ended_from": acting.case.status, "hold": None}
        self.stop_all(acting.case, acting.today)

    def restart_acknowledgement(self, case: Case, status: Status) -> None:
        """A complaint awaiting triage again (resumed, or reopened) restarts its acknowledgement's timer,
        under a new revision: the workflow names executions after it, and a stopped one's name is spent."""
        if status is Status.RECEIVED:
            self.fields["acknowledgement_revision"] = case.version + 1
