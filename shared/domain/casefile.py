"""The case as one aggregate: a typed :class:`Case` and its single entry point :func:`apply`, which decides
every change an officer (or the complainant, or a timer) asks for: the stage state machine, who may act,
deadlines, pauses and extensions, triage decisions, independence of the people appointed, the Ombudsman
strand, action plans, and the letters owed to the complainant. It returns a :class:`Decision` or refuses
with :class:`~shared.domain.errors.IllegalTransition`, whose reason says why and lists the actions
possible now. No boto3, no clock of its own: time is passed in.

Commands are the officer API's ``{"action": ...}`` bodies, one model per action (a discriminated union),
so the API validates them and documents each with its fields. Rules and their sources are in
../notes/statutory-rules.md ("the rules") and docs/decisions.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, NoReturn

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic_core import to_jsonable_python

from shared.domain.calendar import london_date
from shared.domain.errors import IllegalTransition, NotEligible, NotPermitted
from shared.domain.people import (
    PeopleRegister,
    Person,
    PersonId,
    independent_person_refusal,
    investigator_refusal,
    panel_member_refusal,
)
from shared.domain.policy import CouncilPolicy, Step
from shared.domain.representation import single_mailbox
from shared.domain.stages import (
    TERMINAL,
    Action,
    Actor,
    Status,
    Track,
    next_status,
    track_for,
)
from shared.domain.triage import (
    DEFERRED,
    DeferredMatter,
    ExcludedMatter,
    HoldMatter,
    LateComplaintDecision,
    SufficientInterestDecision,
    route,
)
from shared.domain.vocabulary import Channel, Kind, Outcome, Procedure

Reason = Annotated[str, Field(min_length=10, max_length=2000)]
Text = Annotated[str, Field(min_length=1, max_length=5000)]
Label = Annotated[str, Field(min_length=1, max_length=100)]
Username = Annotated[str, Field(min_length=1, max_length=128)]
Pence = Annotated[int, Field(ge=0, le=100_000_000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Stored(BaseModel):
    """Parts of the case as intake stores them (extra keys tolerated: older items may carry more)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class OfferChannel(StrEnum):
    """How an advocate was offered."""

    ONLINE_FORM = "online-form"
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in-person"


class Advocacy(_Stored):
    """Advocacy (s.26A): whether it was offered (when and how), accepted, and who provides it."""

    offered: StrictBool
    wish: str | None = None  # None: not asked
    arrange_by: date | None = None  # asked for one: the team arranges it by then (council policy)
    advocate_name: str | None = None
    advocate_organisation: str | None = None
    advocate_email: str | None = None
    offered_on: date | None = None
    offered_how: OfferChannel | None = None
    accepted: StrictBool | None = None  # None: not yet answered


class Complainant(_Stored):
    role: str
    on_behalf_of: str | None = None
    child_name: str | None = None
    child_date_of_birth: date | None = None
    child_view: str | None = None  # whether the child knows about it and agrees
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    preferred_contact: str | None = None


class Details(_Stored):
    subject: str | None = None  # what a complaint is about (with the role, its eligibility)
    what_happened: str
    when_happened: date | None = None
    raised_already: StrictBool | None = None
    outcome_wanted: str | None = None
    support_needs: str | None = None  # free text, from before the closed list
    support: tuple[str, ...] = ()
    interpreter_language: str | None = None
    support_other: str | None = None
    team_or_worker: str | None = None


class Deadline(_Model):
    """A timed step: from ``start``, due on ``due`` (working days by the policy). ``paused_on`` is set while
    its clock is stopped (the case on hold, stage 1 paused, or the case ended)."""

    step: Step
    start: date
    due: date
    extended: StrictBool = False
    reason: str | None = None  # why it was extended
    paused_on: date | None = None
    # Set by apply() whenever the deadline is set or moved: the case version that did it (the stage
    # workflow names its timer after it) and the working days from start to due by the calendar of the
    # day (extensions and stopped days included), so that a changed calendar can move the due date.
    revision: int = 0
    working_days: int | None = None


class Finding(_Model):
    point: Annotated[str, Field(min_length=1, max_length=500)]
    outcome: Outcome


class SufficientInterest(_Model):
    """The council's decision on "any other person with sufficient interest" (s.26(3)(e))."""

    accepted: StrictBool
    reasons: Reason
    complainant_told: StrictBool
    child_told: bool | None  # None: not appropriate to tell the child
    decided_on: date


class LateDiscretion(_Model):
    """The discretion used on a complaint made after the time limit (reg 9): both tests and the reasons."""

    not_reasonable_to_expect_sooner: StrictBool
    still_fair_to_consider: StrictBool
    reasons: Reason
    decided_on: date

    @property
    def accepted(self) -> bool:
        return self.not_reasonable_to_expect_sooner and self.still_fair_to_consider


class Hold(_Model):
    matter: HoldMatter
    reason: Reason
    since: date


class Attestation(_Model):
    """The appointee's own statement: their declarations in the register are true and they have no
    connection with this case."""

    attested_on: date
    declarations_true: StrictBool
    no_connection_with_the_case: StrictBool


class Appointment(_Model):
    """Who was appointed, as the register declared them at the time, with their attestation."""

    person: Person
    attestation: Attestation
    appointed_on: date


class InvestigationReport(_Model):
    submitted_on: date
    findings: tuple[Finding, ...]
    recorded_by: str


class Stage2(_Model):
    investigator: Appointment | None = None
    independent_person: Appointment | None = None
    report: InvestigationReport | None = None


class Attendee(_Model):
    """Who comes to the panel with the complainant (reg 19): an advocate and one other person."""

    role: Literal["advocate", "other"]
    name: Annotated[str, Field(min_length=1, max_length=200)]


class Panel(_Model):
    members: tuple[Appointment, ...]
    chair: PersonId
    meeting_on: date
    convened_on: date


class PanelMeeting(_Model):
    met_on: date
    attendees: tuple[Attendee, ...]


class PanelReport(_Model):
    reported_on: date
    findings: tuple[Finding, ...]
    sent_to_complainant: StrictBool
    sent_to_independent_person: StrictBool


class Stage3(_Model):
    panel: Panel | None = None
    meeting: PanelMeeting | None = None
    report: PanelReport | None = None


class StageDates(_Model):
    """One stage's dates, kept on the case after the stage ends (reports count from them): its start, its
    standard due date (moved on by pauses), its extended due date where it was extended, and the date its
    response was sent."""

    started_on: date
    due_on: date
    extended_due_on: date | None = None
    sent_on: date | None = None


class StageResponse(_Model):
    sent_on: date
    resolutions: tuple[str, ...] = ()
    remedies_pence: int = 0


class OmbudsmanOutcome(StrEnum):
    UPHELD = "upheld"
    NOT_UPHELD = "not-upheld"


class OmbudsmanEnquiry(_Model):
    """One complaint to the LGSCO: the complainant's route, tracked beside the stages."""

    received_on: date
    ombudsman_reference: str | None = None
    status_at_enquiry: Status
    returned_premature_on: date | None = None
    not_investigated_on: date | None = None
    decision: OmbudsmanOutcome | None = None
    decided_on: date | None = None
    remedy_pence: int = 0
    remedies: tuple[str, ...] = ()
    compliance_due: date | None = None
    complied_on: date | None = None

    @property
    def open(self) -> bool:
        return (
            self.returned_premature_on is None and self.not_investigated_on is None and self.decision is None
        )


class ActionItem(_Model):
    """One action of the plan from an upheld complaint, monitored until done."""

    item_id: str
    description: Annotated[str, Field(min_length=1, max_length=1000)]
    owner: str
    due_on: date
    status: Literal["open", "done"] = "open"
    added_on: date
    done_on: date | None = None
    revision: int = 0  # the case version that last set its owner or due date (its timer's name)


class ComplimentShared(_Model):
    with_person_on: date
    with_managers_on: date


