"""Working a case at any stage: allocation, who it is about, extensions, pauses and holds, notes, and
its ending (withdrawn, closed, the complainant's window expired) or reopening."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from shared.domain.casefile import checks
from shared.domain.casefile.catalogue import THIRD, ActionSpec, CaseCommand
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import Case, Day, DelayExplained, Hold, Label, Reason, Username
from shared.domain.notices import Purpose
from shared.domain.policy import Step
from shared.domain.stages import TERMINAL, Action, Actor, Status
from shared.domain.triage import DeferredMatter, HoldMatter

WINDOWS = frozenset({Step.STAGE2_REQUEST, Step.STAGE3_REQUEST})
ServiceArea = Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")]
ComplaintPoint = Annotated[str, Field(min_length=1, max_length=500)]


class Allocate(CaseCommand):
    """The manager responsible for the response, with the complaint's categories and points and the
    service area complained about. The manager is a member of staff who works on the case's (new) service
    area: one of its service managers, a complaints officer or a senior leader, whose account is on; a
    service manager moves a case only into an area of their own (else they would lose it)."""

    spec = ActionSpec("Allocate", who=checks.MANAGERS, complaints_only=False, held_ok=True, export=THIRD)
    action: Literal["allocate"]
    manager: Username
    categories: tuple[Label, ...] = ()
    complaint_points: tuple[ComplaintPoint, ...] = ()
    service_area: ServiceArea | None = None

    def decide(self, acting: Acting) -> Changes:
        case, policy = acting.case, acting.policy
        checks.known(self.categories, policy.complaint_categories + policy.compliment_categories)
        if self.manager in case.about_staff:
            checks.refuse(f"the complaint is about {self.manager}, who may not be allocated it")
        if self.service_area is not None and policy.service_area(self.service_area) is None:
            checks.refuse(f"unknown service area: {self.service_area} (the council policy lists them)")
        area = self.service_area or case.service_area
        moving = area != case.service_area
        if moving and acting.actor is Actor.SERVICE_MANAGER and not _covers(acting, area):
            checks.refuse(
                f"{area} is not one of your service areas: the complaints team moves a case to another area"
            )
        manager = acting.staff.get(self.manager)
        if manager is None:
            checks.refuse(f"no member of staff has the username {self.manager!r}: allocate to a staff user")
        if not manager.enabled:
            checks.refuse(f"{self.manager}'s staff account is switched off: allocate to someone else")
        if not manager.sees_area(area):
            where = f"the {area} service area" if area else "a case without a service area (set it)"
            checks.refuse(
                f"{self.manager} cannot work on {where}: allocate to a manager of the area, "
                "a complaints officer or a senior leader"
            )
        out = Changes(
            fields={
                "allocated_manager": self.manager,
                "categories": self.categories,
                "complaint_points": self.complaint_points,
            }
        )
        if self.service_area is not None:
            out.fields["service_area"] = self.service_area
        return out

    def staff_named(self) -> tuple[str, ...]:
        return (self.manager,)


def _covers(acting: Acting, area: str | None) -> bool:
    """Whether ``area`` is one of the acting member's own service areas."""
    member = acting.staff.get(acting.by)
    return member is not None and member.covers_area(area)


class AboutStaff(CaseCommand):
    """The staff users the complaint is about: they may not be allocated or appointed to it."""

    spec = ActionSpec("Record staff it is about", held_ok=True, export=THIRD)
    action: Literal["about-staff"]
    staff: tuple[Username, ...] = Field(min_length=1)

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        if case.allocated_manager in self.staff:
            checks.refuse(
                f"the case is allocated to {case.allocated_manager}: allocate it to someone else first"
            )
        if case.investigator_user in self.staff:
            checks.refuse(f"{case.investigator_user} investigates the case: appoint someone else first")
        return Changes(fields={"about_staff": tuple(dict.fromkeys((*case.about_staff, *self.staff)))})


def _extendable(case: Case, actor: Actor, by: str | None) -> None:
    step = case.running_stage()
    if step is None:
        checks.refuse(f"no stage is running at status '{case.status}': nothing to extend")
    running = case.deadlines[step.value]
    if running.extended and running.extended_by == 0:  # extended before extensions were counted: in full
        checks.refuse(f"{step} is already extended to its maximum ({running.due})")


