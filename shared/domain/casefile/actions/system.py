"""What the stage workflow records itself (never an officer): the deadline alerts it sent, and the
deadlines moved to a changed calendar. Recorded through :func:`~shared.domain.casefile.apply` like every
other change."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from shared.domain.casefile import checks
from shared.domain.casefile.catalogue import ActionSpec, CaseCommand
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import ANSWERS, Case, Frozen
from shared.domain.notices import Purpose
from shared.domain.policy import CouncilPolicy, Step
from shared.domain.stages import Status

ACKNOWLEDGEMENT = Step.ACKNOWLEDGEMENT.value


def _system(label: str) -> ActionSpec:
    """The workflow's own record, on any case, with codes and dates only."""
    return ActionSpec(
        label,
        who=checks.SYSTEM,
        complaints_only=False,
        ended_ok=True,
        held_ok=True,
        export=frozenset(),
        api=False,
    )


class AlertSent(Frozen):
    alarm: str
    escalation: int
    to: tuple[str, ...]


class RecordAlerts(CaseCommand):
    """The deadline alerts a timer sent now (the workflow addresses them to staff). When a stage's answer
    becomes overdue, the complainant is told too: that it is late, that the council will say why and
    when to expect it, and that they need not wait (the Ombudsman; at stage 1, stage 2)."""

    spec = ActionSpec(
        "Deadline alerts sent",
        who=checks.SYSTEM,
        complaints_only=False,
        ended_ok=True,
        held_ok=True,
        letters=(Purpose.STAGE_OVERDUE,),
        export=frozenset(),
        api=False,
    )
    action: Literal["deadline-alert"]
    timer: str
    due: date
    alerts: tuple[AlertSent, ...]

    def decide(self, acting: Acting) -> Changes:
        """Told once a deadline (by its start), so a due date moved on by a pause or a new calendar does
        not tell them again."""
        out = Changes()
        awaited = acting.case.deadlines.get(self.timer)
        overdue = any(alert.alarm == "overdue" for alert in self.alerts)
        told = acting.case.overdue_told
        if (
            awaited is not None
            and awaited.step in ANSWERS
            and overdue
            and told.get(self.timer) != awaited.start
        ):
            out.fields["overdue_told"] = {**acting.case.overdue_told, self.timer: awaited.start}
            out.letters[Purpose.STAGE_OVERDUE] = {"stage": self.timer, "due": self.due, "overdue": True}
        return out


class RecomputeDeadlines(CaseCommand):
    """Every deadline moved to the calendar as it is now (a bank holiday announced or moved): the same
    working days from the same start."""

    spec = _system("Deadlines moved to the calendar")
    action: Literal["deadlines-recomputed"]

    def decide(self, acting: Acting) -> Changes:
        out = recomputed(acting.case, acting.policy)
        if not out.recorded["moved"]:
            checks.refuse("no deadline moves: the calendar has not changed for this case")
        return out


def recomputed(case: Case, policy: CouncilPolicy) -> Changes:
    """The deadlines of ``case`` on the calendar as it is now; ``recorded["moved"]`` says which moved."""
    calendar = policy.calendar()
    revision = case.version + 1
    moved: dict[str, dict[str, Any]] = {}
    out = Changes(recorded={"moved": moved})
    for running, deadlines in ((True, case.deadlines), (False, case.paused_deadlines)):
        for key, deadline in deadlines.items():
            days = deadline.working_days
            if days is None:  # set before working days were kept: the policy's timescale
                timescale = policy.timescale(case.the_procedure, deadline.step)
                days = (
                    timescale.extended_max
                    if deadline.extended and timescale.extended_max
                    else timescale.working_days
                )
            due = calendar.add_working_days(deadline.start, days)
            if due != deadline.due:
                moved[key] = {"from": deadline.due.isoformat(), "to": due.isoformat()}
                update = {"due": due, "revision": revision, "working_days": days}
                (out.deadlines if running else out.paused)[key] = deadline.model_copy(update=update)
    if case.status is Status.RECEIVED:
        procedure = case.suggested_procedure
        acknowledgement = policy.acknowledgement_due(procedure, case.received_date)
        if acknowledgement != case.acknowledgement_due:
            moved[ACKNOWLEDGEMENT] = {
                "from": case.acknowledgement_due.isoformat(),
                "to": acknowledgement.isoformat(),
            }
            out.fields |= {"acknowledgement_due": acknowledgement, "acknowledgement_revision": revision}
            if case.stage1_due is not None and procedure is not None:
                out.fields["stage1_due"] = policy.due_date(procedure, Step.STAGE1, case.received_date)
    return out