class Case(_Stored):
    """Everything Heard knows about one representation, typed. Built from the stored item; every field
    added after intake has a default, so older items still load."""

    case_id: str
    reference: str
    kind: Kind
    status: Status
    channel: Channel
    received_at: datetime
    received_date: date
    deemed_received: date
    financial_year: int
    acknowledgement_due: date
    acknowledgement_revision: int = 0  # the case version that last moved acknowledgement_due
    stage1_due: date | None = None
    suggested_procedure: Procedure | None = None  # None: a comment or compliment has no procedure
    procedure_reason: str
    procedure: Procedure | None = None  # the officer's decision (None until accepted)
    needs_sufficient_interest_decision: StrictBool = False
    needs_child_wishes_check: StrictBool = False
    late: StrictBool = False
    by_a_child: StrictBool
    about_a_child: StrictBool
    service_area: str | None = None
    advocacy: Advocacy
    complainant: Complainant
    details: Details
    notifications: dict[str, str] = Field(default_factory=dict)
    version: int = 1
    last_event: int = 1  # the sequence number of the last event in the chronology
    allocated_manager: str | None = None
    categories: tuple[str, ...] = ()
    complaint_points: tuple[str, ...] = ()
    deadlines: dict[str, Deadline] = Field(default_factory=dict)  # running ones, by Step value
    paused_deadlines: dict[str, Deadline] = Field(default_factory=dict)  # stopped, by Step value
    findings: dict[str, tuple[Finding, ...]] = Field(default_factory=dict)  # by stage
    responses: dict[str, StageResponse] = Field(default_factory=dict)  # by stage
    stage_dates: dict[str, StageDates] = Field(default_factory=dict)  # by stage: stage1, stage2, stage3
    remedies_pence: int = 0
    routed_to: str | None = None
    sufficient_interest: SufficientInterest | None = None
    late_discretion: LateDiscretion | None = None
    about_staff: tuple[str, ...] = ()  # staff users the complaint is about
    hold: Hold | None = None
    ended_from: Status | None = None  # the status the case was at when it ended
    stage2: Stage2 = Stage2()
    stage3: Stage3 = Stage3()
    ombudsman: tuple[OmbudsmanEnquiry, ...] = ()  # oldest first
    action_plan: tuple[ActionItem, ...] = ()
    compliment_about: tuple[str, ...] = ()
    compliment_shared: ComplimentShared | None = None

    @property
    def track(self) -> Track:
        return track_for(self.kind, self.the_procedure)

    @property
    def the_procedure(self) -> Procedure:
        """The decided or suggested procedure (a comment or compliment, which has none, is tracked as
        feedback whatever this says)."""
        return self.procedure or self.suggested_procedure or Procedure.CORPORATE

    @property
    def investigator_user(self) -> str | None:
        """The staff user of the appointed investigating officer (their scope: this case at stage 2)."""
        appointed = self.stage2.investigator
        return appointed.person.staff_user if appointed else None

    def possible_actions(self, actor: Actor, by: str | None = None) -> tuple[str, ...]:
        """Every action ``actor`` (the staff user ``by``, where it matters) may take now."""
        possible = []
        for name, guard in _GUARDS.items():
            try:
                _not_about_them(self, actor, by)
                guard(self, actor, by)
            except IllegalTransition:
                continue
            possible.append(name)
        return tuple(possible)

    def running_stage(self) -> Step | None:
        """The stage whose deadline runs now, if any."""
        step = _RUNNING.get(self.status)
        return step if step is not None and step.value in self.deadlines else None


_STAFF = frozenset(
    {Actor.COMPLAINTS_OFFICER, Actor.SERVICE_MANAGER, Actor.INVESTIGATOR, Actor.SENIOR_LEADERSHIP}
)
_OFFICER = frozenset({Actor.COMPLAINTS_OFFICER})
_MANAGERS = frozenset({Actor.COMPLAINTS_OFFICER, Actor.SERVICE_MANAGER})
_RUNNING: dict[Status, Step] = {Status.STAGE1: Step.STAGE1, Status.STAGE2: Step.STAGE2}


# --- commands: the officer API's bodies -------------------------------------------------------------


class Accept(_Model):
    """Accept into stage 1 of the procedure the officer chose, with the reasons."""

    action: Literal["accept"]
    procedure: Procedure
    reason: Reason


class DecideSufficientInterest(_Model):
    """Whether "any other person" has sufficient interest in the child's welfare (s.26(3)(e)): reasons
    always; a refusal must have been told to the person."""

    action: Literal["decide-sufficient-interest"]
    accepted: StrictBool
    reasons: Reason
    complainant_told: StrictBool = False
    child_told: StrictBool | None = None


class DecideLateComplaint(_Model):
    """The discretion on a complaint made after the time limit: both tests, with the reasons."""

    action: Literal["decide-late-complaint"]
    not_reasonable_to_expect_sooner: StrictBool
    still_fair_to_consider: StrictBool
    reasons: Reason


class Decline(_Model):
    action: Literal["decline"]
    reason: Reason


class RouteElsewhere(_Model):
    """An excluded matter, sent to where it belongs (matters reg 8 defers are put on hold instead)."""

    action: Literal["route"]
    matter: ExcludedMatter
    reason: Reason


class OfferAdvocacy(_Model):
    action: Literal["offer-advocacy"]
    offered_on: date
    how: OfferChannel


class RecordAdvocacy(_Model):
    """The answer to the offer; when accepted, who provides the advocate."""

    action: Literal["record-advocacy"]
    accepted: StrictBool
    provider: Label | None = None
    advocate_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class ChangeAdvocacy(_Model):
    """A new advocate (or advocacy service): the previous one's email no longer gets copies."""

    action: Literal["change-advocacy"]
    provider: Label
    advocate_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    advocate_email: Annotated[str, Field(max_length=254)] | None = None
    reason: Reason

    @field_validator("advocate_email")
    @classmethod
    def _one_mailbox(cls, value: str | None) -> str | None:
        return single_mailbox(value) if value is not None and value.strip() else None  # blank: none


class RecordFeedback(_Model):
    """A comment or compliment is recorded, with who (people or teams) it is about."""

    action: Literal["record"]
    categories: tuple[Label, ...] = ()
    about: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = ()


class ShareCompliment(_Model):
    """The compliment was shared with the person it is about and with their managers."""

    action: Literal["share-compliment"]
    with_person_on: date
    with_managers_on: date


class Allocate(_Model):
    """The manager responsible for the response, with the complaint's categories and points and the
    service area complained about."""

    action: Literal["allocate"]
    manager: Username
    categories: tuple[Label, ...] = ()
    complaint_points: tuple[Annotated[str, Field(min_length=1, max_length=500)], ...] = ()
    service_area: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")] | None = None


class AboutStaff(_Model):
    """The staff users the complaint is about: they may not be allocated or appointed to it."""

    action: Literal["about-staff"]
    staff: tuple[Username, ...] = Field(min_length=1)


class Extend(_Model):
    """Extend the running stage to its statutory maximum, with the reason; for stage 2, the complainant
    must have been told why and given the new date."""

    action: Literal["extend"]
    reason: Reason
    complainant_told: StrictBool = False


class PauseStage1(_Model):
    """Stop stage 1's clock while an advocate is appointed (s.26A)."""

    action: Literal["pause-stage1"]
    reason: Reason


class PutOnHold(_Model):
    """Defer the complaint while it would prejudice other proceedings (reg 8): the clocks stop."""

    action: Literal["hold"]
    matter: DeferredMatter
    reason: Reason


class Resume(_Model):
    """End a hold or a stage 1 pause: every stopped deadline moves on by the working days it was stopped."""

    action: Literal["resume"]
    reason: Reason


class RespondStage1(_Model):
    action: Literal["respond-stage1"]
    sent_on: date
    findings: tuple[Finding, ...] = Field(min_length=1)
    resolutions: tuple[Label, ...] = ()
    remedies_pence: Pence = 0


class RequestStage2(_Model):
    """The complainant asks for an investigation. After the window closed: only with ``late_reason``.
    Before a stage 1 response: only if stage 1 overran its deadline, or with ``agreed_reason`` when the
    complainant and the council agree to go straight to stage 2."""

    action: Literal["request-stage2"]
    requested_on: date
    late_reason: Reason | None = None
    agreed_reason: Reason | None = None


class Attested(_Model):
    person_id: PersonId
    attestation: Attestation


class AppointInvestigator(_Model):
    action: Literal["appoint-investigator"]
    person_id: PersonId
    attestation: Attestation