class Extend(CaseCommand):
    """Extend the running stage, with the reason: by ``working_days`` (in one or more extensions), to at
    most its statutory maximum (all of it by default); for stage 2, the complainant must have been told
    why and given the new date. The complainant is told the new date."""

    spec = ActionSpec("Extend", checks=(_extendable,), letters=(Purpose.DEADLINE_EXTENDED,))
    action: Literal["extend"]
    reason: Reason
    complainant_told: StrictBool = False
    working_days: Annotated[int, Field(ge=1, le=60)] | None = None

    def decide(self, acting: Acting) -> Changes:
        case, policy = acting.case, acting.policy
        step = case.running_stage()
        assert step is not None  # the row's check saw it running
        current = case.deadlines[step.value]
        if step is Step.STAGE2 and not self.complainant_told:
            checks.refuse("a stage 2 extension needs the complainant told in writing why, with the new date")
        timescale = policy.timescale(case.the_procedure, step)
        if timescale.extended_max is None:
            checks.refuse(f"the {case.the_procedure} {step} cannot be extended")
        left = timescale.extended_max - timescale.working_days - current.extended_by
        if left <= 0:
            checks.refuse(f"{step} is already extended to its maximum ({current.due})")
        more = self.working_days or left
        if more > left:
            checks.refuse(
                f"{step} may be extended by at most {left} more working days (to {timescale.extended_max} in all)"
            )
        # Moved on by the extra working days, so days the stage was paused stay added.
        due = policy.calendar().add_working_days(current.due, more)
        extended = {
            "due": due,
            "extended": True,
            "extended_by": current.extended_by + more,
            "reason": self.reason,
        }
        out = Changes()
        out.deadlines[step.value] = current.model_copy(update=extended)
        out.letters[Purpose.DEADLINE_EXTENDED] = {"stage": step, "due": due, "previous_due": current.due}
        return out


def _advocacy_asked_for(case: Case, actor: Actor, by: str | None) -> None:
    advocacy = case.advocacy
    if advocacy.wish != "wants-one" and advocacy.accepted is not True:
        checks.refuse(
            "stage 1 pauses for an advocate only when one was asked for: record the request first (record-advocacy)"
        )


class PauseStage1(CaseCommand):
    """Stop stage 1's clock while an advocate is appointed (s.26A), after the complainant asked for one;
    they are told."""

    spec = ActionSpec(
        "Pause stage 1 for an advocate",
        statuses=(Status.STAGE1,),
        checks=(_advocacy_asked_for,),
        letters=(Purpose.CASE_ON_HOLD,),
    )
    action: Literal["pause-stage1"]
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        case, today = acting.case, acting.today
        if Step.STAGE1.value not in case.deadlines:
            checks.refuse("stage 1 has no running deadline to pause")
        matter = HoldMatter.ADVOCATE_APPOINTMENT
        out = Changes(fields={"hold": Hold(matter=matter, reason=self.reason, since=today)})
        out.deadlines[Step.STAGE1.value] = None
        out.paused[Step.STAGE1.value] = case.deadlines[Step.STAGE1.value].model_copy(
            update={"paused_on": today}
        )
        out.letters[Purpose.CASE_ON_HOLD] = {"matter": matter, "since": today, "stage": case.status}
        return out


class PutOnHold(CaseCommand):
    """Defer the complaint while it would prejudice other proceedings (reg 8): the clocks stop."""

    spec = ActionSpec("Put on hold", letters=(Purpose.CASE_ON_HOLD,))
    action: Literal["hold"]
    matter: DeferredMatter
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        case, today = acting.case, acting.today
        out = Changes(
            fields={"hold": Hold(matter=HoldMatter(self.matter.value), reason=self.reason, since=today)}
        )
        out.stop_all(case, today)
        out.letters[Purpose.CASE_ON_HOLD] = {"matter": self.matter, "since": today, "stage": case.status}
        return out


def _held(case: Case, actor: Actor, by: str | None) -> None:
    if case.hold is None:
        checks.refuse("the case is not on hold or paused: nothing to resume")


