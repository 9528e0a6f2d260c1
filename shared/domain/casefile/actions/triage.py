"""Triage: a representation is accepted into a procedure, declined or routed elsewhere; a comment or
compliment is recorded. Sources: ../notes/statutory-rules.md and docs/decisions.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from shared.domain.casefile import checks
from shared.domain.casefile.catalogue import THIRD, ActionSpec, CaseCommand
from shared.domain.casefile.changes import Acting, Changes
from shared.domain.casefile.model import (
    Case,
    ChildWishes,
    ComplimentShared,
    Day,
    Label,
    LateDiscretion,
    OralSummary,
    Reason,
    SufficientInterest,
    Text,
)
from shared.domain.errors import NotEligible
from shared.domain.notices import Purpose
from shared.domain.policy import Step
from shared.domain.stages import Action, Actor, Status
from shared.domain.triage import (
    DEFERRED,
    ExcludedMatter,
    LateComplaintDecision,
    SufficientInterestDecision,
    route,
)
from shared.domain.vocabulary import ROLE_WORDS, STATUTORY_ROLES, Channel, ComplainantRole, Kind, Procedure


def _needs_sufficient_interest(case: Case, actor: Actor, by: str | None) -> None:
    if case.needs_sufficient_interest_decision:
        return
    role = case.complainant.role
    if role in STATUTORY_ROLES:
        checks.refuse(
            f"the complainant's role gives a right to complain ({ROLE_WORDS[ComplainantRole(role)]}: "
            "s.26(3) to (3C), s.24D): no sufficient-interest decision is needed"
        )
    if role == ComplainantRole.ADVOCATE:
        checks.refuse("an advocate acts for the child: check the child's wishes, not a sufficient interest")
    checks.refuse(
        "the complaint is not about children's social care: the statutory procedure is not open to anyone, "
        "so no sufficient-interest decision is needed"
    )


def advocacy_words(acting: Acting) -> dict[str, Any]:
    """What a letter says about advocacy: whether an advocate is recorded, and how to reach one."""
    advocacy, policy = acting.case.advocacy, acting.policy
    return {
        "has_advocate": advocacy.accepted is True
        or (advocacy.wish == "has-one" and advocacy.accepted is not False),
        "advocacy_service": policy.advocacy_service_name,
        "advocacy_contact": policy.advocacy_service_contact,
    }


def _child_voice_heard(case: Case, actor: Actor, by: str | None) -> None:
    """A child's own complaint goes ahead only with the offer of an advocate recorded (s.26A: the child is
    told of advocacy services); one made for a child by someone else only with the child's own wishes and
    views recorded (Getting the Best from Complaints: the council checks the child agrees)."""
    if case.by_a_child and not case.advocacy.offered:
        checks.refuse(
            "a child's complaint is accepted with the offer of an advocate recorded: offer one first (offer-advocacy)"
        )
    if case.made_for_a_child and case.child_views is None:
        checks.refuse(
            "the complaint is made for a child: record the child's own wishes and views first (record-child-views)"
        )


def statutory_standing(case: Case) -> None:
    """The statutory procedure is open to someone the Act does not name only after the council decided
    they have a sufficient interest in the child's welfare (s.26(3)(e))."""
    if not case.needs_sufficient_interest_decision:
        return
    decided = case.sufficient_interest
    if decided is None:
        checks.refuse(
            "the statutory procedure needs the sufficient-interest decision recorded first "
            "(decide-sufficient-interest)"
        )
    if not decided.accepted:
        checks.refuse(
            "the council decided the complainant has no sufficient interest: accept into the "
            "corporate procedure, or decline"
        )