class AppointIndependentPerson(_Model):
    action: Literal["appoint-independent-person"]
    person_id: PersonId
    attestation: Attestation


class RecordInvestigationReport(_Model):
    action: Literal["record-investigation-report"]
    submitted_on: date
    findings: tuple[Finding, ...] = Field(min_length=1)


class RespondStage2(_Model):
    """The adjudication: a senior manager's response to the investigation."""

    action: Literal["respond-stage2"]
    sent_on: date
    findings: tuple[Finding, ...] = Field(min_length=1)
    resolutions: tuple[Label, ...] = ()
    remedies_pence: Pence = 0


class RequestStage3(_Model):
    """The complainant asks for a review panel: within 20 working days (reg 18), later only with a reason."""

    action: Literal["request-stage3"]
    requested_on: date
    late_reason: Reason | None = None


class ConvenePanel(_Model):
    """Three independent people, one of whom chairs, and the date they meet (reg 19)."""

    action: Literal["convene-panel"]
    members: tuple[Attested, ...]
    chair: PersonId
    meeting_on: date


class PanelMet(_Model):
    action: Literal["panel-met"]
    met_on: date
    attendees: tuple[Attendee, ...] = ()


class PanelReported(_Model):
    """The panel's report, sent to the complainant and the stage 2 independent person (reg 20)."""

    action: Literal["panel-reported"]
    reported_on: date
    findings: tuple[Finding, ...] = Field(min_length=1)
    sent_to_complainant: StrictBool
    sent_to_independent_person: StrictBool


class RespondStage3(_Model):
    """The authority's response to the panel (reg 20): made with the independent person's view, saying
    what it will do and how to go to the Ombudsman."""

    action: Literal["respond-stage3"]
    sent_on: date
    independent_person_view_considered: StrictBool
    ombudsman_details_given: StrictBool
    resolutions: tuple[Label, ...] = ()
    remedies_pence: Pence = 0


class WindowExpired(_Model):
    """The complainant's window to escalate ended without a request (a timer, or the officer)."""

    action: Literal["window-expired"]


class Withdraw(_Model):
    action: Literal["withdraw"]
    reason: Reason


class Close(_Model):
    action: Literal["close"]
    reason: Reason


class Reopen(_Model):
    """Reopen an ended case at the status it ended at; its stopped deadlines move on."""

    action: Literal["reopen"]
    reason: Reason


class OmbudsmanEnquiryReceived(_Model):
    action: Literal["ombudsman-enquiry"]
    received_on: date
    ombudsman_reference: Annotated[str, Field(pattern=r"^[A-Za-z0-9/-]{1,40}$")] | None = None


class OmbudsmanPremature(_Model):
    action: Literal["ombudsman-premature"]
    returned_on: date


class OmbudsmanNotInvestigated(_Model):
    action: Literal["ombudsman-not-investigated"]
    decided_on: date


class OmbudsmanDecision(_Model):
    action: Literal["ombudsman-decision"]
    decided_on: date
    outcome: OmbudsmanOutcome
    remedy_pence: Pence = 0
    remedies: tuple[Label, ...] = ()
    compliance_due: date | None = None


class OmbudsmanComplied(_Model):
    action: Literal["ombudsman-complied"]
    complied_on: date


class AddAction(_Model):
    action: Literal["add-action"]
    description: Annotated[str, Field(min_length=1, max_length=1000)]
    owner: Username
    due_on: date


class UpdateAction(_Model):
    action: Literal["update-action"]
    item_id: Annotated[str, Field(pattern=r"^A[0-9]{1,4}$")]
    status: Literal["open", "done"] | None = None
    due_on: date | None = None
    owner: Username | None = None


class Note(_Model):
    """An officer's case note: appended to the chronology, never edited."""

    action: Literal["note"]
    text: Text


Command = Annotated[
    Accept
    | DecideSufficientInterest
    | DecideLateComplaint
    | Decline
    | RouteElsewhere
    | OfferAdvocacy
    | RecordAdvocacy
    | ChangeAdvocacy
    | RecordFeedback
    | ShareCompliment
    | Allocate
    | AboutStaff
    | Extend
    | PauseStage1
    | PutOnHold
    | Resume
    | RespondStage1
    | RequestStage2
    | AppointInvestigator
    | AppointIndependentPerson
    | RecordInvestigationReport
    | RespondStage2
    | RequestStage3
    | ConvenePanel
    | PanelMet
    | PanelReported
    | RespondStage3
    | WindowExpired
    | Withdraw
    | Close
    | Reopen
    | OmbudsmanEnquiryReceived
    | OmbudsmanPremature
    | OmbudsmanNotInvestigated
    | OmbudsmanDecision
    | OmbudsmanComplied
    | AddAction
    | UpdateAction
    | Note,
    Field(discriminator="action"),
]


def people_named(command: Command) -> tuple[str, ...]:
    """The register entries ``apply`` needs for ``command`` (load only these)."""
    match command:
        case AppointInvestigator(person_id=one) | AppointIndependentPerson(person_id=one):
            return (one,)
        case ConvenePanel(members=members):
            return tuple(m.person_id for m in members)
    return ()


# --- the decision -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEvent:
    """One entry to append to the chronology: the aggregate numbers it."""

    sequence: int
    at: datetime
    actor: Actor
    by: str  # the staff user (or "public", "system")
    action: str
    changes: dict[str, Any]


class NoticePurpose(StrEnum):
    """Letters and emails owed to the complainant when the case changes."""

    CASE_ACCEPTED = "case-accepted"
    DEADLINE_EXTENDED = "deadline-extended"
    ON_HOLD = "case-on-hold"
    RESUMED = "case-resumed"
    STAGE1_OUTCOME = "stage1-outcome"
    STAGE2_STARTED = "stage2-started"
    STAGE2_OUTCOME = "stage2-outcome"
    STAGE3_STARTED = "stage3-started"
    STAGE3_OUTCOME = "stage3-outcome"
    CASE_CLOSED = "case-closed"  # the window to ask for the next stage ended without a request


@dataclass(frozen=True)
class OwedNotification:
    """A letter or email owed to the complainant, as plain data: the persistence layer addresses it (by
    the complainant's contact preference and consent) and writes it through the reliable notification
    path. ``template`` is one template with adult and child-friendly wording (``child_friendly``);
    ``context`` holds only the reference, dates, stage and outcome codes, never free text."""

    purpose: NoticePurpose
    template: str
    child_friendly: StrictBool
    context: dict[str, Any]
    recipient: Literal["complainant"] = "complainant"


@dataclass(frozen=True)
class Decision:
    case: Case
    events: tuple[NewEvent, ...]
    deadlines_changed: dict[str, date | None]
    notifications: tuple[OwedNotification, ...] = field(default=())


@dataclass
class _Outcome:
    """What :func:`_decide` returns: the field changes, the deadline changes (None: no longer running;
    paused deadlines move to ``paused``) and the notifications owed."""

    changes: dict[str, Any] = field(default_factory=dict)
    deadlines: dict[str, Deadline | None] = field(default_factory=dict)
    paused: dict[str, Deadline | None] = field(default_factory=dict)
    owed: list[tuple[NoticePurpose, dict[str, Any]]] = field(default_factory=list)