class Resume(CaseCommand):
    """End a hold or a stage 1 pause: every stopped deadline moves on by the working days it was stopped."""

    spec = ActionSpec("Resume", held_ok=True, checks=(_held,), letters=(Purpose.CASE_RESUMED,))
    action: Literal["resume"]
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        out = Changes(fields={"hold": None})
        out.resume_all(case, acting.today, acting.policy)
        out.restart_acknowledgement(case, case.status)
        dues = {key: d.due for key, d in out.deadlines.items() if d is not None}
        out.letters[Purpose.CASE_RESUMED] = {"stage": case.status, "dues": dues}
        return out


class WindowExpired(CaseCommand):
    """The complainant's window to escalate ended without a request (a timer, or the officer)."""

    spec = ActionSpec(
        "Close: the window expired",
        moves=Action.WINDOW_EXPIRED,
        complaints_only=False,
        letters=(Purpose.CASE_CLOSED,),
    )
    action: Literal["window-expired"]

    def decide(self, acting: Acting) -> Changes:
        case, today = acting.case, acting.today
        window = next((d for d in case.deadlines.values() if d.step in WINDOWS), None)
        if window is None:
            checks.refuse(
                "the complainant has no window to ask for another stage now: close the case instead"
            )
        if today <= window.due:
            checks.refuse(f"the complainant's window is open until {window.due}")
        out = Changes()
        out.end(acting, Action.WINDOW_EXPIRED)
        out.letters[Purpose.CASE_CLOSED] = {
            "window": window.step,
            "window_due": window.due,
            "closed_on": today,
        }
        return out


class Withdraw(CaseCommand):
    spec = ActionSpec("Withdrawn", moves=Action.WITHDRAW, complaints_only=False, held_ok=True)
    action: Literal["withdraw"]
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        out = Changes()
        out.end(acting, Action.WITHDRAW)
        return out


class Close(CaseCommand):
    spec = ActionSpec("Close", moves=Action.CLOSE, complaints_only=False)
    action: Literal["close"]
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        out = Changes()
        out.end(acting, Action.CLOSE)
        return out


def _reopenable(case: Case, actor: Actor, by: str | None) -> None:
    if case.status not in TERMINAL:
        checks.refuse(f"the case is open ('{case.status}'): there is nothing to reopen")
    if case.ended_from is None:
        checks.refuse("the status it ended at is not recorded, so it cannot be reopened")


class Reopen(CaseCommand):
    """Reopen an ended case at the status it ended at; its stopped deadlines move on."""

    spec = ActionSpec("Reopen", complaints_only=False, ended_ok=True, held_ok=True, checks=(_reopenable,))
    action: Literal["reopen"]
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        assert case.ended_from is not None
        out = Changes(fields={"status": case.ended_from, "ended_from": None})
        out.resume_all(case, acting.today, acting.policy)
        out.restart_acknowledgement(case, case.ended_from)
        return out


def _an_answer_awaited(case: Case, actor: Actor, by: str | None) -> None:
    if case.awaited_answer() is None:
        checks.refuse(f"no answer of the council's is awaited at status '{case.status}'")


class ExplainDelay(CaseCommand):
    """A stage that will not be answered by its due date (or already was not): the complainant is told
    why, when to expect the answer, and that they may go to the Ombudsman (or, at stage 1, ask for stage
    2) rather than wait. The reason is the officer's own words, written for the complainant."""

    spec = ActionSpec("Explain a delay", checks=(_an_answer_awaited,), letters=(Purpose.STAGE_DELAYED,))
    action: Literal["explain-delay"]
    reason: Reason
    expected_on: Day

    def decide(self, acting: Acting) -> Changes:
        case, today = acting.case, acting.today
        awaited = case.awaited_answer()
        assert awaited is not None  # the row's check saw it
        step, due = awaited.step, awaited.due
        checks.not_before(
            self.expected_on, max(today, due), "the answer's expected date", "the due date or today"
        )
        told = DelayExplained(stage=step, reason=self.reason, expected_on=self.expected_on, told_on=today)
        out = Changes(fields={"delays": (*case.delays, told)})
        out.letters[Purpose.STAGE_DELAYED] = {
            "stage": step,
            "due": due,
            "expected_on": self.expected_on,
            "reason": self.reason,
            "overdue": today > due,
        }
        return out
