"""Stage 1, local resolution (2006 Regs reg 14): the response, and what it owes."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from shared.domain.casefile import checks
from shared.domain.casefile.catalogue import ActionSpec, CaseCommand
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import Case, Day, Finding, Label, Pence, StageResponse
from shared.domain.notices import Purpose
from shared.domain.policy import Step
from shared.domain.stages import Action, Status
from shared.domain.vocabulary import Outcome


class RespondStage1(CaseCommand):
    spec = ActionSpec(
        "Send the stage 1 response",
        moves=Action.RESPOND_STAGE1,
        complaints_only=False,
        letters=(Purpose.STAGE1_OUTCOME,),
    )
    action: Literal["respond-stage1"]
    sent_on: Day
    findings: tuple[Finding, ...] = Field(min_length=1)
    resolutions: tuple[Label, ...] = ()
    remedies_pence: Pence = 0

    def decide(self, acting: Acting) -> Changes:
        checks.not_future(self.sent_on, "the response", acting.today)
        checks.not_before(
            self.sent_on, acting.case.received_date, "the stage 1 response", "the complaint's receipt"
        )
        checks.known(self.resolutions, acting.policy.resolutions, "resolutions")
        status = acting.transition(Action.RESPOND_STAGE1)
        window = acting.deadline(Step.STAGE2_REQUEST, self.sent_on)
        reply = StageResponse(
            sent_on=self.sent_on,
            resolutions=self.resolutions,
            remedies_pence=self.remedies_pence,
            by=acting.by,
        )
        out = Changes(fields=responded(acting.case, "stage1", status, self.findings, reply))
        out.deadlines = {Step.STAGE1.value: None, Step.STAGE2_REQUEST.value: window}
        out.letters[Purpose.STAGE1_OUTCOME] = outcome_context(
            "stage1", self.findings, self.sent_on, "stage2", window.due
        )
        return out


def responded(
    case: Case, stage: str, status: Status, findings: tuple[Finding, ...], reply: StageResponse
) -> dict[str, Any]:
    """A stage's response recorded: its findings, its resolutions and its remedies."""
    return {
        "status": status,
        "findings": {**case.findings, stage: findings},
        "responses": {**case.responses, stage: reply},
        "remedies_pence": case.remedies_pence + reply.remedies_pence,
    }


def overall(findings: tuple[Finding, ...]) -> Outcome:
    outcomes = {f.outcome for f in findings}
    if outcomes == {Outcome.UPHELD}:
        return Outcome.UPHELD
    if outcomes == {Outcome.NOT_UPHELD}:
        return Outcome.NOT_UPHELD
    return Outcome.PARTIALLY_UPHELD


def outcome_context(
    stage: str, findings: tuple[Finding, ...], sent_on: date, next_stage: str, escalate_by: date | None
) -> dict[str, Any]:
    """What a stage's outcome letter shows: the overall outcome, when sent, and how to go further."""
    return {
        "stage": stage,
        "outcome": overall(findings) if findings else None,
        "sent_on": sent_on,
        "next_stage": next_stage,
        "escalate_by": escalate_by,
    }