def apply(
    case: Case,
    command: Command,
    actor: Actor,
    by: str,
    now: datetime,
    policy: CouncilPolicy,
    *,
    people: PeopleRegister | None = None,
) -> Decision:
    """Decide ``command`` on ``case``: the new case (version + 1), the events to append, the deadlines
    that changed and the notifications owed; or :class:`IllegalTransition` with the reason and the actions
    possible now. ``people`` holds the register entries an appointment names (:func:`people_named`)."""
    try:
        _not_about_them(case, actor, by)
        _GUARDS[command.action](case, actor, by)
        outcome = _decide(case, command, actor, by, london_date(now), policy, people or {})
    except IllegalTransition as refused:
        possible = case.possible_actions(actor, by)
        listed = ", ".join(possible) or "none"
        raise type(refused)(f"{refused.reason} (possible for you now: {listed})", possible) from refused
    sequence = case.last_event + 1
    calendar = policy.calendar()
    for key, moved in outcome.deadlines.items():
        if moved is not None:
            days = calendar.working_days_between(moved.start, moved.due)
            outcome.deadlines[key] = moved.model_copy(
                update={"revision": case.version + 1, "working_days": days}
            )
    running = {k: v for k, v in case.deadlines.items() if k not in outcome.deadlines}
    running |= {k: v for k, v in outcome.deadlines.items() if v is not None}
    paused = {k: v for k, v in case.paused_deadlines.items() if k not in outcome.paused}
    paused |= {k: v for k, v in outcome.paused.items() if v is not None}
    dated = _stage_dates(case, outcome, policy)
    if dated != case.stage_dates:
        outcome.changes["stage_dates"] = dated
    updated = case.model_copy(
        update={
            **outcome.changes,
            "version": case.version + 1,
            "last_event": sequence,
            "deadlines": running,
            "paused_deadlines": paused,
        }
    )
    recorded = command.model_dump(mode="json", exclude={"action"})
    event = NewEvent(
        sequence, now, actor, by, command.action, {**recorded, **to_jsonable_python(outcome.changes)}
    )
    context = {
        "reference": case.reference,
        "council": policy.council_name,
        "procedure": updated.the_procedure,
    }
    return Decision(
        case=updated,
        events=(event,),
        deadlines_changed={k: (v.due if v else None) for k, v in outcome.deadlines.items()},
        notifications=tuple(
            OwedNotification(purpose, _TEMPLATES[purpose], case.by_a_child, {**context, **extra})
            for purpose, extra in outcome.owed
        ),
    )


#: The deadline that times each stage, by the stage's key in ``Case.stage_dates`` and ``Case.responses``.
_STAGE_STEPS: dict[str, Step] = {"stage1": Step.STAGE1, "stage2": Step.STAGE2, "stage3": Step.STAGE3_PANEL}


def _stage_dates(case: Case, outcome: _Outcome, policy: CouncilPolicy) -> dict[str, StageDates]:
    """The stages' dates after ``outcome``: a stage's deadline set with a new start starts it; an
    extension sets its extended due date; a resume moves both due dates on by the working days the
    deadline was stopped; a response records the date it was sent."""
    dates = dict(case.stage_dates)
    for stage, step in _STAGE_STEPS.items():
        written = outcome.deadlines.get(step.value)
        prior = dates.get(stage)
        if written is not None:
            if prior is None or prior.started_on != written.start:
                dates[stage] = StageDates(started_on=written.start, due_on=written.due)
            elif not written.extended:
                dates[stage] = prior.model_copy(update={"due_on": written.due})
            elif prior.extended_due_on is None:
                dates[stage] = prior.model_copy(update={"extended_due_on": written.due})
            else:
                calendar = policy.calendar()
                moved = calendar.working_days_between(prior.extended_due_on, written.due)
                dates[stage] = prior.model_copy(
                    update={
                        "due_on": calendar.add_working_days(prior.due_on, moved),
                        "extended_due_on": written.due,
                    }
                )
        response = outcome.changes.get("responses", {}).get(stage)
        current = dates.get(stage)
        if response is not None and current is not None and current.sent_on != response.sent_on:
            dates[stage] = current.model_copy(update={"sent_on": response.sent_on})
    return dates


_TEMPLATES: dict[NoticePurpose, str] = {purpose: purpose.value.replace("-", "_") for purpose in NoticePurpose}


# --- guards: who may take which action at which point (also what possible_actions lists) -------------


Guard = Callable[[Case, Actor, "str | None"], None]


def _refuse(reason: str) -> NoReturn:
    raise IllegalTransition(reason)


def _not_ended(case: Case, name: str) -> None:
    if case.status in TERMINAL:
        _refuse(f"the case is {case.status}: '{name}' is no longer possible")


def _not_held(case: Case, name: str) -> None:
    if case.hold is not None:
        _refuse(
            f"the case has been on hold ({case.hold.matter}) since {case.hold.since}: resume it before '{name}'"
        )


def _by(name: str, actor: Actor, allowed: frozenset[Actor]) -> None:
    if actor not in allowed:
        raise NotPermitted(f"'{name}' may only be done by: {', '.join(sorted(allowed))}")


def _complaint(case: Case, name: str) -> None:
    if case.kind is not Kind.COMPLAINT:
        _refuse(f"a {case.kind} is recorded, not accepted into a stage: '{name}' is for complaints")


def _at(case: Case, name: str, *statuses: Status) -> None:
    if case.status not in statuses:
        _refuse(f"'{name}' is possible only at status {' or '.join(statuses)}, not '{case.status}'")


def _not_about_them(case: Case, actor: Actor, by: str | None) -> None:
    """Nobody acts on a complaint about themselves (the conflict the issue names)."""
    if actor is not Actor.PUBLIC and by is not None and by in case.about_staff:
        raise NotPermitted("the complaint is about you: someone else must act on it")


def _appointed_investigator(case: Case, actor: Actor, by: str | None) -> bool:
    return actor is Actor.INVESTIGATOR and by is not None and by == case.investigator_user


def _table(action: Action) -> Guard:
    def guard(case: Case, actor: Actor, by: str | None) -> None:
        if action is Action.ACCEPT:
            _complaint(case, "accept")
        if action is not Action.WITHDRAW:
            _not_held(case, action)
        next_status(case.track, case.status, action, actor)
        if (
            case.status is Status.CLOSED
            and action is Action.REQUEST_STAGE2
            and case.ended_from is not Status.STAGE1_RESPONDED
        ):
            _refuse(f"the case closed at '{case.ended_from}', not in the window to ask for stage 2")
        if (
            case.status is Status.CLOSED
            and action is Action.REQUEST_STAGE3
            and case.ended_from is not Status.STAGE2_RESPONDED
        ):
            _refuse(f"the case closed at '{case.ended_from}', not in the window to ask for stage 3")
        if action is Action.RESPOND_STAGE2 and case.track is Track.STATUTORY:
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
                _refuse(f"the stage 2 adjudication needs {', '.join(missing)}")
        if action is Action.PANEL_MET and case.stage3.panel is None:
            _refuse("the panel has not been convened")

    return guard


def _guard_note(case: Case, actor: Actor, by: str | None) -> None:
    _not_ended(case, "note")
    if actor is Actor.INVESTIGATOR and not _appointed_investigator(case, actor, by):
        raise NotPermitted("an investigator may write notes only on the stage 2 case they are appointed to")
    # Senior leadership reads, and makes the two decisions the regulations give a senior manager.
    _by("note", actor, _STAFF - {Actor.SENIOR_LEADERSHIP})


def _guard_allocate(case: Case, actor: Actor, by: str | None) -> None:
    _not_ended(case, "allocate")
    _by("allocate", actor, _MANAGERS)


def _officer_on_open_complaint(name: str, *, held_ok: bool) -> Guard:
    def guard(case: Case, actor: Actor, by: str | None) -> None:
        _complaint(case, name)
        _not_ended(case, name)
        if not held_ok:
            _not_held(case, name)
        _by(name, actor, _OFFICER)

    return guard


def _guard_triage(name: str, needed: Callable[[Case], bool], why_not: str) -> Guard:
    def guard(case: Case, actor: Actor, by: str | None) -> None:
        _complaint(case, name)
        _not_ended(case, name)
        _at(case, name, Status.RECEIVED)
        if not needed(case):
            _refuse(why_not)
        _by(name, actor, _OFFICER)

    return guard


def _guard_record_advocacy(case: Case, actor: Actor, by: str | None) -> None:
    _officer_on_open_complaint("record-advocacy", held_ok=True)(case, actor, by)
    if not case.advocacy.offered:
        _refuse("no advocate has been offered yet: record the offer first (offer-advocacy)")


def _guard_change_advocacy(case: Case, actor: Actor, by: str | None) -> None:
    _officer_on_open_complaint("change-advocacy", held_ok=True)(case, actor, by)
    if case.advocacy.accepted is not True:
        _refuse("no advocate is recorded as accepted: record the answer first (record-advocacy)")


def _guard_extend(case: Case, actor: Actor, by: str | None) -> None:
    _officer_on_open_complaint("extend", held_ok=False)(case, actor, by)
    step = case.running_stage()
    if step is None:
        _refuse(f"no stage is running at status '{case.status}': nothing to extend")
    elif case.deadlines[step.value].extended:
        _refuse(f"{step} is already extended to its maximum ({case.deadlines[step.value].due})")


