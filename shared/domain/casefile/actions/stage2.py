"""Stage 2, the investigation (2006 Regs reg 17): the request, the investigating officer and the
independent person, the report and the adjudication."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from shared.domain.casefile import checks
from shared.domain.casefile.actions.stage1 import outcome_context, responded
from shared.domain.casefile.catalogue import THIRD, ActionSpec, CaseCommand, Check
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import (
    Appointment,
    Attestation,
    Case,
    Day,
    Deadline,
    Finding,
    InvestigationReport,
    Label,
    Pence,
    Reason,
    StageResponse,
)
from shared.domain.errors import NotPermitted
from shared.domain.notices import Purpose
from shared.domain.people import Person, PersonId, independent_person_refusal, investigator_refusal
from shared.domain.policy import Step
from shared.domain.stages import Action, Actor, Status, Track


def late_request(window: Deadline | None, requested_on: date, late_reason: str | None) -> None:
    if window is not None and requested_on > window.due and late_reason is None:
        checks.refuse(
            f"the request came after the window closed on {window.due}: accepting it needs a reason"
        )


def closed_in_window(ended_at: Status, stage: str) -> Check:
    def check(case: Case, actor: Actor, by: str | None) -> None:
        if case.status is Status.CLOSED and case.ended_from is not ended_at:
            checks.refuse(f"the case closed at '{case.ended_from}', not in the window to ask for {stage}")

    return check


class RequestStage2(CaseCommand):
    """The complainant asks for an investigation. After the window closed: only with ``late_reason``.
    Before a stage 1 response: only if stage 1 overran its deadline, or with ``agreed_reason`` when the
    complainant and the council agree to go straight to stage 2."""

    spec = ActionSpec(
        "Record a stage 2 request",
        moves=Action.REQUEST_STAGE2,
        complaints_only=False,
        checks=(closed_in_window(Status.STAGE1_RESPONDED, "stage 2"),),
        letters=(Purpose.STAGE2_STARTED,),
    )
    action: Literal["request-stage2"]
    requested_on: Day
    late_reason: Reason | None = None
    agreed_reason: Reason | None = None

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        checks.not_future(self.requested_on, "the request", acting.today)
        answered = case.responses.get("stage1")
        if answered is not None:
            checks.not_before(self.requested_on, answered.sent_on, "the request", "the stage 1 response")
        checks.not_before(self.requested_on, case.received_date, "the request", "the complaint's receipt")
        self._route(acting)
        status = acting.transition(Action.REQUEST_STAGE2)
        stage2 = acting.deadline(Step.STAGE2, self.requested_on)
        out = Changes(fields={"status": status, "ended_from": None})
        out.deadlines = {
            k: None for k in (Step.STAGE1.value, Step.STAGE2_REQUEST.value) if k in case.deadlines
        }
        out.deadlines[Step.STAGE2.value] = stage2
        out.paused = dict.fromkeys(case.paused_deadlines)
        out.letters[Purpose.STAGE2_STARTED] = {"stage": "stage2", "due": stage2.due}
        return out

    def _route(self, acting: Acting) -> None:
        """After the stage 1 response (within its window, or late with a reason), or before it when
        stage 1 overran or both sides agree."""
        case, agreed = acting.case, self.agreed_reason
        if case.status is not Status.STAGE1:
            if agreed is not None:
                checks.refuse("going straight to stage 2 by agreement is possible only while stage 1 runs")
            window = case.deadlines.get(Step.STAGE2_REQUEST.value) or case.paused_deadlines.get(
                Step.STAGE2_REQUEST.value
            )
            late_request(window, self.requested_on, self.late_reason)
            return
        if agreed is not None:
            if acting.actor is not Actor.COMPLAINTS_OFFICER:
                checks.refuse("an agreement to go straight to stage 2 is recorded by the complaints officer")
            return
        stage1 = case.deadlines.get(Step.STAGE1.value)
        if stage1 is None or self.requested_on <= stage1.due:
            due = f" (due {stage1.due})" if stage1 else ""
            checks.refuse(
                f"stage 1 has not been answered and has not overrun its deadline{due}: stage 2 comes after the "
                "response, or earlier if both sides agree (agreed_reason)"
            )


def _statutory(case: Case, actor: Actor, by: str | None) -> None:
    if case.track is not Track.STATUTORY:
        checks.refuse("only the statutory procedure appoints an independent person")


class _Appointment(CaseCommand):
    """A stage 2 appointment from the register, with the appointee's attestation: never the person
    already appointed to the other role (reg 17(2): the investigating officer and the independent person
    are two people)."""

    role: ClassVar[Literal["investigator", "independent_person"]]
    other: ClassVar[str]  # what the person already appointed to the other role does, in words
    person_id: PersonId
    attestation: Attestation

    def people_named(self) -> tuple[str, ...]:
        return (self.person_id,)

    def refusal(self, case: Case, person: Person) -> str | None:
        """Why ``person`` may not take this role on ``case``, or None."""
        raise NotImplementedError

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        person = checks.person(acting.people, self.person_id)
        why = self.refusal(case, person)
        if why is not None:
            checks.refuse(why)
        other = case.stage2.independent_person if self.role == "investigator" else case.stage2.investigator
        if other is not None and other.person.person_id == person.person_id:
            checks.refuse(f"{person.name} {self.other}: one person cannot be both (reg 17)")
        checks.attested(self.attestation, person, acting.today)
        appointed = Appointment(person=person, attestation=self.attestation, appointed_on=acting.today)
        return Changes(fields={"stage2": case.stage2.model_copy(update={self.role: appointed})})


class AppointInvestigator(_Appointment):
    spec = ActionSpec("Appoint the investigating officer", statuses=(Status.STAGE2,), export=THIRD)
    role = "investigator"
    other = "is this stage 2's independent person"
    action: Literal["appoint-investigator"]

    def refusal(self, case: Case, person: Person) -> str | None:
        why = investigator_refusal(person, case.service_area, case.about_staff, case.allocated_manager)
        stage1 = case.responses.get("stage1")
        if (
            why is None
            and stage1 is not None
            and person.staff_user is not None
            and person.staff_user == stage1.by
        ):
            why = f"{person.name} recorded the stage 1 response"
        return f"{why}: the investigating officer must be independent of it" if why else None


class AppointIndependentPerson(_Appointment):
    spec = ActionSpec(
        "Appoint the independent person", statuses=(Status.STAGE2,), checks=(_statutory,), export=THIRD
    )
    role = "independent_person"
    other = "investigates this stage 2"
    action: Literal["appoint-independent-person"]

    def refusal(self, case: Case, person: Person) -> str | None:
        why = independent_person_refusal(person)
        return f"{why}: an independent person may be neither (reg 2)" if why else None


def _report_by(case: Case, actor: Actor, by: str | None) -> None:
    if actor is Actor.INVESTIGATOR and not checks.appointed_investigator(case, actor, by):
        checks.refuse("only the investigating officer appointed to this case may record its report")


def _investigation_made(case: Case, actor: Actor, by: str | None) -> None:
    if case.stage2.investigator is None:
        checks.refuse("no investigating officer has been appointed")
    if case.track is Track.STATUTORY and case.stage2.independent_person is None:
        checks.refuse("no independent person has been appointed: the investigation is made with one (reg 2)")


class RecordInvestigationReport(CaseCommand):
    spec = ActionSpec(
        "Record the investigation report",
        who=frozenset({Actor.COMPLAINTS_OFFICER, Actor.INVESTIGATOR}),
        statuses=(Status.STAGE2,),
        checks=(_report_by, _investigation_made),
        export=THIRD,
    )
    action: Literal["record-investigation-report"]
    submitted_on: Day
    findings: tuple[Finding, ...] = Field(min_length=1)

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        checks.not_future(self.submitted_on, "the report", acting.today)
        stage2 = case.deadlines.get(Step.STAGE2.value)
        if stage2 is not None:
            checks.not_before(self.submitted_on, stage2.start, "the report", "the stage 2 request")
        report = InvestigationReport(
            submitted_on=self.submitted_on, findings=self.findings, recorded_by=acting.by
        )
        return Changes(fields={"stage2": case.stage2.model_copy(update={"report": report})})


def _not_their_own_report(case: Case, actor: Actor, by: str | None) -> None:
    """The adjudication is a senior manager's response to the investigation, never its investigator's."""
    if by is not None and by == case.investigator_user:
        raise NotPermitted("you investigated this complaint: someone else adjudicates on your report")


def _adjudication_ready(case: Case, actor: Actor, by: str | None) -> None:
    if case.track is not Track.STATUTORY:
        return
    missing = [
        what
        for what, present in (
            ("an investigating officer appointed", case.stage2.investigator),
            ("an independent person appointed", case.stage2.independent_person),
            ("the investigation report recorded", case.stage2.report),
        )
        if present is None
    ]
    if missing:
        checks.refuse(f"the stage 2 adjudication needs {', '.join(missing)}")


class RespondStage2(CaseCommand):
    """The adjudication: a senior manager's response to the investigation."""

    spec = ActionSpec(
        "Send the stage 2 adjudication",
        moves=Action.RESPOND_STAGE2,
        complaints_only=False,
        checks=(_not_their_own_report, _adjudication_ready),
        letters=(Purpose.STAGE2_OUTCOME,),
    )
    action: Literal["respond-stage2"]
    sent_on: Day
    findings: tuple[Finding, ...] = Field(min_length=1)
    resolutions: tuple[Label, ...] = ()
    remedies_pence: Pence = 0

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        checks.not_future(self.sent_on, "the response", acting.today)
        stage2 = case.deadlines.get(Step.STAGE2.value)
        if stage2 is not None:
            checks.not_before(self.sent_on, stage2.start, "the adjudication", "the stage 2 request")
        checks.known(self.resolutions, acting.policy.resolutions, "resolutions")
        if case.stage2.report is not None:
            checks.not_before(
                self.sent_on, case.stage2.report.submitted_on, "the adjudication", "the investigation report"
            )
        status = acting.transition(Action.RESPOND_STAGE2)
        reply = StageResponse(
            sent_on=self.sent_on,
            resolutions=self.resolutions,
            remedies_pence=self.remedies_pence,
            by=acting.by,
        )
        out = Changes(fields=responded(case, "stage2", status, self.findings, reply))
        out.deadlines = {Step.STAGE2.value: None}
        escalate_by, next_stage = None, "ombudsman"
        if case.track is Track.STATUTORY:
            window = acting.deadline(Step.STAGE3_REQUEST, self.sent_on)
            out.deadlines[Step.STAGE3_REQUEST.value] = window
            escalate_by, next_stage = window.due, "stage3"
        out.letters[Purpose.STAGE2_OUTCOME] = outcome_context(
            "stage2", self.findings, self.sent_on, next_stage, escalate_by
        )
        return out
