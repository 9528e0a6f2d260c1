"""Stage 3, the review panel (2006 Regs regs 18-20): the request, the panel of three independent people,
its meeting and report, and the authority's response."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from shared.domain.casefile import checks
from shared.domain.casefile.actions.stage1 import outcome_context
from shared.domain.casefile.actions.stage2 import closed_in_window, late_request
from shared.domain.casefile.catalogue import THIRD, ActionSpec, CaseCommand
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import (
    Appointment,
    Attendee,
    Attestation,
    Case,
    Day,
    Finding,
    Frozen,
    Label,
    Panel,
    PanelMeeting,
    PanelReport,
    Part,
    Pence,
    Reason,
    StageResponse,
)
from shared.domain.notices import Purpose
from shared.domain.people import PersonId, panel_member_refusal
from shared.domain.policy import Step
from shared.domain.stages import Action, Actor, Status


class RequestStage3(CaseCommand):
    """The complainant asks for a review panel: within 20 working days (reg 18), later only with a reason."""

    spec = ActionSpec(
        "Record a stage 3 request",
        moves=Action.REQUEST_STAGE3,
        complaints_only=False,
        checks=(closed_in_window(Status.STAGE2_RESPONDED, "stage 3"),),
        letters=(Purpose.STAGE3_STARTED,),
    )
    action: Literal["request-stage3"]
    requested_on: Day
    late_reason: Reason | None = None

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        checks.not_future(self.requested_on, "the request", acting.today)
        answered = case.responses.get("stage2")
        if answered is not None:
            checks.not_before(self.requested_on, answered.sent_on, "the request", "the stage 2 adjudication")
        window = case.deadlines.get(Step.STAGE3_REQUEST.value) or case.paused_deadlines.get(
            Step.STAGE3_REQUEST.value
        )
        late_request(window, self.requested_on, self.late_reason)
        status = acting.transition(Action.REQUEST_STAGE3)
        panel = acting.deadline(Step.STAGE3_PANEL, self.requested_on)
        out = Changes(fields={"status": status, "ended_from": None})
        out.deadlines = {Step.STAGE3_PANEL.value: panel}
        if Step.STAGE3_REQUEST.value in case.deadlines:
            out.deadlines[Step.STAGE3_REQUEST.value] = None
        out.paused = dict.fromkeys(case.paused_deadlines)
        out.letters[Purpose.STAGE3_STARTED] = {"stage": "stage3", "due": panel.due}
        return out


class Attested(Frozen):
    person_id: PersonId
    attestation: Attestation


class ConvenePanel(CaseCommand):
    """Three independent people, one of whom chairs, and the date they meet (reg 19)."""

    spec = ActionSpec(
        "Convene the review panel",
        statuses=(Status.STAGE3_PANEL,),
        letters=(Purpose.PANEL_DELAYED,),
        export=THIRD,
    )
    action: Literal["convene-panel"]
    members: tuple[Attested, ...]
    chair: PersonId
    meeting_on: Day
    late_reason: Reason | None = None  # needed when it meets after the 30 working days of reg 19

    def people_named(self) -> tuple[str, ...]:
        return tuple(m.person_id for m in self.members)

    def decide(self, acting: Acting) -> Changes:
        case, today = acting.case, acting.today
        ids = [m.person_id for m in self.members]
        if len(ids) != 3 or len(set(ids)) != 3:
            checks.refuse("a review panel is three different people (reg 19)")
        if self.chair not in ids:
            checks.refuse("the chair must be one of the panel's three members")
        checks.not_before(self.meeting_on, today, "the panel meeting", "today")
        ip, investigator = case.stage2.independent_person, case.stage2.investigator
        seats = []
        for member in self.members:
            person = checks.person(acting.people, member.person_id)
            cannot_sit = panel_member_refusal(person, ip.person.person_id if ip else None)
            if investigator is not None and investigator.person.person_id == person.person_id:
                cannot_sit = (
                    f"{person.name} was the stage 2 investigating officer and may not sit on the panel"
                )
            if cannot_sit is not None:
                checks.refuse(f"{cannot_sit} (reg 19)")
            checks.attested(member.attestation, person, today)
            seats.append(Appointment(person=person, attestation=member.attestation, appointed_on=today))
        within = case.deadlines.get(Step.STAGE3_PANEL.value)
        late = within is not None and self.meeting_on > within.due
        if within is not None and late and self.late_reason is None:
            checks.refuse(
                f"the panel meets after {within.due}, 30 working days from the request (reg 19): "
                "convening it late needs the reason (late_reason), which the complainant is told"
            )
        panel = Panel(
            members=tuple(seats),
            chair=self.chair,
            meeting_on=self.meeting_on,
            convened_on=today,
            late_reason=self.late_reason if late else None,
        )
        out = Changes(fields={"stage3": case.stage3.model_copy(update={"panel": panel})})
        if within is not None and late:
            out.letters[Purpose.PANEL_DELAYED] = {
                "due": within.due,
                "meeting_on": self.meeting_on,
                "reason": self.late_reason,
            }
        return out


def _convened(case: Case, actor: Actor, by: str | None) -> None:
    if case.stage3.panel is None:
        checks.refuse("the panel has not been convened")


class PanelMet(CaseCommand):
    spec = ActionSpec(
        "Record the panel's meeting",
        moves=Action.PANEL_MET,
        complaints_only=False,
        checks=(_convened,),
        export=frozenset({Part.THIRD_PARTIES, Part.ADVOCACY}),
    )
    action: Literal["panel-met"]
    met_on: Day
    attendees: tuple[Attendee, ...] = ()

    def decide(self, acting: Acting) -> Changes:
        checks.not_future(self.met_on, "the meeting", acting.today)
        panel = acting.case.stage3.panel
        if panel is not None:
            checks.not_before(self.met_on, panel.convened_on, "the meeting", "the panel's convening")
        roles = [a.role for a in self.attendees]
        if roles.count("advocate") > 1 or roles.count("other") > 1:
            checks.refuse("the complainant may bring an advocate and one other person (reg 19)")
        status = acting.transition(Action.PANEL_MET)
        report = acting.deadline(Step.STAGE3_REPORT, self.met_on)
        held = PanelMeeting(met_on=self.met_on, attendees=self.attendees)
        out = Changes(
            fields={"status": status, "stage3": acting.case.stage3.model_copy(update={"meeting": held})}
        )
        out.deadlines = {Step.STAGE3_PANEL.value: None, Step.STAGE3_REPORT.value: report}
        return out


class PanelReported(CaseCommand):
    """The panel's report, sent to the complainant and the stage 2 independent person (reg 20)."""

    spec = ActionSpec("Record the panel's report", moves=Action.PANEL_REPORTED, complaints_only=False)
    action: Literal["panel-reported"]
    reported_on: Day
    findings: tuple[Finding, ...] = Field(min_length=1)
    sent_to_complainant: StrictBool
    sent_to_independent_person: StrictBool

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        checks.not_future(self.reported_on, "the report", acting.today)
        if case.stage3.meeting is not None:
            checks.not_before(self.reported_on, case.stage3.meeting.met_on, "the report", "the panel meeting")
        if not (self.sent_to_complainant and self.sent_to_independent_person):
            checks.refuse("the panel's report goes to the complainant and the independent person (reg 20)")
        status = acting.transition(Action.PANEL_REPORTED)
        response = acting.deadline(Step.STAGE3_RESPONSE, self.reported_on)
        report = PanelReport(
            reported_on=self.reported_on,
            findings=self.findings,
            sent_to_complainant=self.sent_to_complainant,
            sent_to_independent_person=self.sent_to_independent_person,
        )
        out = Changes(
            fields={
                "status": status,
                "stage3": case.stage3.model_copy(update={"report": report}),
                "findings": {**case.findings, "stage3": self.findings},
            }
        )
        out.deadlines = {Step.STAGE3_REPORT.value: None, Step.STAGE3_RESPONSE.value: response}
        return out