def _guard_pause(case: Case, actor: Actor, by: str | None) -> None:
    _officer_on_open_complaint("pause-stage1", held_ok=False)(case, actor, by)
    _at(case, "pause-stage1", Status.STAGE1)


def _guard_resume(case: Case, actor: Actor, by: str | None) -> None:
    _complaint(case, "resume")
    _not_ended(case, "resume")
    if case.hold is None:
        _refuse("the case is not on hold or paused: nothing to resume")
    _by("resume", actor, _OFFICER)


def _guard_stage2_appointment(name: str, statutory_only: bool) -> Guard:
    def guard(case: Case, actor: Actor, by: str | None) -> None:
        _officer_on_open_complaint(name, held_ok=False)(case, actor, by)
        _at(case, name, Status.STAGE2)
        if statutory_only and case.track is not Track.STATUTORY:
            _refuse("only the statutory procedure appoints an independent person")

    return guard


def _guard_report(case: Case, actor: Actor, by: str | None) -> None:
    name = "record-investigation-report"
    _complaint(case, name)
    _not_ended(case, name)
    _not_held(case, name)
    if actor is Actor.INVESTIGATOR:
        if not _appointed_investigator(case, actor, by):
            _refuse("only the investigating officer appointed to this case may record its report")
    else:
        _by(name, actor, frozenset({Actor.COMPLAINTS_OFFICER, Actor.INVESTIGATOR}))
    _at(case, name, Status.STAGE2)
    if case.stage2.investigator is None:
        _refuse("no investigating officer has been appointed")
    if case.track is Track.STATUTORY and case.stage2.independent_person is None:
        _refuse("no independent person has been appointed: the investigation is made with one (reg 2)")


def _guard_convene(case: Case, actor: Actor, by: str | None) -> None:
    _officer_on_open_complaint("convene-panel", held_ok=False)(case, actor, by)
    _at(case, "convene-panel", Status.STAGE3_PANEL)


def _open_enquiry(case: Case) -> OmbudsmanEnquiry | None:
    last = case.ombudsman[-1] if case.ombudsman else None
    return last if last is not None and last.open else None


def _guard_ombudsman(name: str) -> Guard:
    def guard(case: Case, actor: Actor, by: str | None) -> None:
        _complaint(case, name)  # beside the stages: open at any status, ended or not
        _by(name, actor, _OFFICER)
        enquiry = _open_enquiry(case)
        if name == "ombudsman-enquiry":
            if enquiry is not None:
                _refuse(f"an Ombudsman enquiry received on {enquiry.received_on} awaits its outcome")
        elif name == "ombudsman-complied":
            last = case.ombudsman[-1] if case.ombudsman else None
            if last is None or last.decision is not OmbudsmanOutcome.UPHELD or last.complied_on is not None:
                _refuse("compliance is recorded once, after the Ombudsman upholds a complaint")
        elif enquiry is None:
            _refuse("no Ombudsman enquiry awaits an outcome")

    return guard


def _upheld(case: Case) -> bool:
    found = [f.outcome for stage in case.findings.values() for f in stage]
    decided = [e.decision for e in case.ombudsman]
    return any(outcome is not Outcome.NOT_UPHELD for outcome in found) or OmbudsmanOutcome.UPHELD in decided


def _guard_action_plan(name: str) -> Guard:
    def guard(case: Case, actor: Actor, by: str | None) -> None:
        _complaint(case, name)  # monitored until done, after the case closes too
        _by(name, actor, _MANAGERS)
        if not _upheld(case):
            _refuse("an action plan follows a complaint upheld in whole or part")
        if name == "update-action" and not case.action_plan:
            _refuse("the action plan has no actions yet")

    return guard


def _guard_share(case: Case, actor: Actor, by: str | None) -> None:
    if case.kind is not Kind.COMPLIMENT:
        _refuse("only a compliment is shared with the person it is about")
    _by("share-compliment", actor, _MANAGERS)
    if case.status is not Status.CLOSED:
        _refuse(f"record the compliment first (it is '{case.status}')")
    if case.compliment_shared is not None:
        _refuse(f"the compliment was already shared on {case.compliment_shared.with_person_on}")


def _guard_about_staff(case: Case, actor: Actor, by: str | None) -> None:
    _officer_on_open_complaint("about-staff", held_ok=True)(case, actor, by)


def _guard_reopen(case: Case, actor: Actor, by: str | None) -> None:
    if case.status not in TERMINAL:
        _refuse(f"the case is open ('{case.status}'): there is nothing to reopen")
    if case.ended_from is None:
        _refuse("the status it ended at is not recorded, so it cannot be reopened")
    _by("reopen", actor, _OFFICER)


_GUARDS: dict[str, Guard] = {
    **{action.value: _table(action) for action in Action},
    "decide-sufficient-interest": _guard_triage(
        "decide-sufficient-interest",
        lambda case: case.needs_sufficient_interest_decision,
        "the complainant's role gives a right to complain: no sufficient-interest decision is needed",
    ),
    "decide-late-complaint": _guard_triage(
        "decide-late-complaint", lambda case: True, "not reached: any complaint may be found late"
    ),
    "offer-advocacy": _officer_on_open_complaint("offer-advocacy", held_ok=True),
    "record-advocacy": _guard_record_advocacy,
    "change-advocacy": _guard_change_advocacy,
    "about-staff": _guard_about_staff,
    "allocate": _guard_allocate,
    "extend": _guard_extend,
    "pause-stage1": _guard_pause,
    "hold": _officer_on_open_complaint("hold", held_ok=False),
    "resume": _guard_resume,
    "appoint-investigator": _guard_stage2_appointment("appoint-investigator", statutory_only=False),
    "appoint-independent-person": _guard_stage2_appointment(
        "appoint-independent-person", statutory_only=True
    ),
    "record-investigation-report": _guard_report,
    "convene-panel": _guard_convene,
    "reopen": _guard_reopen,
    **{
        name: _guard_ombudsman(name)
        for name in (
            "ombudsman-enquiry",
            "ombudsman-premature",
            "ombudsman-not-investigated",
            "ombudsman-decision",
            "ombudsman-complied",
        )
    },
    "add-action": _guard_action_plan("add-action"),
    "update-action": _guard_action_plan("update-action"),
    "share-compliment": _guard_share,
    "note": _guard_note,
}


# --- decisions: the command's own checks, then its changes -----------------------------------------


def _transition(case: Case, action: Action, actor: Actor) -> Status:
    return next_status(case.track, case.status, action, actor)


def _not_future(day: date, what: str, today: date) -> None:
    if day > today:
        _refuse(f"{what} ({day}) cannot be in the future")


def _not_before(day: date, earliest: date, what: str, since: str) -> None:
    if day < earliest:
        _refuse(f"{what} ({day}) cannot be before {since} ({earliest})")


def _deadline(policy: CouncilPolicy, procedure: Procedure, step: Step, start: date) -> Deadline:
    return Deadline(step=step, start=start, due=policy.due_date(procedure, step, start))


def _known(values: tuple[str, ...], known: tuple[str, ...], what: str = "categories") -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        _refuse(f"unknown {what}: {', '.join(unknown)} (the council policy lists them)")


def _overall(findings: tuple[Finding, ...]) -> Outcome:
    outcomes = {f.outcome for f in findings}
    if outcomes == {Outcome.UPHELD}:
        return Outcome.UPHELD
    if outcomes == {Outcome.NOT_UPHELD}:
        return Outcome.NOT_UPHELD
    return Outcome.PARTIALLY_UPHELD


def _stop_all(case: Case, today: date, out: _Outcome) -> None:
    """The case ends (or waits): every running deadline stops, kept paused so that it can resume."""
    for key, running in case.deadlines.items():
        out.deadlines[key] = None
        out.paused[key] = running.model_copy(update={"paused_on": today})