class Accept(CaseCommand):
    """Accept into stage 1 of the procedure the officer chose, with the reasons. A complaint made for a
    child whose own view is that they do not agree is accepted only as the complainant's own complaint
    (``as_own_complaint``), never as the child's."""

    spec = ActionSpec(
        "Accept into a procedure",
        moves=Action.ACCEPT,
        checks=(_child_voice_heard,),
        letters=(Purpose.CASE_ACCEPTED,),
    )
    action: Literal["accept"]
    procedure: Procedure
    reason: Reason
    as_own_complaint: StrictBool = False

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        disagrees = case.child_views is not None and case.child_views.wishes is ChildWishes.DOES_NOT_AGREE
        if disagrees and not self.as_own_complaint:
            checks.refuse(
                "the child does not agree with the complaint made for them, and their view comes first: decline "
                "it, or accept it as the complainant's own complaint (as_own_complaint)"
            )
        if self.as_own_complaint and not disagrees:
            checks.refuse("as_own_complaint is for a complaint made for a child who does not agree with it")
        if self.as_own_complaint and case.complainant.role == ComplainantRole.ADVOCATE:
            checks.refuse(
                "an advocate speaks for the child and has no complaint of their own: the child does not agree, "
                "so decline it"
            )
        if self.procedure is Procedure.STATUTORY:
            statutory_standing(case)
        if case.late:
            discretion = case.late_discretion
            if discretion is None:
                checks.refuse("the complaint is late: record the discretion first (decide-late-complaint)")
            elif not discretion.accepted:
                checks.refuse("the discretion to consider the late complaint was not exercised: decline it")
        status = acting.transition(Action.ACCEPT)
        # Stage 1 runs from receipt (deemed receipt where the policy says so), whatever the day of triage.
        stage1 = acting.deadline(Step.STAGE1, case.deemed_received, self.procedure)
        out = Changes(
            fields={"status": status, "procedure": self.procedure, "as_own_complaint": self.as_own_complaint}
        )
        out.deadlines[Step.STAGE1.value] = stage1
        out.letters[Purpose.CASE_ACCEPTED] = {
            "procedure": self.procedure,
            "stage": "stage1",
            "due": stage1.due,
            **advocacy_words(acting),
        }
        return out


class DecideSufficientInterest(CaseCommand):
    """Whether a complainant the Children Act does not name has a sufficient interest in the child's
    welfare (s.26(3)(e); for a child with a special guardian, s.26(3C)(c)): the reasons always, and the
    person is told in writing either way (the letter says, when refused, why the statutory procedure is
    not open to them and that the corporate procedure and then the Ombudsman are). ``child_told``
    records whether the child was told (None: not appropriate)."""

    spec = ActionSpec(
        "Decide sufficient interest",
        statuses=(Status.RECEIVED,),
        held_ok=True,
        checks=(_needs_sufficient_interest,),
        letters=(Purpose.SUFFICIENT_INTEREST_DECIDED,),
    )
    action: Literal["decide-sufficient-interest"]
    accepted: StrictBool
    reasons: Reason
    child_told: StrictBool | None = None

    def decide(self, acting: Acting) -> Changes:
        try:  # told: this decision owes the complainant its letter
            SufficientInterestDecision(self.accepted, self.reasons, True, self.child_told)
        except NotEligible as refused:
            checks.refuse(refused.reason)
        decided = SufficientInterest(
            accepted=self.accepted,
            reasons=self.reasons,
            complainant_told=True,
            child_told=self.child_told,
            decided_on=acting.today,
        )
        out = Changes(fields={"sufficient_interest": decided})
        out.letters[Purpose.SUFFICIENT_INTEREST_DECIDED] = {
            "accepted": self.accepted,
            "decided_on": acting.today,
        }
        return out


class DecideLateComplaint(CaseCommand):
    """The discretion on a complaint made after the time limit: both tests, with the reasons."""

    spec = ActionSpec("Decide on a late complaint", statuses=(Status.RECEIVED,), held_ok=True)
    action: Literal["decide-late-complaint"]
    not_reasonable_to_expect_sooner: StrictBool
    still_fair_to_consider: StrictBool
    reasons: Reason

    def decide(self, acting: Acting) -> Changes:
        sooner, fair = self.not_reasonable_to_expect_sooner, self.still_fair_to_consider
        try:
            LateComplaintDecision(sooner, fair, self.reasons)
        except NotEligible as refused:
            checks.refuse(refused.reason)
        discretion = LateDiscretion(
            not_reasonable_to_expect_sooner=sooner,
            still_fair_to_consider=fair,
            reasons=self.reasons,
            decided_on=acting.today,
        )
        return Changes(fields={"late": True, "late_discretion": discretion})


