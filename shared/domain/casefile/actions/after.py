"""Beside and after the stages: the complainant's complaint to the Local Government and Social Care
Ombudsman (a strand that never moves the stages), and the action plan of an upheld complaint, monitored
until done (after the case closes too)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from shared.domain.casefile import checks
from shared.domain.casefile.catalogue import THIRD, ActionSpec, CaseCommand
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import (
    ActionItem,
    Case,
    Day,
    Label,
    OmbudsmanEnquiry,
    OmbudsmanOutcome,
    Pence,
    Username,
)
from shared.domain.stages import Actor


def _no_open_enquiry(case: Case, actor: Actor, by: str | None) -> None:
    enquiry = checks.open_enquiry(case)
    if enquiry is not None:
        checks.refuse(f"an Ombudsman enquiry received on {enquiry.received_on} awaits its outcome")


def _an_open_enquiry(case: Case, actor: Actor, by: str | None) -> None:
    if checks.open_enquiry(case) is None:
        checks.refuse("no Ombudsman enquiry awaits an outcome")


def _upheld_by_the_ombudsman(case: Case, actor: Actor, by: str | None) -> None:
    last = case.ombudsman[-1] if case.ombudsman else None
    if last is None or last.decision is not OmbudsmanOutcome.UPHELD or last.complied_on is not None:
        checks.refuse("compliance is recorded once, after the Ombudsman upholds a complaint")


def _ombudsman(label: str, check: Any) -> ActionSpec:
    """Beside the stages: open at any status, ended or not, on hold or not."""
    return ActionSpec(label, ended_ok=True, held_ok=True, checks=(check,))


def _answered(acting: Acting, day: date, **update: Any) -> tuple[OmbudsmanEnquiry, ...]:
    case = acting.case
    last = case.ombudsman[-1]
    checks.not_future(day, "the Ombudsman's answer", acting.today)
    checks.not_before(day, last.received_on, "the Ombudsman's answer", "the enquiry")
    return (*case.ombudsman[:-1], last.model_copy(update=update))


class OmbudsmanEnquiryReceived(CaseCommand):
    spec = _ombudsman("Record an Ombudsman enquiry", _no_open_enquiry)
    action: Literal["ombudsman-enquiry"]
    received_on: Day
    ombudsman_reference: Annotated[str, Field(pattern=r"^[A-Za-z0-9/-]{1,40}$")] | None = None

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        checks.not_future(self.received_on, "the enquiry", acting.today)
        checks.not_before(self.received_on, case.received_date, "the enquiry", "the complaint's receipt")
        enquiry = OmbudsmanEnquiry(
            received_on=self.received_on,
            ombudsman_reference=self.ombudsman_reference,
            status_at_enquiry=case.status,
        )
        return Changes(fields={"ombudsman": (*case.ombudsman, enquiry)})


class OmbudsmanPremature(CaseCommand):
    spec = _ombudsman("Ombudsman: returned as premature", _an_open_enquiry)
    action: Literal["ombudsman-premature"]
    returned_on: Day

    def decide(self, acting: Acting) -> Changes:
        return Changes(
            fields={"ombudsman": _answered(acting, self.returned_on, returned_premature_on=self.returned_on)}
        )


class OmbudsmanNotInvestigated(CaseCommand):
    spec = _ombudsman("Ombudsman: not investigated", _an_open_enquiry)
    action: Literal["ombudsman-not-investigated"]
    decided_on: Day

    def decide(self, acting: Acting) -> Changes:
        return Changes(
            fields={"ombudsman": _answered(acting, self.decided_on, not_investigated_on=self.decided_on)}
        )


class OmbudsmanDecision(CaseCommand):
    spec = _ombudsman("Record the Ombudsman's decision", _an_open_enquiry)
    action: Literal["ombudsman-decision"]
    decided_on: Day
    outcome: OmbudsmanOutcome
    remedy_pence: Pence = 0
    remedies: tuple[Label, ...] = ()
    compliance_due: Day | None = None

    def decide(self, acting: Acting) -> Changes:
        checks.known(self.remedies, acting.policy.resolutions, "remedies")
        if self.outcome is OmbudsmanOutcome.NOT_UPHELD and (
            self.remedy_pence or self.remedies or self.compliance_due
        ):
            checks.refuse("a complaint the Ombudsman did not uphold carries no remedy")
        if self.compliance_due is not None:
            checks.not_before(self.compliance_due, self.decided_on, "compliance", "the decision")
        decided = _answered(
            acting,
            self.decided_on,
            decision=self.outcome,
            decided_on=self.decided_on,
            remedy_pence=self.remedy_pence,
            remedies=self.remedies,
            compliance_due=self.compliance_due,
        )
        return Changes(fields={"ombudsman": decided})


class OmbudsmanComplied(CaseCommand):
    spec = _ombudsman("Record compliance with the Ombudsman", _upheld_by_the_ombudsman)
    action: Literal["ombudsman-complied"]
    complied_on: Day

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        last = case.ombudsman[-1]
        checks.not_future(self.complied_on, "compliance", acting.today)
        assert last.decided_on is not None
        checks.not_before(self.complied_on, last.decided_on, "compliance", "the decision")
        complied = (*case.ombudsman[:-1], last.model_copy(update={"complied_on": self.complied_on}))
        return Changes(fields={"ombudsman": complied})


def _upheld(case: Case, actor: Actor, by: str | None) -> None:
    if not checks.upheld(case):
        checks.refuse("an action plan follows a complaint upheld in whole or part")


def _has_actions(case: Case, actor: Actor, by: str | None) -> None:
    if not case.action_plan:
        checks.refuse("the action plan has no actions yet")


def _plan(label: str, *more: Any) -> ActionSpec:
    """Monitored until done, after the case closes too."""
    return ActionSpec(
        label, who=checks.MANAGERS, ended_ok=True, held_ok=True, checks=(_upheld, *more), export=THIRD
    )


class AddAction(CaseCommand):
    spec = _plan("Add to the action plan")
    action: Literal["add-action"]
    description: Annotated[str, Field(min_length=1, max_length=1000)]
    owner: Username
    due_on: Day

    def decide(self, acting: Acting) -> Changes:
        case, today = acting.case, acting.today
        checks.not_before(self.due_on, today, "the action's due date", "today")
        item = ActionItem(
            item_id=f"A{len(case.action_plan) + 1}",
            description=self.description,
            owner=self.owner,
            due_on=self.due_on,
            added_on=today,
            revision=case.version + 1,
        )
        return Changes(fields={"action_plan": (*case.action_plan, item)})


class UpdateAction(CaseCommand):
    spec = _plan("Update an action", _has_actions)
    action: Literal["update-action"]
    item_id: Annotated[str, Field(pattern=r"^A[0-9]{1,4}$")]
    status: Literal["open", "done"] | None = None
    due_on: Day | None = None
    owner: Username | None = None

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        items = {item.item_id: item for item in case.action_plan}
        if self.item_id not in items:
            checks.refuse(f"the action plan has no action {self.item_id} (it has {', '.join(items)})")
        if self.status is None and self.due_on is None and self.owner is None:
            checks.refuse("an update changes the status, the due date or the owner")
        update: dict[str, Any] = {}
        if self.status is not None:
            update |= {"status": self.status, "done_on": acting.today if self.status == "done" else None}
        if self.due_on is not None:
            update["due_on"] = self.due_on
        if self.owner is not None:
            update["owner"] = self.owner
        # Any change restarts the action's timer (a reopened action too): a fresh name for it.
        update["revision"] = case.version + 1
        changed = items[self.item_id].model_copy(update=update)
        return Changes(
            fields={
                "action_plan": tuple(changed if i.item_id == self.item_id else i for i in case.action_plan)
            }
        )