def _resume_all(case: Case, today: date, policy: CouncilPolicy, out: _Outcome) -> None:
    """Every stopped deadline runs again: the working days it had left when stopped count from today."""
    calendar = policy.calendar()
    for key, stopped in case.paused_deadlines.items():
        assert stopped.paused_on is not None
        left = calendar.working_days_between(stopped.paused_on, stopped.due)
        due = calendar.add_working_days(today, left)
        out.paused[key] = None
        out.deadlines[key] = stopped.model_copy(update={"due": due, "paused_on": None})


def _end(case: Case, action: Action, actor: Actor, today: date, out: _Outcome) -> None:
    out.changes |= {"status": _transition(case, action, actor), "ended_from": case.status, "hold": None}
    _stop_all(case, today, out)


def _restart_acknowledgement(case: Case, status: Status, out: _Outcome) -> None:
    """A complaint awaiting triage again (resumed, or reopened) restarts its acknowledgement's timer,
    under a new revision: the workflow names executions after it, and a stopped one's name is spent."""
    if status is Status.RECEIVED:
        out.changes["acknowledgement_revision"] = case.version + 1


def _person(people: PeopleRegister, person_id: str) -> Person:
    person = people.get(person_id)
    if person is None:
        _refuse(f"{person_id} is not in the people register")
    return person


def _attested(attestation: Attestation, person: Person, today: date) -> None:
    _not_future(attestation.attested_on, "the attestation", today)
    if not (attestation.declarations_true and attestation.no_connection_with_the_case):
        _refuse(
            f"{person.name} has not attested that their declarations are true and that they have no "
            "connection with the case"
        )