class Decline(CaseCommand):
    """Not eligible, or late without discretion: the complainant is told in writing why, and where they
    may go instead (the reason is the officer's own words, written for the complainant)."""

    spec = ActionSpec(
        "Decline", moves=Action.DECLINE, complaints_only=False, letters=(Purpose.CASE_DECLINED,)
    )
    action: Literal["decline"]
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        out = Changes()
        out.end(acting, Action.DECLINE)
        out.letters[Purpose.CASE_DECLINED] = {"reason": self.reason, "declined_on": acting.today}
        return out


class RouteElsewhere(CaseCommand):
    """An excluded matter, sent to where it belongs (matters reg 8 defers are put on hold instead)."""

    spec = ActionSpec(
        "Route to another procedure",
        moves=Action.ROUTE,
        complaints_only=False,
        letters=(Purpose.CASE_ROUTED,),
    )
    action: Literal["route"]
    matter: ExcludedMatter
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        if self.matter in DEFERRED:
            checks.refuse(f"'{self.matter}' is deferred by reg 8, not routed: put the case on hold (hold)")
        out = Changes()
        out.end(acting, Action.ROUTE)
        destination = route(self.matter).destination
        out.fields["routed_to"] = destination
        out.letters[Purpose.CASE_ROUTED] = {
            "matter": self.matter,
            "destination": destination,
            "reason": self.reason,
            "routed_on": acting.today,
        }
        return out


class RecordFeedback(CaseCommand):
    """A comment or compliment is recorded, with who (people or teams) it is about."""

    spec = ActionSpec("Record", moves=Action.RECORD, complaints_only=False, export=THIRD)
    action: Literal["record"]
    categories: tuple[Label, ...] = ()
    about: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = ()

    def decide(self, acting: Acting) -> Changes:
        policy = acting.policy
        checks.known(self.categories, policy.compliment_categories + policy.complaint_categories)
        if acting.case.kind is Kind.COMPLIMENT and not self.about:
            checks.refuse("a compliment records who it is about (about)")
        fields = {
            "status": acting.transition(Action.RECORD),
            "categories": self.categories,
            "compliment_about": self.about,
        }
        return Changes(fields=fields)


def _a_compliment(case: Case, actor: Actor, by: str | None) -> None:
    if case.kind is not Kind.COMPLIMENT:
        checks.refuse("only a compliment is shared with the person it is about")


def _shareable(case: Case, actor: Actor, by: str | None) -> None:
    if case.status is not Status.CLOSED:
        checks.refuse(f"record the compliment first (it is '{case.status}')")
    if case.compliment_shared is not None:
        checks.refuse(f"the compliment was already shared on {case.compliment_shared.with_person_on}")


class ShareCompliment(CaseCommand):
    """The compliment was shared with the person it is about and with their managers."""

    spec = ActionSpec(
        "Share the compliment",
        who=checks.MANAGERS,
        complaints_only=False,
        ended_ok=True,
        held_ok=True,
        checks=(_a_compliment, _shareable),
        export=THIRD,
    )
    action: Literal["share-compliment"]
    with_person_on: Day
    with_managers_on: Day

    def decide(self, acting: Acting) -> Changes:
        days = (
            (self.with_person_on, "sharing with the person"),
            (self.with_managers_on, "sharing with managers"),
        )
        for day, what in days:
            checks.not_future(day, what, acting.today)
            checks.not_before(day, acting.case.received_date, what, "the compliment's receipt")
        shared = ComplimentShared(with_person_on=self.with_person_on, with_managers_on=self.with_managers_on)
        return Changes(fields={"compliment_shared": shared})