class RespondStage3(CaseCommand):
    """The authority's response to the panel (reg 20): made with the independent person's view, saying
    what it will do and how to go to the Ombudsman."""

    spec = ActionSpec(
        "Send the authority's response",
        moves=Action.RESPOND_STAGE3,
        complaints_only=False,
        letters=(Purpose.STAGE3_OUTCOME,),
    )
    action: Literal["respond-stage3"]
    sent_on: Day
    independent_person_view_considered: StrictBool
    ombudsman_details_given: StrictBool
    resolutions: tuple[Label, ...] = ()
    remedies_pence: Pence = 0

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        checks.not_future(self.sent_on, "the response", acting.today)
        if case.stage3.report is not None:
            checks.not_before(
                self.sent_on, case.stage3.report.reported_on, "the response", "the panel's report"
            )
        checks.known(self.resolutions, acting.policy.resolutions, "resolutions")
        if not self.independent_person_view_considered:
            checks.refuse("the authority's response is made with the independent person's view (reg 20)")
        if not self.ombudsman_details_given:
            checks.refuse("the authority's response says how to go to the Ombudsman (reg 20)")
        status = acting.transition(Action.RESPOND_STAGE3)
        reply = StageResponse(
            sent_on=self.sent_on,
            resolutions=self.resolutions,
            remedies_pence=self.remedies_pence,
            by=acting.by,
        )
        out = Changes(
            fields={
                "status": status,
                "responses": {**case.responses, "stage3": reply},
                "remedies_pence": case.remedies_pence + self.remedies_pence,
            }
        )
        out.deadlines = {Step.STAGE3_RESPONSE.value: None}
        found = case.findings.get("stage3", ())
        out.letters[Purpose.STAGE3_OUTCOME] = outcome_context(
            "stage3", found, self.sent_on, "ombudsman", None
        )
        return out