def _decide(
    case: Case,
    command: Command,
    actor: Actor,
    by: str,
    today: date,
    policy: CouncilPolicy,
    people: PeopleRegister,
) -> _Outcome:
    out = _Outcome()
    procedure = case.the_procedure
    match command:
        case Accept(procedure=chosen):
            if chosen is Procedure.STATUTORY and case.needs_sufficient_interest_decision:
                decided = case.sufficient_interest
                if decided is None:
                    _refuse(
                        "the statutory procedure needs the sufficient-interest decision recorded first "
                        "(decide-sufficient-interest)"
                    )
                elif not decided.accepted:
                    _refuse(
                        "the council decided the complainant has no sufficient interest: accept into the "
                        "corporate procedure, or decline"
                    )
            if case.late:
                discretion = case.late_discretion
                if discretion is None:
                    _refuse("the complaint is late: record the discretion first (decide-late-complaint)")
                elif not discretion.accepted:
                    _refuse("the discretion to consider the late complaint was not exercised: decline it")
            status = _transition(case, Action.ACCEPT, actor)
            # Stage 1 runs from receipt (deemed receipt where the policy says so), whatever the day of triage.
            stage1 = _deadline(policy, chosen, Step.STAGE1, case.deemed_received)
            out.changes = {"status": status, "procedure": chosen}
            out.deadlines[Step.STAGE1.value] = stage1
            out.owed.append(
                (NoticePurpose.CASE_ACCEPTED, {"procedure": chosen, "stage": "stage1", "due": stage1.due})
            )
        case DecideSufficientInterest(
            accepted=accepted, reasons=reasons, complainant_told=told, child_told=child
        ):
            try:
                SufficientInterestDecision(accepted, reasons, told, child)
            except NotEligible as refused:
                _refuse(refused.reason)
            out.changes["sufficient_interest"] = SufficientInterest(
                accepted=accepted, reasons=reasons, complainant_told=told, child_told=child, decided_on=today
            )
        case DecideLateComplaint(
            not_reasonable_to_expect_sooner=sooner, still_fair_to_consider=fair, reasons=reasons
        ):
            try:
                LateComplaintDecision(sooner, fair, reasons)
            except NotEligible as refused:
                _refuse(refused.reason)
            out.changes = {
                "late": True,
                "late_discretion": LateDiscretion(
                    not_reasonable_to_expect_sooner=sooner,
                    still_fair_to_consider=fair,
                    reasons=reasons,
                    decided_on=today,
                ),
            }
        case Decline():
            _end(case, Action.DECLINE, actor, today, out)
        case RouteElsewhere(matter=matter):
            if matter in DEFERRED:
                _refuse(f"'{matter}' is deferred by reg 8, not routed: put the case on hold (hold)")
            _end(case, Action.ROUTE, actor, today, out)
            out.changes["routed_to"] = route(matter).destination
        case OfferAdvocacy(offered_on=offered_on, how=how):
            _not_future(offered_on, "the offer", today)
            advocacy = case.advocacy.model_copy(
                update={"offered": True, "offered_on": offered_on, "offered_how": how}
            )
            out.changes["advocacy"] = advocacy
        case RecordAdvocacy(accepted=accepted, provider=provider, advocate_name=name):
            if accepted and provider is None:
                _refuse("an accepted advocate needs who provides them (provider)")
            if not accepted and (provider or name):
                _refuse("a declined offer has no provider or advocate")
            advocate = {"accepted": accepted, "advocate_organisation": provider, "advocate_name": name}
            out.changes["advocacy"] = case.advocacy.model_copy(update=advocate)
        case ChangeAdvocacy(provider=provider, advocate_name=name, advocate_email=email):
            changed_advocate = {
                "advocate_organisation": provider,
                "advocate_name": name,
                "advocate_email": email,
            }
            out.changes["advocacy"] = case.advocacy.model_copy(update=changed_advocate)
        case RecordFeedback(categories=categories, about=about):
            _known(categories, policy.compliment_categories + policy.complaint_categories)
            if case.kind is Kind.COMPLIMENT and not about:
                _refuse("a compliment records who it is about (about)")
            out.changes = {
                "status": _transition(case, Action.RECORD, actor),
                "categories": categories,
                "compliment_about": about,
            }
        case ShareCompliment(with_person_on=person_on, with_managers_on=managers_on):
            for day, what in ((person_on, "sharing with the person"), (managers_on, "sharing with managers")):
                _not_future(day, what, today)
                _not_before(day, case.received_date, what, "the compliment's receipt")
            out.changes["compliment_shared"] = ComplimentShared(
                with_person_on=person_on, with_managers_on=managers_on
            )
        case Allocate(manager=manager, categories=categories, complaint_points=points, service_area=area):
            _known(categories, policy.complaint_categories + policy.compliment_categories)
            if manager in case.about_staff:
                _refuse(f"the complaint is about {manager}, who may not be allocated it")
            if area is not None and policy.service_area(area) is None:
                _refuse(f"unknown service area: {area} (the council policy lists them)")
            out.changes = {"allocated_manager": manager, "categories": categories, "complaint_points": points}
            if area is not None:
                out.changes["service_area"] = area
        case AboutStaff(staff=staff):
            if case.allocated_manager in staff:
                _refuse(
                    f"the case is allocated to {case.allocated_manager}: allocate it to someone else first"
                )
            if case.investigator_user in staff:
                _refuse(f"{case.investigator_user} investigates the case: appoint someone else first")
            out.changes["about_staff"] = tuple(dict.fromkeys((*case.about_staff, *staff)))
        case Extend(reason=reason, complainant_told=told):
            step = case.running_stage()
            assert step is not None  # the guard saw it running
            current = case.deadlines[step.value]
            if step is Step.STAGE2 and not told:
                _refuse("a stage 2 extension needs the complainant told in writing why, with the new date")
            timescale = policy.timescale(procedure, step)
            if timescale.extended_max is None:
                _refuse(f"the {procedure} {step} cannot be extended")
            assert timescale.extended_max is not None
            # Moved on by the extra working days, so days the stage was paused stay added.
            more = timescale.extended_max - timescale.working_days
            due = policy.calendar().add_working_days(current.due, more)
            out.deadlines[step.value] = current.model_copy(
                update={"due": due, "extended": True, "reason": reason}
            )
            out.owed.append(
                (NoticePurpose.DEADLINE_EXTENDED, {"stage": step, "due": due, "previous_due": current.due})
            )
        case PauseStage1(reason=reason):
            if Step.STAGE1.value not in case.deadlines:
                _refuse("stage 1 has no running deadline to pause")
            out.changes["hold"] = Hold(matter=HoldMatter.ADVOCATE_APPOINTMENT, reason=reason, since=today)
            out.deadlines[Step.STAGE1.value] = None
            out.paused[Step.STAGE1.value] = case.deadlines[Step.STAGE1.value].model_copy(
                update={"paused_on": today}
            )
        case PutOnHold(matter=matter, reason=reason):
            out.changes["hold"] = Hold(matter=HoldMatter(matter.value), reason=reason, since=today)
            _stop_all(case, today, out)
            out.owed.append((NoticePurpose.ON_HOLD, {"matter": matter, "since": today, "stage": case.status}))
        case Resume():
            out.changes["hold"] = None
            _resume_all(case, today, policy, out)
            _restart_acknowledgement(case, case.status, out)
            dues = {key: d.due for key, d in out.deadlines.items() if d is not None}
            out.owed.append((NoticePurpose.RESUMED, {"stage": case.status, "dues": dues}))
        case RespondStage1(sent_on=sent_on, findings=findings, resolutions=resolutions, remedies_pence=pence):
            _not_future(sent_on, "the response", today)
            _known(resolutions, policy.resolutions, "resolutions")
            status = _transition(case, Action.RESPOND_STAGE1, actor)
            stage2_window = _deadline(policy, procedure, Step.STAGE2_REQUEST, sent_on)
            out.changes = _responded(
                case,
                "stage1",
                status,
                findings,
                StageResponse(sent_on=sent_on, resolutions=resolutions, remedies_pence=pence),
            )
            out.deadlines = {Step.STAGE1.value: None, Step.STAGE2_REQUEST.value: stage2_window}
            out.owed.append(
                (
                    NoticePurpose.STAGE1_OUTCOME,
                    _outcome_context("stage1", findings, sent_on, "stage2", stage2_window.due),
                )
            )
        case RequestStage2(requested_on=requested_on, late_reason=late_reason, agreed_reason=agreed):
            _not_future(requested_on, "the request", today)
            _request_stage2(case, actor, requested_on, late_reason, agreed)
            status = _transition(case, Action.REQUEST_STAGE2, actor)
            stage2 = _deadline(policy, procedure, Step.STAGE2, requested_on)
            out.changes = {"status": status, "ended_from": None}
            out.deadlines = {
                k: None for k in (Step.STAGE1.value, Step.STAGE2_REQUEST.value) if k in case.deadlines
            }
            out.deadlines[Step.STAGE2.value] = stage2
            out.paused = dict.fromkeys(case.paused_deadlines)
            out.owed.append((NoticePurpose.STAGE2_STARTED, {"stage": "stage2", "due": stage2.due}))
        case AppointInvestigator(person_id=person_id, attestation=attestation):
            person = _person(people, person_id)
            why = investigator_refusal(person, case.service_area, case.about_staff, case.allocated_manager)
            if why is not None:
                _refuse(f"{why}: the investigating officer must be independent of it")
            _attested(attestation, person, today)
            appointed = Appointment(person=person, attestation=attestation, appointed_on=today)
            out.changes["stage2"] = case.stage2.model_copy(update={"investigator": appointed})
        case AppointIndependentPerson(person_id=person_id, attestation=attestation):
            person = _person(people, person_id)
            not_independent = independent_person_refusal(person)
            if not_independent is not None:
                _refuse(f"{not_independent}: an independent person may be neither (reg 2)")
            _attested(attestation, person, today)
            appointed = Appointment(person=person, attestation=attestation, appointed_on=today)
            out.changes["stage2"] = case.stage2.model_copy(update={"independent_person": appointed})
        case RecordInvestigationReport(submitted_on=submitted_on, findings=findings):
            _not_future(submitted_on, "the report", today)
            stage2_start = (
                case.deadlines[Step.STAGE2.value].start if Step.STAGE2.value in case.deadlines else None
            )
            if stage2_start is not None:
                _not_before(submitted_on, stage2_start, "the report", "the stage 2 request")
            new_report = InvestigationReport(submitted_on=submitted_on, findings=findings, recorded_by=by)
            out.changes["stage2"] = case.stage2.model_copy(update={"report": new_report})
        case RespondStage2(sent_on=sent_on, findings=findings, resolutions=resolutions, remedies_pence=pence):
            _not_future(sent_on, "the response", today)
            _known(resolutions, policy.resolutions, "resolutions")
            inquiry = case.stage2.report
            if inquiry is not None:
                _not_before(sent_on, inquiry.submitted_on, "the adjudication", "the investigation report")
            status = _transition(case, Action.RESPOND_STAGE2, actor)
            out.changes = _responded(
                case,
                "stage2",
                status,
                findings,
                StageResponse(sent_on=sent_on, resolutions=resolutions, remedies_pence=pence),
            )
            out.deadlines = {Step.STAGE2.value: None}
            escalate_by, next_stage = None, "ombudsman"
            if case.track is Track.STATUTORY:
                stage3_window = _deadline(policy, procedure, Step.STAGE3_REQUEST, sent_on)
                out.deadlines[Step.STAGE3_REQUEST.value] = stage3_window
                escalate_by, next_stage = stage3_window.due, "stage3"
            out.owed.append(
                (
                    NoticePurpose.STAGE2_OUTCOME,
                    _outcome_context("stage2", findings, sent_on, next_stage, escalate_by),
                )
            )
        case RequestStage3(requested_on=requested_on, late_reason=late_reason):
            _not_future(requested_on, "the request", today)
            asked_window = case.deadlines.get(Step.STAGE3_REQUEST.value) or case.paused_deadlines.get(
                Step.STAGE3_REQUEST.value
            )
            _late_request(case, asked_window, requested_on, late_reason, "stage 3")
            status = _transition(case, Action.REQUEST_STAGE3, actor)
            panel_deadline = _deadline(policy, procedure, Step.STAGE3_PANEL, requested_on)
            out.changes = {"status": status, "ended_from": None}
            out.deadlines = {Step.STAGE3_PANEL.value: panel_deadline}
            if Step.STAGE3_REQUEST.value in case.deadlines:
                out.deadlines[Step.STAGE3_REQUEST.value] = None
            out.paused = dict.fromkeys(case.paused_deadlines)
            out.owed.append((NoticePurpose.STAGE3_STARTED, {"stage": "stage3", "due": panel_deadline.due}))
        case ConvenePanel(members=members, chair=chair, meeting_on=meeting_on):
            ids = [m.person_id for m in members]
            if len(ids) != 3 or len(set(ids)) != 3:
                _refuse("a review panel is three different people (reg 19)")
            if chair not in ids:
                _refuse("the chair must be one of the panel's three members")
            _not_before(meeting_on, today, "the panel meeting", "today")
            ip = case.stage2.independent_person
            seats = []
            for member in members:
                person = _person(people, member.person_id)
                cannot_sit = panel_member_refusal(person, ip.person.person_id if ip else None)
                if cannot_sit is not None:
                    _refuse(f"{cannot_sit} (reg 19)")
                _attested(member.attestation, person, today)
                seats.append(Appointment(person=person, attestation=member.attestation, appointed_on=today))
            panel = Panel(members=tuple(seats), chair=chair, meeting_on=meeting_on, convened_on=today)
            out.changes["stage3"] = case.stage3.model_copy(update={"panel": panel})
        case PanelMet(met_on=met_on, attendees=attendees):
            _not_future(met_on, "the meeting", today)
            roles = [a.role for a in attendees]
            if roles.count("advocate") > 1 or roles.count("other") > 1:
                _refuse("the complainant may bring an advocate and one other person (reg 19)")
            status = _transition(case, Action.PANEL_MET, actor)
            report_deadline = _deadline(policy, procedure, Step.STAGE3_REPORT, met_on)
            held = PanelMeeting(met_on=met_on, attendees=attendees)
            out.changes = {"status": status, "stage3": case.stage3.model_copy(update={"meeting": held})}
            out.deadlines = {Step.STAGE3_PANEL.value: None, Step.STAGE3_REPORT.value: report_deadline}
        case PanelReported(
            reported_on=reported_on, findings=findings, sent_to_complainant=c, sent_to_independent_person=ip
        ):
            _not_future(reported_on, "the report", today)
            held_meeting = case.stage3.meeting
            if held_meeting is not None:
                _not_before(reported_on, held_meeting.met_on, "the report", "the panel meeting")
            if not (c and ip):
                _refuse("the panel's report goes to the complainant and the independent person (reg 20)")
            status = _transition(case, Action.PANEL_REPORTED, actor)
            response = _deadline(policy, procedure, Step.STAGE3_RESPONSE, reported_on)
            panel_report = PanelReport(
                reported_on=reported_on,
                findings=findings,
                sent_to_complainant=c,
                sent_to_independent_person=ip,
            )
            out.changes = {
                "status": status,
                "stage3": case.stage3.model_copy(update={"report": panel_report}),
                "findings": {**case.findings, "stage3": findings},
            }
            out.deadlines = {Step.STAGE3_REPORT.value: None, Step.STAGE3_RESPONSE.value: response}
        case RespondStage3(sent_on=sent_on, resolutions=resolutions, remedies_pence=pence):
            _not_future(sent_on, "the response", today)
            _known(resolutions, policy.resolutions, "resolutions")
            if not command.independent_person_view_considered:
                _refuse("the authority's response is made with the independent person's view (reg 20)")
            if not command.ombudsman_details_given:
                _refuse("the authority's response says how to go to the Ombudsman (reg 20)")
            status = _transition(case, Action.RESPOND_STAGE3, actor)
            reply = StageResponse(sent_on=sent_on, resolutions=resolutions, remedies_pence=pence)
            out.changes = {
                "status": status,
                "responses": {**case.responses, "stage3": reply},
                "remedies_pence": case.remedies_pence + pence,
            }
            out.deadlines = {Step.STAGE3_RESPONSE.value: None}
            panel_findings = case.findings.get("stage3", ())
            out.owed.append(
                (
                    NoticePurpose.STAGE3_OUTCOME,
                    _outcome_context("stage3", panel_findings, sent_on, "ombudsman", None),
                )
            )
        case WindowExpired():
            open_window = next((d for d in case.deadlines.values() if d.step in _WINDOWS), None)
            if open_window is None:
                _refuse("the complainant has no window to ask for another stage now: close the case instead")
            if today <= open_window.due:
                _refuse(f"the complainant's window is open until {open_window.due}")
            _end(case, Action.WINDOW_EXPIRED, actor, today, out)
            out.owed.append(
                (
                    NoticePurpose.CASE_CLOSED,
                    {"window": open_window.step, "window_due": open_window.due, "closed_on": today},
                )
            )
        case Withdraw():
            _end(case, Action.WITHDRAW, actor, today, out)
        case Close():
            _end(case, Action.CLOSE, actor, today, out)
        case Reopen():
            assert case.ended_from is not None
            out.changes = {"status": case.ended_from, "ended_from": None}
            _resume_all(case, today, policy, out)
            _restart_acknowledgement(case, case.ended_from, out)
        case OmbudsmanEnquiryReceived(received_on=received_on, ombudsman_reference=ref):
            _not_future(received_on, "the enquiry", today)
            _not_before(received_on, case.received_date, "the enquiry", "the complaint's receipt")
            enquiry = OmbudsmanEnquiry(
                received_on=received_on, ombudsman_reference=ref, status_at_enquiry=case.status
            )
            out.changes["ombudsman"] = (*case.ombudsman, enquiry)
        case OmbudsmanPremature(returned_on=day):
            out.changes["ombudsman"] = _enquiry_update(case, day, today, returned_premature_on=day)
        case OmbudsmanNotInvestigated(decided_on=day):
            out.changes["ombudsman"] = _enquiry_update(case, day, today, not_investigated_on=day)
        case OmbudsmanDecision(
            decided_on=day, outcome=outcome, remedy_pence=pence, remedies=remedies, compliance_due=due
        ):
            _known(remedies, policy.resolutions, "remedies")
            if outcome is OmbudsmanOutcome.NOT_UPHELD and (pence or remedies or due):
                _refuse("a complaint the Ombudsman did not uphold carries no remedy")
            if due is not None:
                _not_before(due, day, "compliance", "the decision")
            out.changes["ombudsman"] = _enquiry_update(
                case,
                day,
                today,
                decision=outcome,
                decided_on=day,
                remedy_pence=pence,
                remedies=remedies,
                compliance_due=due,
            )
        case OmbudsmanComplied(complied_on=day):
            last = case.ombudsman[-1]
            _not_future(day, "compliance", today)
            assert last.decided_on is not None
            _not_before(day, last.decided_on, "compliance", "the decision")
            out.changes["ombudsman"] = (*case.ombudsman[:-1], last.model_copy(update={"complied_on": day}))
        case AddAction(description=description, owner=owner, due_on=due_on):
            _not_before(due_on, today, "the action's due date", "today")
            item = ActionItem(
                item_id=f"A{len(case.action_plan) + 1}",
                description=description,
                owner=owner,
                due_on=due_on,
                added_on=today,
                revision=case.version + 1,
            )
            out.changes["action_plan"] = (*case.action_plan, item)
        case UpdateAction(item_id=item_id, status=status, due_on=due_on, owner=owner):
            items = {item.item_id: item for item in case.action_plan}
            if item_id not in items:
                _refuse(f"the action plan has no action {item_id} (it has {', '.join(items)})")
            if status is None and due_on is None and owner is None:
                _refuse("an update changes the status, the due date or the owner")
            item_update: dict[str, Any] = {}
            if status is not None:
                item_update |= {"status": status, "done_on": today if status == "done" else None}
            if due_on is not None:
                item_update["due_on"] = due_on
            if owner is not None:
                item_update["owner"] = owner
            # Any change restarts the action's timer (a reopened action too): a fresh name for it.
            item_update["revision"] = case.version + 1
            changed = items[item_id].model_copy(update=item_update)
            out.changes["action_plan"] = tuple(
                changed if i.item_id == item_id else i for i in case.action_plan
            )
        case Note():
            pass
    return out