#: The statuses at which a complaint's procedure may still change: its stage 1 or stage 2 runs, or the
#: complainant may ask for stage 2 (a corporate case has no stage 3 to move into).
PROCEDURE_MAY_CHANGE = (Status.STAGE1, Status.STAGE1_RESPONDED, Status.STAGE2)
_RECOUNTED = (Step.STAGE1, Step.STAGE2_REQUEST, Step.STAGE2)


class ChangeProcedure(CaseCommand):
    """A case accepted under the wrong procedure moves to the other one (corporate <-> statutory), with
    the reason: its deadlines are counted again from their starts by the new procedure's timescales
    (an extension is not carried over: extend again if it is needed), and the complainant is told the
    new dates."""

    spec = ActionSpec(
        "Change the procedure",
        statuses=PROCEDURE_MAY_CHANGE,
        held_ok=True,
        letters=(Purpose.PROCEDURE_CHANGED,),
    )
    action: Literal["change-procedure"]
    procedure: Procedure
    reason: Reason

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        if self.procedure is case.procedure:
            checks.refuse(f"the case is already under the {self.procedure} procedure")
        if self.procedure is Procedure.STATUTORY:
            statutory_standing(case)
        out = Changes(fields={"procedure": self.procedure})
        for deadlines, moved in ((case.deadlines, out.deadlines), (case.paused_deadlines, out.paused)):
            for key, deadline in deadlines.items():
                if deadline.step in _RECOUNTED:
                    recounted = acting.deadline(deadline.step, deadline.start, self.procedure)
                    moved[key] = deadline.model_copy(
                        update={"due": recounted.due, "extended": False, "extended_by": 0, "reason": None}
                    )
        dues = {key: d.due for key, d in out.deadlines.items() if d is not None}
        out.letters[Purpose.PROCEDURE_CHANGED] = {
            "new_procedure": self.procedure,
            "stage": case.status,
            "dues": dues,
        }
        return out


def _by_phone_or_in_person(case: Case, actor: Actor, by: str | None) -> None:
    if case.channel not in (Channel.PHONE, Channel.IN_PERSON):
        checks.refuse(
            f"a written summary is for a complaint made by phone or in person, not by {case.channel}"
        )


class RecordOralSummary(CaseCommand):
    """A complaint made by phone or in person, written down and sent to the complainant to agree that it
    says what they told us (Getting the Best from Complaints: an oral complaint is put in writing)."""

    spec = ActionSpec(
        "Send the written summary",
        statuses=(Status.RECEIVED, Status.STAGE1),
        held_ok=True,
        checks=(_by_phone_or_in_person,),
        letters=(Purpose.ORAL_SUMMARY,),
    )
    action: Literal["send-summary"]
    summary: Text
    sent_on: Day

    def decide(self, acting: Acting) -> Changes:
        case = acting.case
        checks.not_future(self.sent_on, "the summary", acting.today)
        checks.not_before(self.sent_on, case.received_date, "the summary", "the complaint's receipt")
        out = Changes(fields={"oral_summary": OralSummary(summary=self.summary, sent_on=self.sent_on)})
        out.letters[Purpose.ORAL_SUMMARY] = {"summary": self.summary, "sent_on": self.sent_on}
        return out


def _summary_sent(case: Case, actor: Actor, by: str | None) -> None:
    if case.oral_summary is None:
        checks.refuse("no written summary has been sent (send-summary)")


class OralSummaryAgreed(CaseCommand):
    """The complainant agreed the written summary (a corrected one is sent again first)."""

    spec = ActionSpec(
        "Record the summary agreed",
        statuses=(Status.RECEIVED, Status.STAGE1),
        held_ok=True,
        checks=(_summary_sent,),
    )
    action: Literal["summary-agreed"]
    agreed_on: Day

    def decide(self, acting: Acting) -> Changes:
        summary = acting.case.oral_summary
        assert summary is not None
        checks.not_future(self.agreed_on, "the agreement", acting.today)
        checks.not_before(self.agreed_on, summary.sent_on, "the agreement", "the summary")
        return Changes(fields={"oral_summary": summary.model_copy(update={"agreed_on": self.agreed_on})})