_WINDOWS = frozenset({Step.STAGE2_REQUEST, Step.STAGE3_REQUEST})


def _responded(
    case: Case, stage: str, status: Status, findings: tuple[Finding, ...], reply: StageResponse
) -> dict[str, Any]:
    return {
        "status": status,
        "findings": {**case.findings, stage: findings},
        "responses": {**case.responses, stage: reply},
        "remedies_pence": case.remedies_pence + reply.remedies_pence,
    }


def _outcome_context(
    stage: str, findings: tuple[Finding, ...], sent_on: date, next_stage: str, escalate_by: date | None
) -> dict[str, Any]:
    return {
        "stage": stage,
        "outcome": _overall(findings) if findings else None,
        "sent_on": sent_on,
        "next_stage": next_stage,
        "escalate_by": escalate_by,
    }


def _late_request(
    case: Case, window: Deadline | None, requested_on: date, late_reason: str | None, what: str
) -> None:
    if window is not None and requested_on > window.due and late_reason is None:
        _refuse(f"the request came after the window closed on {window.due}: accepting it needs a reason")


def _request_stage2(
    case: Case, actor: Actor, requested_on: date, late_reason: str | None, agreed: str | None
) -> None:
    if case.status is not Status.STAGE1:
        if agreed is not None:
            _refuse("going straight to stage 2 by agreement is possible only while stage 1 runs")
        window = case.deadlines.get(Step.STAGE2_REQUEST.value) or case.paused_deadlines.get(
            Step.STAGE2_REQUEST.value
        )
        _late_request(case, window, requested_on, late_reason, "stage 2")
        return
    if agreed is not None:
        if actor is not Actor.COMPLAINTS_OFFICER:
            _refuse("an agreement to go straight to stage 2 is recorded by the complaints officer")
        return
    stage1 = case.deadlines.get(Step.STAGE1.value)
    if stage1 is None or requested_on <= stage1.due:
        due = f" (due {stage1.due})" if stage1 else ""
        _refuse(
            f"stage 1 has not been answered and has not overrun its deadline{due}: stage 2 comes after the "
            "response, or earlier if both sides agree (agreed_reason)"
        )


def _enquiry_update(case: Case, day: date, today: date, **update: Any) -> tuple[OmbudsmanEnquiry, ...]:
    last = case.ombudsman[-1]
    _not_future(day, "the Ombudsman's answer", today)
    _not_before(day, last.received_on, "the Ombudsman's answer", "the enquiry")
    return (*case.ombudsman[:-1], last.model_copy(update=update))
